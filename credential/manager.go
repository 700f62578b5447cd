package credential

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/wxkit/wechat/internal/backoff"
	"github.com/wxkit/wechat/internal/wxhttp"
	"golang.org/x/sync/singleflight"
)

// Manager fetches, stores and renews one credential (the access_token, unless built
// with NewWithFetcher). It implements Provider and is safe for concurrent use.
//
//   - Token never waits while a valid token is known: inside the refresh margin it
//     starts a background renewal and keeps serving the current token.
//   - One fetch per refresh: single flight in the process, the Store's lock (and a
//     second look at the store after taking it) across processes.
//   - Refresh(ctx, stale) returns a newer token without fetching when there is
//     one; passive fetches are rate-limited by a token bucket.
//   - After a failed fetch it backs off instead of hammering WeChat's daily quota.
type Manager struct {
	s       settings
	fetcher Fetcher
	key     string
	bucket  *bucket // nil: passive refreshes are not limited

	cur   atomic.Pointer[entry]
	group singleflight.Group

	mu        sync.Mutex // guards the fields below
	failures  int        // consecutive failed fetches
	retryAt   time.Time  // no new fetch before this after a failure
	lastErr   error
	lastErrAt time.Time
	stopped   bool
	cron      *cron.Cron

	bg      sync.WaitGroup // background renewals
	renewal atomic.Bool    // a background renewal is under way

	st counters
}

// entry is the token served by the hot path and when to renew it.
type entry struct {
	tok       Token
	refreshAt time.Time
}

// New returns a Manager for the access_token of appID. It does no I/O: the token is
// fetched on first use, or by the refresher that Start runs.
func New(appID, appSecret string, opts ...Option) *Manager {
	s := defaults()
	for _, o := range opts {
		o(&s)
	}
	f := &tokenFetcher{appID: appID, secret: appSecret, baseURL: strings.TrimRight(s.baseURL, "/"), client: s.client, stable: s.stable}
	return newManager(f, s)
}

// NewWithFetcher returns a Manager that renews whatever f fetches, with the same
// guarantees as the access_token: for a JS-SDK ticket, say, whose Fetcher asks for
// it with a token from another Provider.
func NewWithFetcher(f Fetcher, opts ...Option) *Manager {
	s := defaults()
	for _, o := range opts {
		o(&s)
	}
	return newManager(f, s)
}

func newManager(f Fetcher, s settings) *Manager {
	if s.store == nil {
		s.store = NewMemoryStore()
	}
	if s.client == nil {
		s.client = defaults().client
	}
	if s.logger == nil {
		s.logger = defaults().logger
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.margin < 0 {
		s.margin = 0
	}
	if s.attempts < 1 {
		s.attempts = 1
	}
	m := &Manager{s: s, fetcher: f, key: f.Key()}
	if s.burst > 0 {
		m.bucket = newBucket(s.burst, s.refill)
	}
	return m
}

// Token returns the current token, fetching one only when none is valid. Inside
// the refresh margin it starts a background renewal and returns the current token
// without waiting.
func (m *Manager) Token(ctx context.Context) (string, error) {
	if e := m.cur.Load(); e != nil {
		now := m.s.now()
		if now.Before(e.refreshAt) {
			return e.tok.Value, nil
		}
		if now.Before(e.tok.ExpiresAt) {
			m.renewInBackground(e.tok.Value)
			return e.tok.Value, nil
		}
	}
	m.st.waits.Add(1)
	t, err := m.obtain(ctx, "", cold)
	if err != nil {
		return "", err
	}
	if !m.s.now().Before(t.refreshAt(m.s.margin)) {
		m.renewInBackground(t.Value) // a stored token that is already due
	}
	return t.Value, nil
}

// Refresh reports that WeChat rejected stale and returns a good token. When the
// current token (here or in the shared store) differs from stale it is returned
// without a fetch. Otherwise one fetch is made for all concurrent callers, if the
// passive-refresh limit allows it; if not, the error wraps ErrRefreshLimited.
func (m *Manager) Refresh(ctx context.Context, stale string) (string, error) {
	m.st.passive.Add(1)
	if e := m.cur.Load(); e != nil && e.tok.Value != stale && e.tok.Valid(m.s.now()) {
		return e.tok.Value, nil
	}
	// A flight that started before this call may hand back stale itself; a
	// second flight then starts after it and fetches.
	for range 2 {
		t, err := m.obtain(ctx, stale, passive)
		if err != nil {
			return "", err
		}
		if t.Value != stale {
			return t.Value, nil
		}
	}
	return "", fmt.Errorf("credential: %s: refresh returned the rejected token again", m.key)
}

// ErrRefreshLimited is wrapped by Refresh's error when the passive-refresh limit
// refused a fetch (see WithRefreshLimit).
var ErrRefreshLimited = errors.New("passive refresh limit reached")

// purpose says why a token is loaded, which decides what a stored token must be
// like to be used instead of fetching.
type purpose int

const (
	cold    purpose = iota // no valid token is known: any valid one will do
	renew                  // the known one is due: only one not yet due will do
	passive                // stale was rejected: any other valid one will do
)

// obtain runs one load for all concurrent callers with the same purpose. The load
// runs on its own context (the first caller's values, not its cancellation), so a
// caller that gives up does not fail the others; each caller waits only as long as
// its own ctx allows.
func (m *Manager) obtain(ctx context.Context, stale string, why purpose) (Token, error) {
	key := "token"
	if why == passive {
		key = "refresh:" + stale
	}
	ch := m.group.DoChan(key, func() (any, error) {
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.s.fetchBudget+m.s.lockTTL)
		defer cancel()
		return m.load(lctx, stale, why)
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return Token{}, r.Err
		}
		return r.Val.(Token), nil
	case <-ctx.Done():
		return Token{}, fmt.Errorf("credential: waiting for %s: %w", m.key, ctx.Err())
	}
}

// load finds a usable token in the local copy or the store, or fetches one under
// the store's lock. A token is usable when it is valid, is not stale and, for a
// renewal, is not yet due itself.
func (m *Manager) load(ctx context.Context, stale string, why purpose) (Token, error) {
	usable := func(t Token) bool {
		now := m.s.now()
		if !t.Valid(now) || t.Value == stale {
			return false
		}
		return why != renew || now.Before(t.refreshAt(m.s.margin))
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
	if err != nil {
		if ctx.Err() != nil {
			return Token{}, fmt.Errorf("credential: waiting for the fetch lock of %s: %w", m.key, err)
		}
		// The store is down. A known token keeps being served; with none, fetching
		// without the lock is the only way to serve at all.
		m.storeFailed("lock", err)
		if t, ok := m.known(); ok && why != passive {
			m.s.logger.Warn("credential: serving the known token until the store is back", "credential", m.key, "expires_at", t.ExpiresAt)
			return t, nil
		}
		m.s.logger.Warn("credential: fetching without the store's lock; other servers sharing the store may fetch too", "credential", m.key)
		unlock = func() {}
	}
	defer unlock()
	if t, err := m.s.store.Get(ctx, m.key); err == nil && usable(t) {
		m.publish(t) // another process fetched while we waited for the lock
		return t, nil
	}
	if why == passive && m.bucket != nil {
		if ok, next := m.bucket.take(m.s.now()); !ok {
			m.st.refused.Add(1)
			m.s.logger.Warn("credential: passive refresh refused", "credential", m.key, "next_allowed", next)
			return Token{}, fmt.Errorf("credential: %s: %w (next allowed at %s); if every token is rejected, check that no other server fetches tokens for this AppID",
				m.key, ErrRefreshLimited, next.Format(time.RFC3339))
		}
	}
	return m.fetch(ctx, why == passive)
}

// fetch calls the Fetcher with bounded retries, then stores and publishes.
func (m *Manager) fetch(ctx context.Context, force bool) (Token, error) {
	var (
		value string
		life  time.Duration
		err   error
	)
	for attempt := 1; ; attempt++ {
		m.st.fetches.Add(1)
		value, life, err = m.fetcher.Fetch(ctx, force)
		if err == nil || attempt >= m.s.attempts || !wxhttp.Retryable(ctx, err) {
			break
		}
		m.s.logger.Warn("credential: fetch failed, retrying", "credential", m.key, "attempt", attempt, "err", err)
		if werr := backoff.Sleep(ctx, backoff.Jitter(m.s.backoff<<(attempt-1))); werr != nil {
			break
		}
	}
	if err != nil {
		m.failed(err)
		return Token{}, err
	}
	now := m.s.now()
	t := Token{Value: value, FetchedAt: now, ExpiresAt: now.Add(life)}
	if serr := m.s.store.Set(ctx, m.key, t); serr != nil {
		m.storeFailed("write", serr)
	}
	m.publish(t)
	m.succeeded()
	m.s.logger.Info("credential: fetched", "credential", m.key, "expires_in", life)
	return t, nil
}

// known returns the local token if it is still valid.
func (m *Manager) known() (Token, bool) { return validEntry(&m.cur, m.s.now()) }

// Current returns the token the Manager serves now and how long it has left by
// the Manager's clock, or "" and 0 when it knows no valid token. It does no I/O and
// never fetches; the token server answers expires_in with it.
func (m *Manager) Current() (value string, left time.Duration) {
	return current(&m.cur, m.s.now())
}

// validEntry returns the token in cur if it is valid at now.
func validEntry(cur *atomic.Pointer[entry], now time.Time) (Token, bool) {
	if e := cur.Load(); e != nil && e.tok.Valid(now) {
		return e.tok, true
	}
	return Token{}, false
}

// current is Current for a Manager or a Remote.
func current(cur *atomic.Pointer[entry], now time.Time) (string, time.Duration) {
	t, ok := validEntry(cur, now)
	if !ok {
		return "", 0
	}
	return t.Value, t.ExpiresAt.Sub(now)
}

// publish makes t the token the hot path serves, unless a newer one is there.
func (m *Manager) publish(t Token) {
	next := &entry{tok: t, refreshAt: t.refreshAt(m.s.margin)}
	for {
		old := m.cur.Load()
		if old != nil && old.tok.Value != t.Value && old.tok.FetchedAt.After(t.FetchedAt) {
			return
		}
		if m.cur.CompareAndSwap(old, next) {
			return
		}
	}
}
