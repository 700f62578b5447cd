package credential

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tidwall/gjson"
	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/internal/backoff"
	"github.com/wxkit/wechat/internal/wxhttp"
	"golang.org/x/sync/singleflight"
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
	maxRemoteReply   = 64 << 10
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
type Remote struct {
	s          settings
	tokenURL   string
	refreshURL string
	server     string // the base URL without credentials, for errors and logs
	auth       string // "Bearer <key>"

	cur     atomic.Pointer[entry]
	group   singleflight.Group
	renewal atomic.Bool
	failing atomic.Bool // the last ask failed

	mu        sync.Mutex // guards the fields below
	failures  int
	retryAt   time.Time
	lastErr   error
	lastErrAt time.Time

	requests, failed, cached atomic.Uint64
}

// NewRemote returns a Provider that gets the token from the central token server
// at baseURL (such as "http://tokens.internal:8080"), authenticating with key.
// Options that apply: WithHTTPClient, WithLogger, WithClock, WithRefreshMargin
// (default 1m here) and WithRetry; the others concern fetching from WeChat and are
// ignored. It does no I/O.
func NewRemote(baseURL, key string, opts ...Option) (*Remote, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return nil, fmt.Errorf("credential: the token server URL must be an absolute http(s) URL without a query, got %q", wxhttp.Redact(baseURL))
	}
	if len(key) < minKeyLen {
		return nil, fmt.Errorf("credential: the token server key must be at least %d bytes, got %d", minKeyLen, len(key))
	}
	s := defaults()
	s.margin = remoteMargin
	for _, o := range opts {
		o(&s)
	}
	if s.client == nil {
		s.client = defaults().client
	}
	s.attempts = max(s.attempts, 1)
	base := strings.TrimRight(u.String(), "/")
	return &Remote{
		s:          s,
		tokenURL:   base + PathServerToken,
		refreshURL: base + PathServerRefresh,
		server:     wxhttp.Redact(base),
		auth:       "Bearer " + key,
	}, nil
}

// Token returns the cached token while it is valid, asking the central server in
// the background once it is due; with no valid token it asks and waits, as long
// as ctx allows.
func (r *Remote) Token(ctx context.Context) (string, error) {
	if e := r.cur.Load(); e != nil {
		now := r.s.now()
		if now.Before(e.refreshAt) {
			return e.tok.Value, nil
		}
		if now.Before(e.tok.ExpiresAt) {
			if r.failing.Load() {
				r.cached.Add(1)
			}
			r.renewInBackground()
			return e.tok.Value, nil
		}
	}
	t, err := r.obtain(ctx, "")
	return t.Value, err
}

// Refresh reports that WeChat rejected stale. A cached token other than stale is
// returned at once; otherwise the central server is asked for a token other than
// stale (it fetches one if it has none).
func (r *Remote) Refresh(ctx context.Context, stale string) (string, error) {
	if e := r.cur.Load(); e != nil && e.tok.Value != stale && e.tok.Valid(r.s.now()) {
		return e.tok.Value, nil
	}
	t, err := r.obtain(ctx, stale)
	if err != nil {
		return "", err
	}
	if t.Value == stale {
		return "", fmt.Errorf("credential: central token server %s returned the rejected token again", r.server)
	}
	return t.Value, nil
}

// Current returns the cached token and how long it has left by the Remote's
// clock, or "" and 0 when none is valid. It does no I/O.
func (r *Remote) Current() (value string, left time.Duration) {
	return current(&r.cur, r.s.now())
}

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
	st := RemoteStats{Requests: r.requests.Load(), Failures: r.failed.Load(), ServedCached: r.cached.Load()}
	r.mu.Lock()
	if r.lastErr != nil {
		st.LastError, st.LastErrorAt = r.lastErr.Error(), r.lastErrAt
	}
	r.mu.Unlock()
	if e := r.cur.Load(); e != nil {
		st.ExpiresAt = e.tok.ExpiresAt
	}
	return st
}

// renewInBackground starts one ask unless one is under way or a failure's
// backoff lasts.
func (r *Remote) renewInBackground() {
	if r.backingOff() != nil || !r.renewal.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer r.renewal.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), remoteBudget)
		defer cancel()
		_, _ = r.obtain(ctx, "") // a failure is logged and counted by ask
	}()
}

// obtain runs one ask for all concurrent callers with the same stale token, on
// its own context (the first caller's values, not its cancellation); each caller
// waits as long as its ctx allows.
func (r *Remote) obtain(ctx context.Context, stale string) (Token, error) {
	if err := r.backingOff(); err != nil {
		return Token{}, err
	}
	ch := r.group.DoChan("ask:"+stale, func() (any, error) {
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), remoteBudget)
		defer cancel()
		return r.ask(actx, stale)
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return Token{}, res.Err
		}
		return res.Val.(Token), nil
	case <-ctx.Done():
		return Token{}, fmt.Errorf("credential: waiting for central token server %s: %w", r.server, ctx.Err())
	}
}

// ask gets a token from the central server with bounded retries and caches it.
func (r *Remote) ask(ctx context.Context, stale string) (Token, error) {
	if e := r.cur.Load(); e != nil && e.tok.Value != stale && r.s.now().Before(e.refreshAt) {
		return e.tok, nil // a flight that just ended already did the work
	}
	var (
		t     Token
		retry bool
		err   error
	)
	for attempt := 1; ; attempt++ {
		r.requests.Add(1)
		t, retry, err = r.send(ctx, stale)
		if err == nil || !retry || attempt >= r.s.attempts || ctx.Err() != nil {
			break
		}
		if backoff.Sleep(ctx, backoff.Jitter(r.s.backoff<<(attempt-1))) != nil {
			break
		}
	}
	if err != nil {
		r.fail(err)
		return Token{}, err
	}
	r.publish(t)
	r.mu.Lock()
	r.failures, r.retryAt = 0, time.Time{}
	r.mu.Unlock()
	r.failing.Store(false)
	return t, nil
}

// send makes one request. retry says whether another attempt may help.
func (r *Remote) send(ctx context.Context, stale string) (Token, bool, error) {
	method, target, body := http.MethodGet, r.tokenURL, []byte(nil)
	if stale != "" {
		method, target = http.MethodPost, r.refreshURL
		body, _ = json.Marshal(map[string]string{"stale": stale}) // cannot fail
	}
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		return Token{}, false, fmt.Errorf("credential: central token server %s: %w", r.server, err)
	}
	req.Header.Set("Authorization", r.auth)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := r.s.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its URL is ours; name the server once, redacted
		}
		return Token{}, ctx.Err() == nil, fmt.Errorf("credential: central token server %s unreachable: %w", r.server, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxRemoteReply))
	if err != nil {
		return Token{}, true, fmt.Errorf("credential: central token server %s: reading the answer: %w", r.server, err)
	}
	if resp.StatusCode == http.StatusOK {
		value, secs := gjson.GetBytes(raw, "access_token").String(), gjson.GetBytes(raw, "expires_in").Int()
		if value == "" || secs <= 0 {
			return Token{}, false, fmt.Errorf("credential: central token server %s: the answer has no access_token or expires_in", r.server)
		}
		now := r.s.now()
		return Token{Value: value, FetchedAt: now, ExpiresAt: now.Add(time.Duration(secs) * time.Second)}, false, nil
	}
	return Token{}, remoteRetryable(resp.StatusCode, raw), r.statusError(resp.StatusCode, raw)
}

// statusError explains a non-200 answer; a WeChat errcode in it is reachable
// with errors.As as a *wechat.Error.
func (r *Remote) statusError(status int, raw []byte) error {
	if status == http.StatusUnauthorized {
		return fmt.Errorf("credential: central token server %s refused the key (HTTP 401): give this server the token server's key", r.server)
	}
	code := gjson.GetBytes(raw, "errcode")
	if !code.Exists() {
		return fmt.Errorf("credential: central token server %s: HTTP %d %s", r.server, status, http.StatusText(status))
	}
	we := &wechat.Error{Code: int(code.Int()), Message: gjson.GetBytes(raw, "errmsg").String(), API: PathServerToken}
	return fmt.Errorf("credential: central token server %s: HTTP %d: %w", r.server, status, we)
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
	now := r.s.now()
	r.mu.Lock()
	r.failures++
	wait := min(remoteRetryFirst<<min(r.failures-1, 16), remoteRetryCap)
	r.retryAt = now.Add(backoff.Jitter(wait))
	r.lastErr, r.lastErrAt = err, now
	r.mu.Unlock()
	r.failing.Store(true)
	r.failed.Add(1)
	if e := r.cur.Load(); e != nil && e.tok.Valid(now) {
		r.s.logger.Warn("credential: central token server unreachable; serving the cached token until it expires",
			"server", r.server, "expires_at", e.tok.ExpiresAt, "err", err)
		return
	}
	r.s.logger.Error("credential: central token server unreachable and no valid cached token", "server", r.server, "err", err)
}

// backingOff returns an error while a failed ask's backoff lasts.
func (r *Remote) backingOff() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failures == 0 || !r.s.now().Before(r.retryAt) {
		return nil
	}
	return &BackoffError{Err: r.lastErr, Until: r.retryAt}
}

// publish caches t unless a newer token is there. A token that is already due
// (the server renewed late) is asked about again only after remoteRecheck.
func (r *Remote) publish(t Token) {
	refreshAt := t.refreshAt(r.s.margin)
	if floor := t.FetchedAt.Add(remoteRecheck); refreshAt.Before(floor) {
		refreshAt = floor
	}
	if refreshAt.After(t.ExpiresAt) {
		refreshAt = t.ExpiresAt
	}
	next := &entry{tok: t, refreshAt: refreshAt}
	for {
		old := r.cur.Load()
		if old != nil && old.tok.Value != t.Value && old.tok.FetchedAt.After(t.FetchedAt) {
			return
		}
		if r.cur.CompareAndSwap(old, next) {
			return
		}
	}
}
