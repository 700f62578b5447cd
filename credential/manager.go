package credential

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/wxkit/wechat/internal/backoff"
	"github.com/wxkit/wechat/internal/wxhttp"
)

// Manager fetches, stores and renews one credential (the access_token, unless built
// with NewWithFetcher or NewTicket). It implements Provider and is safe for
// concurrent use.
//
//   - Token never waits while a valid token is known: inside the refresh margin it
//     starts a background renewal and keeps serving the current token.
//   - One fetch per refresh: single flight in the process, the Store's lock (and a
//     second look at the store after taking it) across processes.
//   - Refresh(ctx, stale) returns a newer token without fetching when there is
//     one; passive fetches are rate-limited by a token bucket.
//   - After a failed fetch it backs off instead of hammering WeChat's daily quota.
//
// Start runs the background refresher; Shutdown stops it and waits for the work
// under way. Without Start the first caller inside the margin starts a renewal.
type Manager struct {
	core
	s         settings
	fetcher   Fetcher
	key       string
	bucket    *bucket       // limits passive refreshes
	underLock time.Duration // bounds a fetch made under the store's lock, retries included

	st counters
}

// New returns a Manager for the access_token of appID. It does no I/O: the token is
// fetched on first use, or by the refresher that Start runs.
func New(appID, appSecret string, opts ...Option) *Manager {
	s := managerSettings(opts)
	f := &tokenFetcher{appID: appID, secret: appSecret, baseURL: strings.TrimRight(s.baseURL, "/"), client: s.client, stable: s.stable}
	return newManager(f, s)
}

// NewWithFetcher returns a Manager that renews whatever f fetches, with the same
// guarantees as the access_token: for a credential WeChat hands out like a token,
// fetched with a token from another Provider. f does its own I/O, so WithBaseURL,
// WithHTTPClient and WithStableToken play no part here.
func NewWithFetcher(f Fetcher, opts ...Option) *Manager {
	return newManager(f, managerSettings(opts))
}

func managerSettings(opts []Option) settings {
	s := defaults()
	for _, o := range opts {
		if o != nil {
			o.applyManager(&s)
		}
	}
	s.fill()
	return s
}

func newManager(f Fetcher, s settings) *Manager {
	if s.store == nil {
		s.store = NewMemoryStore()
	}
	d := defaults()
	if s.burst < 1 || s.refill <= 0 {
		// No option turns the limit off: it is what keeps a bug from burning the
		// 2000-a-day quota. A very large burst is the way to loosen it.
		s.logger.Warn("credential: WithRefreshLimit out of range; using the default", "burst", s.burst, "refill", s.refill,
			"default_burst", d.burst, "default_refill", d.refill)
		s.burst, s.refill = d.burst, d.refill
	}
	if s.lockTTL <= 0 {
		s.logger.Warn("credential: WithLockTTL out of range; using the default", "lock_ttl", s.lockTTL, "default", d.lockTTL)
		s.lockTTL = d.lockTTL
	}
	m := &Manager{s: s, fetcher: f, key: f.Key()}
	m.core.init(&s)
	m.core.name = m.key
	m.core.budget = s.fetchBudget + s.lockTTL
	m.core.load = m.load
	m.bucket = newBucket(s.burst, s.refill)
	// A fetch under the lock, all its attempts included, must end while the lock
	// still holds, with room left to store the token: otherwise another server
	// takes the expired lock, finds no token and fetches a second one.
	m.underLock = min(s.fetchBudget, s.lockTTL*3/4)
	if m.underLock < s.fetchBudget {
		s.logger.Warn("credential: WithLockTTL leaves less time for a fetch under the lock than the fetch budget; a slower fetch is cut off there",
			"credential", m.key, "lock_ttl", s.lockTTL, "fetch_under_lock", m.underLock, "fetch_budget", s.fetchBudget)
	}
	return m
}

// Token returns the current token, fetching one only when none is valid. Inside
// the refresh margin it starts a background renewal and returns the current token
// without waiting.
func (m *Manager) Token(ctx context.Context) (string, error) { return m.core.token(ctx) }

// Refresh reports that WeChat rejected stale and returns a good token. When the
// current token (here or in the shared store) differs from stale it is returned
// without a fetch. Otherwise one fetch is made for all concurrent callers, if the
// passive-refresh limit allows it; if not, the error wraps ErrRefreshLimited.
func (m *Manager) Refresh(ctx context.Context, stale string) (string, error) {
	m.st.passive.Add(1)
	return m.core.refresh(ctx, stale)
}

// ErrRefreshLimited is wrapped by Refresh's error when the passive-refresh limit
// refused a fetch (see WithRefreshLimit).
var ErrRefreshLimited = errors.New("credential: passive refresh limit reached")

// Start runs the background refresher: on the schedule set by WithSchedule
// (default every minute) it renews the token once it is inside the refresh margin,
// and fetches one if there is none, so that callers never wait. It checks once
// right away. Start returns an error for a bad schedule, a second Start, or a
// Start after Shutdown.
func (m *Manager) Start() error { return m.core.start() }

// Shutdown stops the refresher and waits for the renewals and fetches under way,
// or for ctx to end: then it cancels them and returns ctx's error. Token and
// Refresh keep working afterwards, fetching on demand. It is safe to call more
// than once.
func (m *Manager) Shutdown(ctx context.Context) error { return m.core.shutdown(ctx) }

// Current returns the token the Manager serves now and how long it has left by
// the Manager's clock, or "" and 0 when it knows no valid token. It does no I/O and
// never fetches; the token server answers expires_in with it.
func (m *Manager) Current() (value string, left time.Duration) { return m.core.current() }

// load finds a usable token in the local copy or the store, or fetches one under
// the store's lock. A token is usable when it is valid, is not stale and, for a
// renewal, is not yet due itself.
func (m *Manager) load(ctx context.Context, stale string, why purpose) (Token, error) {
	usable := func(t Token) bool {
		now := m.now()
		if !t.Valid(now) || t.Value == stale {
			return false
		}
		return why != renew || !m.due(t, now)
	}
	if e := m.cur.Load(); e != nil && usable(e.tok) {
		return e.tok, nil // a flight that just ended already did the work
	}
	if t, err := m.s.store.Get(ctx, m.key); err == nil && usable(t) {
		m.publish(t)
		return t, nil
	} else if err != nil && !errors.Is(err, ErrNotFound) {
		m.storeFailed("read", err)
	}
	if err := m.backingOff(); err != nil {
		return Token{}, err
	}

	unlock, err := m.s.store.Lock(ctx, m.key, m.s.lockTTL)
	lockedAt := time.Now() // real time, as the store's lock expiry runs
	locked := err == nil
	if !locked {
		if ctx.Err() != nil {
			err = fmt.Errorf("credential: waiting for the fetch lock of %s: %w", m.key, err)
			m.logger.Warn("credential: gave up waiting for the fetch lock", "credential", m.key, "err", err)
			return Token{}, err
		}
		// The store is down. A known token keeps being served; with none, fetching
		// without the lock is the only way to serve at all: without a second look
		// at the store and without waiting for it to take the token.
		m.storeFailed("lock", err)
		if t, ok := m.known(); ok && why != passive {
			m.logger.Warn("credential: serving the known token until the store is back", "credential", m.key, "expires_at", t.ExpiresAt)
			return t, nil
		}
		m.logger.Warn("credential: fetching without the store's lock; other servers sharing the store may fetch too", "credential", m.key)
	} else {
		defer unlock()
		if t, err := m.s.store.Get(ctx, m.key); err == nil && usable(t) {
			m.publish(t) // another process fetched while we waited for the lock
			return t, nil
		}
	}
	if why == passive {
		if ok, next := m.bucket.take(m.now()); !ok {
			m.st.refused.Add(1)
			m.logger.Warn("credential: passive refresh refused", "credential", m.key, "next_allowed", next)
			return Token{}, fmt.Errorf("%w: %s (next allowed at %s); if every token is rejected, check that no other server fetches tokens for this AppID",
				ErrRefreshLimited, m.key, next.Format(time.RFC3339))
		}
	}
	if !locked {
		t, err := m.fetch(ctx, why == passive)
		if err == nil {
			m.storeInBackground(t)
		}
		return t, err
	}
	fctx, cancel := context.WithDeadline(ctx, lockedAt.Add(m.underLock))
	t, err := m.fetch(fctx, why == passive)
	cancel()
	if err != nil {
		return Token{}, err
	}
	// Stored before the lock is released (the next holder's second look finds it)
	// and before the lock's TTL runs out.
	sctx, cancel := context.WithDeadline(ctx, lockedAt.Add(m.s.lockTTL*9/10))
	if serr := m.s.store.Set(sctx, m.key, t); serr != nil {
		m.storeFailed("write", serr)
	}
	cancel()
	return t, nil
}

// storeInBackground writes t to a store that just failed, without making
// anyone wait for it. Shutdown waits for the write, or cancels it.
func (m *Manager) storeInBackground(t Token) {
	m.started(false)
	go func() {
		defer m.done()
		ctx, cancel := m.loadContext(context.Background())
		defer cancel()
		if err := m.s.store.Set(ctx, m.key, t); err != nil {
			m.storeFailed("write", err)
		}
	}()
}

// fetch calls the Fetcher with bounded retries and publishes the token; storing
// it is the caller's.
func (m *Manager) fetch(ctx context.Context, force bool) (Token, error) {
	var (
		value string
		life  time.Duration
	)
	err := backoff.Retry(ctx, m.s.attempts, m.s.backoff, func(attempt int) (retry bool, err error) {
		m.st.fetches.Add(1)
		value, life, err = m.fetcher.Fetch(ctx, force)
		if retry = wxhttp.Retryable(ctx, err); retry && attempt < m.s.attempts {
			m.logger.Warn("credential: fetch failed, retrying", "credential", m.key, "attempt", attempt, "err", err)
		}
		return retry, err
	})
	if err != nil {
		m.failed(err)
		return Token{}, err
	}
	now := m.now()
	t := Token{Value: value, FetchedAt: now, ExpiresAt: now.Add(life)}
	m.publish(t) // callers are served before the store has it
	m.recordSuccess()
	m.logger.Info("credential: fetched", "credential", m.key, "expires_in", life)
	return t, nil
}

type counters struct {
	fetches, failures, passive, refused, storeErrors atomic.Uint64
}

// Stats are a Manager's counters, for logs and metrics.
type Stats struct {
	Fetches          uint64    // upstream fetch attempts, retries included
	Failures         uint64    // fetches that failed after their retries
	PassiveRefreshes uint64    // calls to Refresh
	RefusedRefreshes uint64    // passive fetches refused by the rate limit
	StoreErrors      uint64    // store reads, writes or locks that failed
	Waits            uint64    // Token calls that waited for a fetch because no valid token was known
	LastError        string    // the last fetch failure, "" if none (never holds a secret)
	LastErrorAt      time.Time // when it happened
	ExpiresAt        time.Time // expiry of the token served now; zero when none
}

// Stats returns a snapshot of the counters.
func (m *Manager) Stats() Stats {
	s := Stats{
		Fetches:          m.st.fetches.Load(),
		Failures:         m.st.failures.Load(),
		PassiveRefreshes: m.st.passive.Load(),
		RefusedRefreshes: m.st.refused.Load(),
		StoreErrors:      m.st.storeErrors.Load(),
		Waits:            m.waits.Load(),
		ExpiresAt:        m.expiresAt(),
	}
	s.LastError, s.LastErrorAt = m.lastError()
	return s
}
