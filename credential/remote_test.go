package credential_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

// tokenCluster is a central token server (a Manager on the fake) and Remotes
// asking it, all on the fake's clock and logging into one buffer.
type tokenCluster struct {
	fake    *wechattest.Server
	manager *credential.Manager
	central *central
	logs    *testutil.SyncBuffer
	logger  *slog.Logger
}

func newTokenCluster(t *testing.T) *tokenCluster {
	t.Helper()
	tc := &tokenCluster{fake: newFake(t)}
	tc.logger, tc.logs = testutil.Logger()
	tc.manager = newManager(t, tc.fake, credential.WithLogger(tc.logger))
	srv, err := credential.NewServer(tc.manager, serverKey, credential.WithLogger(tc.logger))
	if err != nil {
		t.Fatal(err)
	}
	tc.central = startCentral(t, srv)
	return tc
}

func (tc *tokenCluster) remote(t *testing.T, opts ...credential.RemoteOption) *credential.Remote {
	t.Helper()
	all := []credential.RemoteOption{credential.WithClock(tc.fake.Now), credential.WithLogger(tc.logger), credential.WithRetry(3, time.Millisecond)}
	r, err := credential.NewRemote(tc.central.URL(), serverKey, append(all, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	testutil.Shutdown(t, r)
	return r
}

func (tc *tokenCluster) logText() string { return tc.logs.String() }

// assertNoSecrets fails t if the logs or errs hold the key, the AppSecret or one
// of tokens.
func (tc *tokenCluster) assertNoSecrets(t *testing.T, tokens []string, errs ...error) {
	t.Helper()
	texts := map[string]string{"logs": tc.logText()}
	for i, err := range errs {
		texts["error "+string(rune('0'+i))] = errString(err)
	}
	for where, text := range texts {
		for _, secret := range append([]string{serverKey, tc.fake.AppSecret()}, tokens...) {
			if secret != "" && strings.Contains(text, secret) {
				t.Errorf("the %s hold the key, the AppSecret or a token", where)
			}
		}
	}
}

func TestRemotesShareOneFetch(t *testing.T) {
	t.Parallel()
	tc := newTokenCluster(t)
	tc.fake.SetLatency(pathToken, 20*time.Millisecond) // all remotes arrive during the fetch

	var remotes []*credential.Remote
	for range 8 {
		remotes = append(remotes, tc.remote(t))
	}
	const perRemote = 50
	var (
		wg     sync.WaitGroup
		start  = make(chan struct{})
		tokens = make([]string, len(remotes)*perRemote)
		errs   = make([]error, len(tokens))
	)
	for i := range tokens {
		r := remotes[i%len(remotes)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			tokens[i], errs[i] = r.Token(t.Context())
		}()
	}
	close(start)
	wg.Wait()
	for i := range tokens {
		if errs[i] != nil || tokens[i] != tokens[0] {
			t.Fatalf("caller %d: Token() error %v, same token as caller 0: %v", i, errs[i], tokens[i] == tokens[0])
		}
	}
	if got := tc.fake.Calls(pathToken); got != 1 {
		t.Errorf("upstream fetches = %d, want 1", got)
	}
	if got := tc.central.hits.Load(); got != int64(len(remotes)) {
		t.Errorf("requests to the central server = %d, want %d (one per remote: single flight)", got, len(remotes))
	}
	// Warm: answered from the cache, no request.
	for _, r := range remotes {
		if tok, err := r.Token(t.Context()); err != nil || tok != tokens[0] {
			t.Fatalf("warm Token() = %v", err)
		}
	}
	if got := tc.central.hits.Load(); got != int64(len(remotes)) {
		t.Errorf("requests after warm calls = %d, want still %d", got, len(remotes))
	}
	if exp := remotes[0].Stats().ExpiresAt; !exp.Equal(tc.fake.Now().Add(7200*time.Second)) && exp.Sub(tc.fake.Now()) < 7190*time.Second {
		t.Errorf("cached expiry %v from now, want about 7200s", exp.Sub(tc.fake.Now()))
	}
	tc.assertNoSecrets(t, tokens[:1])
}

// TestRemoteCentralOutage: the central server goes away. Remotes serve their
// cached token until it expires, then fail with an error naming the server; when
// it is back they recover.
func TestRemoteCentralOutage(t *testing.T) {
	t.Parallel()
	tc := newTokenCluster(t)
	var remotes []*credential.Remote
	for range 8 {
		remotes = append(remotes, tc.remote(t))
	}
	first, err := remotes[0].Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range remotes[1:] {
		if _, err := r.Token(t.Context()); err != nil {
			t.Fatal(err)
		}
	}

	tc.central.Stop()
	tc.fake.Advance(7200*time.Second - 30*time.Second) // inside the remotes' 1m margin, still valid
	for round := range 20 {
		for i, r := range remotes {
			tok, err := r.Token(t.Context())
			if err != nil || tok != first {
				t.Fatalf("round %d, remote %d during the outage: Token() = same %v, %v; want the cached token", round, i, tok == first, err)
			}
		}
	}
	for i, r := range remotes {
		waitFor(t, func() bool { return r.Stats().Failures > 0 }, "remote %d to notice the outage", i)
		if tok, err := r.Token(t.Context()); err != nil || tok != first { // served while the server is known to be away
			t.Fatalf("remote %d after the failure: Token() = %v, want the cached token", i, err)
		}
		if st := r.Stats(); st.ServedCached == 0 || !strings.Contains(st.LastError, tc.central.URL()) {
			t.Errorf("remote %d: Stats() = %+v, want ServedCached > 0 and LastError naming %s", i, st, tc.central.URL())
		}
	}
	if !strings.Contains(tc.logText(), "serving the cached token until it expires") {
		t.Error("the outage was not logged")
	}

	tc.fake.Advance(time.Minute) // the cached token has expired
	var failures []error
	for i, r := range remotes {
		tok, err := r.Token(t.Context())
		if err == nil {
			t.Fatalf("remote %d: Token() after expiry with the server down = a token, want an error", i)
		}
		if tok != "" || !strings.Contains(err.Error(), tc.central.URL()) {
			t.Errorf("remote %d: Token() = %q, %v; want an error naming the central server", i, tok, err)
		}
		failures = append(failures, err)
	}

	tc.central.Start()
	tc.fake.Advance(time.Minute) // past the remotes' backoff
	var renewed string
	for i, r := range remotes {
		tok, err := r.Token(t.Context())
		if err != nil || tok == "" || tok == first {
			t.Fatalf("remote %d after the server came back: Token() = %v (new token: %v)", i, err, tok != first)
		}
		if renewed == "" {
			renewed = tok
		}
		if tok != renewed {
			t.Errorf("remote %d got another token than remote 0", i)
		}
	}
	if !tc.fake.ValidToken(renewed) {
		t.Error("the renewed token is not valid on the platform")
	}
	if got := tc.fake.Calls(pathToken); got != 2 {
		t.Errorf("upstream fetches = %d, want 2", got)
	}
	tc.assertNoSecrets(t, []string{first, renewed}, failures...)
}

func TestRemoteRefresh(t *testing.T) {
	t.Parallel()
	tc := newTokenCluster(t)
	a, b := tc.remote(t), tc.remote(t)
	first, err := a.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Token(t.Context()); err != nil {
		t.Fatal(err)
	}
	hits := tc.central.hits.Load()

	tc.fake.RevokeTokens() // WeChat rejects first
	second, err := a.Refresh(t.Context(), first)
	if err != nil || second == first || !tc.fake.ValidToken(second) {
		t.Fatalf("a.Refresh(first) = new token %v, %v; want a new valid token", second != first, err)
	}
	if got := tc.fake.Calls(pathToken); got != 2 {
		t.Errorf("upstream fetches after a's refresh = %d, want 2", got)
	}
	// b reports the same stale token: the central server already has a newer one.
	if got, err := b.Refresh(t.Context(), first); err != nil || got != second {
		t.Errorf("b.Refresh(first) = same as a's %v, %v", got == second, err)
	}
	if got := tc.fake.Calls(pathToken); got != 2 {
		t.Errorf("upstream fetches after b's refresh = %d, want still 2", got)
	}
	// a already holds a token other than first: no request at all.
	before := tc.central.hits.Load()
	if got, err := a.Refresh(t.Context(), first); err != nil || got != second {
		t.Errorf("a.Refresh(first) again = %v", err)
	}
	if tc.central.hits.Load() != before {
		t.Error("a.Refresh with an already replaced token asked the central server")
	}
	if got := tc.central.hits.Load() - hits; got != 2 {
		t.Errorf("refresh requests = %d, want 2", got)
	}
}

// TestRemoteThroughAPICall: WeChat kills the token; the API core's one refresh
// goes through the Remote to the central server, and the call succeeds.
func TestRemoteThroughAPICall(t *testing.T) {
	t.Parallel()
	tc := newTokenCluster(t)
	oa, err := officialaccount.New(officialaccount.Config{
		AppID: tc.fake.AppID(), BaseURL: tc.fake.URL(), HTTPClient: tc.fake.Client(), Credential: tc.remote(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := oa.GetJSON(t.Context(), wechattest.PathAPIDomainIP, nil, nil); err != nil {
		t.Fatal(err)
	}
	tc.fake.RevokeTokens()
	if err := oa.GetJSON(t.Context(), wechattest.PathAPIDomainIP, nil, nil); err != nil {
		t.Fatalf("API call after the token was revoked: %v", err)
	}
	if got := tc.fake.Calls(pathToken); got != 2 {
		t.Errorf("upstream fetches = %d, want 2", got)
	}
}

func TestRemoteErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		handler      http.HandlerFunc
		wantRequests int
		wantCode     int    // wechat.Code(err)
		wantText     string // in the error
	}{
		{"wrong key: not retried", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(401)
			_, _ = w.Write([]byte(`{"errcode":40001,"errmsg":"invalid credential"}`))
		}, 1, wechat.CodeNotWeChat, "refused the key"}, // never a 40001 *wechat.Error: that would mean "refresh"
		{"WeChat refused at the server: its errcode, not retried", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(502)
			_, _ = w.Write([]byte(`{"errcode":40164,"errmsg":"invalid ip 10.0.0.1"}`))
		}, 1, wechat.CodeIPNotInWhitelist, "HTTP 502"},
		{"server busy: retried", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(503)
			_, _ = w.Write([]byte(`{"errcode":-1,"errmsg":"system error"}`))
		}, 3, wechat.CodeSystemBusy, "HTTP 503"},
		{"not JSON: retried", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "bad gateway", http.StatusBadGateway)
		}, 3, wechat.CodeNotWeChat, "HTTP 502"},
		{"answer without a token", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"expires_in":7200}`))
		}, 1, wechat.CodeNotWeChat, "no access_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := startCentral(t, tt.handler)
			r, err := credential.NewRemote(c.URL()+"/", serverKey, credential.WithRetry(3, time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			_, err = r.Token(t.Context())
			if err == nil {
				t.Fatal("Token() succeeded")
			}
			if got := c.hits.Load(); got != int64(tt.wantRequests) {
				t.Errorf("requests = %d, want %d", got, tt.wantRequests)
			}
			if wechat.Code(err) != tt.wantCode {
				t.Errorf("errcode = %d, want %d (%v)", wechat.Code(err), tt.wantCode, err)
			}
			if !strings.Contains(err.Error(), tt.wantText) || !strings.Contains(err.Error(), c.URL()) || strings.Contains(err.Error(), serverKey) {
				t.Errorf("error %q: want %q and the server's URL, without the key", err, tt.wantText)
			}
			// The failure is not repeated at once: the next call gets it back
			// without a request.
			if _, err := r.Token(t.Context()); err == nil || c.hits.Load() != int64(tt.wantRequests) {
				t.Errorf("second Token() = %v after %d requests; want the error again without a request", err, c.hits.Load())
			}
			var be *credential.BackoffError
			if _, err := r.Token(t.Context()); !errors.As(err, &be) {
				t.Errorf("Token() during the backoff: %v, want a *BackoffError", err)
			}
		})
	}
}

func TestRemoteWaitsOnlyAsLongAsCtx(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	c := startCentral(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer close(release)
	r, err := credential.NewRemote(c.URL(), serverKey)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := r.Token(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Token() = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Token() returned after %v", d)
	}
}

func TestNewRemoteRejects(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, url, key string }{
		{"relative URL", "tokens.internal:8080", serverKey},
		{"no host", "http://", serverKey},
		{"ftp", "ftp://tokens.internal", serverKey},
		{"query", "http://tokens.internal/?x=1", serverKey},
		{"short key", "http://tokens.internal", "short"},
	}
	for _, tt := range tests {
		if _, err := credential.NewRemote(tt.url, tt.key); err == nil {
			t.Errorf("%s: NewRemote(%q) succeeded", tt.name, tt.url)
		}
	}
}

// BenchmarkTokenRemote is a Remote's hot path: a warm cache, no request.
func BenchmarkTokenRemote(b *testing.B) {
	fake := wechattest.NewServer()
	defer fake.Close()
	m := credential.New(fake.AppID(), fake.AppSecret(), credential.WithBaseURL(fake.URL()), credential.WithHTTPClient(fake.Client()))
	defer m.Shutdown(context.Background())
	srv, err := credential.NewServer(m, serverKey)
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	r, err := credential.NewRemote(ts.URL, serverKey)
	if err != nil {
		b.Fatal(err)
	}
	ctx := b.Context()
	if _, err := r.Token(ctx); err != nil {
		b.Fatal(err)
	}
	before := r.Stats().Requests
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := r.Token(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	if n := r.Stats().Requests - before; n != 0 {
		b.Errorf("%d requests to the central server on the hot path, want 0", n)
	}
}

// TestNewRemoteWarnsOnPlainHTTP: the key and tokens would cross the network in
// the clear: NewRemote says so once, except on this machine.
func TestNewRemoteWarnsOnPlainHTTP(t *testing.T) {
	t.Parallel()
	for url, warn := range map[string]bool{
		"http://tokens.internal:8080": true, "http://10.0.0.5": true,
		"https://tokens.internal": false, "http://127.0.0.1:8080": false, "http://localhost:8080": false, "http://[::1]:8080": false,
	} {
		logger, logs := testutil.Logger()
		if _, err := credential.NewRemote(url, serverKey, credential.WithLogger(logger)); err != nil {
			t.Fatal(err)
		}
		if got := strings.Count(logs.String(), "plain http://"); got != map[bool]int{true: 1, false: 0}[warn] {
			t.Errorf("NewRemote(%s): warned %d times, want warn=%v", url, got, warn)
		}
	}
}

// TestRemoteHugeExpiresIn: an expires_in past time.Duration's range is clamped.
func TestRemoteHugeExpiresIn(t *testing.T) {
	t.Parallel()
	c := startCentral(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"access_token":"tok","expires_in":10000000000}`))
	}))
	r, err := credential.NewRemote(c.URL(), serverKey)
	if err != nil {
		t.Fatal(err)
	}
	testutil.Shutdown(t, r)
	for range 1000 {
		if _, err := r.Token(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.hits.Load(); n != 1 {
		t.Errorf("1000 Token calls made %d requests, want 1", n)
	}
}

// TestRemoteRenewsInBackground: inside its margin a Remote answers from its
// cache at once and asks the central server in the background.
func TestRemoteRenewsInBackground(t *testing.T) {
	t.Parallel()
	var (
		asks    atomic.Int32
		release = make(chan struct{})
	)
	c := startCentral(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if asks.Add(1) == 1 {
			_, _ = w.Write([]byte(`{"access_token":"first","expires_in":7200}`))
			return
		}
		<-release // the renewal is held while the caller is served
		_, _ = w.Write([]byte(`{"access_token":"second","expires_in":7200}`))
	}))
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	r, err := credential.NewRemote(c.URL(), serverKey, credential.WithClock(func() time.Time { return time.Unix(0, clock.Load()) }))
	if err != nil {
		t.Fatal(err)
	}
	testutil.Shutdown(t, r)
	if tok, err := r.Token(t.Context()); err != nil || tok != "first" {
		t.Fatalf("Token() = %q, %v", tok, err)
	}
	clock.Add(int64(7200*time.Second - 30*time.Second)) // inside the 1-minute margin
	if tok, err := r.Token(t.Context()); err != nil || tok != "first" {
		t.Fatalf("Token() in the margin = %q, %v; want the cached token at once", tok, err)
	}
	waitFor(t, func() bool { return asks.Load() == 2 }, "the background ask")
	close(release)
	waitFor(t, func() bool { v, _ := r.Current(); return v == "second" }, "the renewed token")
}

// TestRemoteRefreshErrorNamesItsPath: a refusal of POST /token/refresh is
// reported as that call's, not as GET /token's, so that an operator reading the
// error looks at the right endpoint.
func TestRemoteRefreshErrorNamesItsPath(t *testing.T) {
	t.Parallel()
	c := startCentral(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte(`{"errcode":40164,"errmsg":"invalid ip 10.0.0.1"}`))
	}))
	r, err := credential.NewRemote(c.URL(), serverKey, credential.WithRetry(1, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Refresh(t.Context(), "stale-token")
	var we *wechat.Error
	if !errors.As(err, &we) || we.Code != wechat.CodeIPNotInWhitelist || we.API != credential.PathServerRefresh {
		t.Fatalf("Refresh = %v; want a 40164 *wechat.Error of %s", err, credential.PathServerRefresh)
	}
}
