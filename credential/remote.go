package credential

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/tidwall/gjson"
	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/internal/backoff"
	"github.com/wxkit/wechat/internal/central"
)

// Remote defaults. A Remote renews a minute before expiry: later than a Manager
// (five minutes), so that the central server has normally renewed by then, and
// WeChat keeps the old token working until its own expiry.
const (
	remoteMargin     = time.Minute
	remoteRecheck    = 10 * time.Second // least time between asks while a token is due
	remoteBudget     = 30 * time.Second // one ask, retries included
	remoteRetryFirst = 500 * time.Millisecond
	remoteRetryCap   = 10 * time.Second
)

// Remote is the Provider of a business server in a cluster whose access_token is
// owned by a central token server (see Server): it asks the server instead of
// fetching from WeChat, so it needs no AppSecret and never knocks out anyone's
// token. It is safe for concurrent use.
//
//   - Token answers from its cache, with no I/O and no allocation, until shortly
//     before the expires_in the server gave (one minute, WithRefreshMargin); then
//     it asks again in the background while still serving the cached token.
//   - Concurrent asks are single-flighted; Refresh passes the rejected token to
//     POST /token/refresh.
//   - A failed ask is retried (WithRetry: 3 attempts, backoff from 200ms with
//     jitter) within the caller's context. While the server cannot be reached the
//     cached token keeps being served until it expires (logged, and counted in
//     Stats().ServedCached); after that Token fails with an error naming the
//     server, and asks again at most every few seconds until it answers.
//
// Start runs a refresher that keeps the cache warm on a schedule (WithSchedule);
// Shutdown stops it and waits for the asks under way. A Remote shares its caching
// with the Manager: the same core serves both.
type Remote struct {
	core
	central  *central.Client
	attempts int
	backoff  time.Duration
	server   string // the base URL without credentials, for errors and logs

	requests, failures atomic.Uint64
}

// NewRemote returns a Provider that gets the token from the central token server
// at baseURL (such as "http://tokens.internal:8080"), authenticating with key.
// It does no I/O.
func NewRemote(baseURL, key string, opts ...RemoteOption) (*Remote, error) {
	s := defaults()
	s.margin = remoteMargin
	for _, o := range opts {
		if o != nil {
			o.applyRemote(&s)
		}
	}
	s.fill()
	c, err := central.New("credential", baseURL, key, s.client)
	if err != nil {
		return nil, err
	}
	if c.PlainHTTPToAnotherHost() {
		s.logger.Warn("credential: the token server URL is plain http:// to another machine: the key and every token cross the network unencrypted; use https:// (or a private, trusted link)",
			"server", c.Server())
	}
	r := &Remote{central: c, attempts: s.attempts, backoff: s.backoff, server: c.Server()}
	r.core.init(&s)
	r.core.name = "central token server " + r.server
	r.core.budget = remoteBudget
	r.core.recheck = remoteRecheck
	r.core.load = r.ask
	return r, nil
}

// Token returns the cached token while it is valid, asking the central server in
// the background once it is due; with no valid token it asks and waits, as long
// as ctx allows.
func (r *Remote) Token(ctx context.Context) (string, error) { return r.core.token(ctx) }

// Refresh reports that WeChat rejected stale. A cached token other than stale is
// returned at once; otherwise the central server is asked for a token other than
// stale (it fetches one if it has none).
func (r *Remote) Refresh(ctx context.Context, stale string) (string, error) {
	return r.core.refresh(ctx, stale)
}

// Start runs the refresher: on the schedule set by WithSchedule (default every
// minute) it asks the central server once the cached token is due, so that the
// cache stays warm on a server that calls no API for a while. It checks once right
// away. Start returns an error for a bad schedule, a second Start, or a Start
// after Shutdown.
func (r *Remote) Start() error { return r.core.start() }

// Shutdown stops the refresher and waits for the asks under way, or for ctx to
// end: then it cancels them and returns ctx's error. Token and Refresh keep
// working afterwards, asking on demand. It is safe to call more than once.
func (r *Remote) Shutdown(ctx context.Context) error { return r.core.shutdown(ctx) }

// Current returns the cached token and how long it has left by the Remote's
// clock, or "" and 0 when none is valid. It does no I/O.
func (r *Remote) Current() (value string, left time.Duration) { return r.core.current() }

// RemoteStats are a Remote's counters, for logs and metrics.
type RemoteStats struct {
	Requests     uint64    // requests sent to the central server, retries included
	Failures     uint64    // asks that failed after their retries
	ServedCached uint64    // tokens served from the cache, past their renewal time, while the server could not be reached
	LastError    string    // the last failure, "" if none (never holds the key or a token)
	LastErrorAt  time.Time // when it happened
	ExpiresAt    time.Time // expiry of the cached token; zero when none
}

// Stats returns a snapshot of the counters.
func (r *Remote) Stats() RemoteStats {
	st := RemoteStats{
		Requests:     r.requests.Load(),
		Failures:     r.failures.Load(),
		ServedCached: r.servedDue.Load(),
		ExpiresAt:    r.expiresAt(),
	}
	st.LastError, st.LastErrorAt = r.lastError()
	return st
}

// ask gets a token from the central server with bounded retries and caches it:
// the Remote's load. A renewal or a refresh asks only if the cached token is
// still the one to replace.
func (r *Remote) ask(ctx context.Context, stale string, why purpose) (Token, error) {
	if e := r.cur.Load(); e != nil && e.tok.Value != stale && r.now().Before(e.refreshAt) {
		return e.tok, nil // a flight that just ended already did the work
	}
	if err := r.backingOff(); err != nil {
		return Token{}, err
	}
	if why != passive {
		stale = "" // a renewal asks for the current token: GET /token
	}
	var t Token
	err := backoff.Retry(ctx, r.attempts, r.backoff, func(int) (retry bool, err error) {
		r.requests.Add(1)
		t, retry, err = r.send(ctx, stale)
		return retry, err
	})
	if err != nil {
		r.fail(err)
		return Token{}, err
	}
	r.publish(t)
	r.recordSuccess()
	return t, nil
}

// send makes one request. retry says whether another attempt may help.
func (r *Remote) send(ctx context.Context, stale string) (Token, bool, error) {
	method, path, body := http.MethodGet, PathServerToken, []byte(nil)
	if stale != "" {
		method, path = http.MethodPost, PathServerRefresh
		body, _ = json.Marshal(map[string]string{"stale": stale}) // cannot fail
	}
	status, raw, err := r.central.Do(ctx, method, path, body)
	if err != nil {
		return Token{}, ctx.Err() == nil, err
	}
	if status == http.StatusOK {
		value, secs := gjson.GetBytes(raw, "access_token").String(), gjson.GetBytes(raw, "expires_in").Int()
		if value == "" || secs <= 0 {
			return Token{}, false, fmt.Errorf("credential: central token server %s: the answer has no access_token or expires_in", r.server)
		}
		now := r.now()
		return Token{Value: value, FetchedAt: now, ExpiresAt: now.Add(lifetime(secs))}, false, nil
	}
	return Token{}, remoteRetryable(status, raw), r.central.StatusError(status, raw, path)
}

// remoteRetryable: 5xx answers are retried unless they carry a WeChat errcode
// other than -1 (busy), which needs a person (40164, say), not another attempt.
func remoteRetryable(status int, raw []byte) bool {
	if status < 500 {
		return false
	}
	code := gjson.GetBytes(raw, "errcode")
	return !code.Exists() || code.Int() == wechat.CodeSystemBusy
}

// fail records a failed ask: a backoff before the next one, a log line, a count.
func (r *Remote) fail(err error) {
	r.recordFailure(err, func(failures int) time.Duration {
		return backoff.Jitter(backoff.Doubled(remoteRetryFirst, remoteRetryCap, failures))
	})
	r.failures.Add(1)
	if t, ok := r.known(); ok {
		r.logger.Warn("credential: central token server unreachable; serving the cached token until it expires",
			"server", r.server, "expires_at", t.ExpiresAt, "err", err)
		return
	}
	r.logger.Error("credential: central token server unreachable and no valid cached token", "server", r.server, "err", err)
}
