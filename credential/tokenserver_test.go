package credential_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
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
	"github.com/wxkit/wechat/wechattest"
)

const serverKey = "test-key-0123456789abcdef"

// serverReply is what the token server answers, success or error.
type serverReply struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
	ErrCode     int    `json:"errcode"`
	ErrMsg      string `json:"errmsg"`
}

func serve(t *testing.T, h http.Handler, method, path, auth, body string) (int, serverReply, http.Header) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var got serverReply
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("%s %s: answer is not JSON: %q", method, path, rec.Body.String())
	}
	return rec.Code, got, rec.Header()
}

func TestServerProtocol(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	logger, logs := testutil.Logger()
	m := newManager(t, fake, credential.WithLogger(logger))
	srv, err := credential.NewServer(m, serverKey, credential.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	first, err := m.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	fake.Advance(1000 * time.Second)
	bearer := "Bearer " + serverKey

	tests := []struct {
		name, method, path, auth, body string
		wantStatus, wantCode           int
		wantToken                      string // "first", "new" or ""
		wantExpiresIn                  int    // 0: not checked
	}{
		{"token", http.MethodGet, "/token", bearer, "", 200, 0, "first", 6200},
		{"no key", http.MethodGet, "/token", "", "", 401, wechat.CodeInvalidCredential, "", 0},
		{"wrong key", http.MethodGet, "/token", "Bearer " + serverKey + "x", "", 401, wechat.CodeInvalidCredential, "", 0},
		{"key without Bearer", http.MethodGet, "/token", serverKey, "", 401, wechat.CodeInvalidCredential, "", 0},
		{"bearer in lower case (RFC 7235)", http.MethodGet, "/token", "bearer " + serverKey, "", 200, 0, "first", 6200},
		{"BEARER, two spaces", http.MethodGet, "/token", "BEARER  " + serverKey, "", 200, 0, "first", 6200},
		{"Basic scheme", http.MethodGet, "/token", "Basic " + serverKey, "", 401, wechat.CodeInvalidCredential, "", 0},
		{"POST /token", http.MethodPost, "/token", bearer, "", 405, wechat.CodeGETRequired, "", 0},
		{"GET /token/refresh", http.MethodGet, "/token/refresh", bearer, "", 405, wechat.CodePOSTRequired, "", 0},
		{"unknown path", http.MethodGet, "/tokens", bearer, "", 404, wechat.CodeInvalidURL, "", 0},
		{"refresh without stale", http.MethodPost, "/token/refresh", bearer, `{}`, 400, wechat.CodeBodyUnparsable, "", 0},
		{"refresh with a bad body", http.MethodPost, "/token/refresh", bearer, `stale=x`, 400, wechat.CodeBodyUnparsable, "", 0},
		{"refresh without key", http.MethodPost, "/token/refresh", "", `{"stale":"x"}`, 401, wechat.CodeInvalidCredential, "", 0},
		{"refresh of an older token: no fetch", http.MethodPost, "/token/refresh", bearer, `{"stale":"some-older-token"}`, 200, 0, "first", 6200},
	}
	for _, tt := range tests {
		status, got, hdr := serve(t, srv, tt.method, tt.path, tt.auth, tt.body)
		if status != tt.wantStatus || got.ErrCode != tt.wantCode {
			t.Errorf("%s: %s %s = HTTP %d errcode %d (%s), want HTTP %d errcode %d", tt.name, tt.method, tt.path, status, got.ErrCode, got.ErrMsg, tt.wantStatus, tt.wantCode)
		}
		if tt.wantToken == "first" && got.AccessToken != first {
			t.Errorf("%s: access_token is not the Manager's token", tt.name)
		}
		if tt.wantToken == "" && got.AccessToken != "" {
			t.Errorf("%s: an error answer carries a token", tt.name)
		}
		if tt.wantExpiresIn != 0 && (got.ExpiresIn < tt.wantExpiresIn-1 || got.ExpiresIn > tt.wantExpiresIn) {
			t.Errorf("%s: expires_in = %d, want %d", tt.name, got.ExpiresIn, tt.wantExpiresIn)
		}
		if status == 401 && hdr.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: 401 without WWW-Authenticate", tt.name)
		}
		if cc := hdr.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control = %q, want no-store", tt.name, cc)
		}
	}
	if got := fake.Calls(pathToken); got != 1 {
		t.Errorf("upstream fetches = %d, want 1: nothing above needs a new token", got)
	}

	// A refresh naming the current token while WeChat still accepts it: the same
	// token, no fetch, the limit untouched.
	passive := m.Stats().PassiveRefreshes
	for range 10 {
		status, got, _ := serve(t, srv, http.MethodPost, "/token/refresh", bearer, `{"stale":"`+first+`"}`)
		if status != 200 || got.AccessToken != first {
			t.Fatalf("refresh of a token WeChat accepts: HTTP %d, same token %v", status, got.AccessToken == first)
		}
	}
	if n := fake.Calls(pathToken); n != 1 || m.Stats().PassiveRefreshes != passive {
		t.Errorf("fetches = %d, passive refreshes = %d after claims about a good token; want 1 and %d", n, m.Stats().PassiveRefreshes, passive)
	}
	if n := fake.Calls(wechattest.PathAPIDomainIP); n != 10 {
		t.Errorf("checks with WeChat = %d, want 10", n)
	}

	// WeChat rejects it now: a refresh naming it fetches a new one.
	fake.RevokeTokens()
	status, got, _ := serve(t, srv, http.MethodPost, "/token/refresh", bearer, `{"stale":"`+first+`"}`)
	if status != 200 || got.AccessToken == "" || got.AccessToken == first || !fake.ValidToken(got.AccessToken) {
		t.Errorf("refresh of the current token: HTTP %d, new token %v", status, got.AccessToken != first)
	}
	if got.ExpiresIn != 7200 && got.ExpiresIn != 7199 {
		t.Errorf("refresh: expires_in = %d, want 7200", got.ExpiresIn)
	}
	if n := fake.Calls(pathToken); n != 2 {
		t.Errorf("upstream fetches after the refresh = %d, want 2", n)
	}
	for _, secret := range []string{serverKey, first, got.AccessToken, fake.AppSecret()} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the logs hold the key, a token or the AppSecret:\n%s", logs.String())
		}
	}
	if !strings.Contains(logs.String(), "without a valid key") {
		t.Error("rejected requests were not logged")
	}
}

// TestServerRefreshNeedsWeChatsWord: callers naming the current token as stale
// while WeChat still accepts it cost no fetch and no part of the passive-refresh
// limit, so that when the token really dies every server recovers.
func TestServerRefreshNeedsWeChatsWord(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	m := newManager(t, fake)
	srv, err := credential.NewServer(m, serverKey)
	if err != nil {
		t.Fatal(err)
	}
	first, err := m.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	bearer := "Bearer " + serverKey
	for range 10 { // a buggy client
		if status, got, _ := serve(t, srv, http.MethodPost, "/token/refresh", bearer, `{"stale":"`+first+`"}`); status != 200 || got.AccessToken != first {
			t.Fatalf("HTTP %d, same token %v", status, got.AccessToken == first)
		}
	}
	// Another party really replaces the token; its grace ends.
	fake.IssueToken()
	fake.Advance(5*time.Minute + time.Second)
	var (
		wg     sync.WaitGroup
		tokens = make([]string, 50)
		codes  = make([]int, 50)
	)
	for i := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, got, _ := serve(t, srv, http.MethodPost, "/token/refresh", bearer, `{"stale":"`+first+`"}`)
			codes[i], tokens[i] = status, got.AccessToken
		}()
	}
	wg.Wait()
	for i := range tokens {
		if codes[i] != 200 || tokens[i] == first || !fake.ValidToken(tokens[i]) {
			t.Fatalf("genuine refresh %d: HTTP %d, a new valid token: %v", i, codes[i], tokens[i] != first && fake.ValidToken(tokens[i]))
		}
	}
	if n := fake.Calls(pathToken); n != 2 {
		t.Errorf("upstream fetches = %d, want 2", n)
	}
}

func TestServerProviderErrors(t *testing.T) {
	t.Parallel()
	bearer := "Bearer " + serverKey
	tests := []struct {
		name       string
		setup      func(fake *wechattest.Server) credential.Provider
		path, body string
		wantStatus int
		wantCode   int
	}{
		{"WeChat refuses: its errcode, 502", func(fake *wechattest.Server) credential.Provider {
			fake.FailNext(pathToken, 1, wechat.CodeIPNotInWhitelist)
			return credential.New(fake.AppID(), fake.AppSecret(), append(fake.CredentialOptions(), credential.WithRetry(1, 0))...)
		}, "/token", "", 502, wechat.CodeIPNotInWhitelist},
		{"other failure: -1, 503, nothing leaked", func(*wechattest.Server) credential.Provider {
			return stubProvider{err: errors.New("dial redis://:hunter2@db: refused")}
		}, "/token", "", 503, wechat.CodeSystemBusy},
		{"refresh limit: 45011, 429", func(fake *wechattest.Server) credential.Provider {
			m := credential.New(fake.AppID(), fake.AppSecret(), append(fake.CredentialOptions(), credential.WithRefreshLimit(1, time.Hour))...)
			if tok, err := m.Token(context.Background()); err == nil {
				_, _ = m.Refresh(context.Background(), tok) // spends the one passive refresh
			}
			fake.RevokeTokens() // WeChat rejects the current one too
			return m
		}, "/token/refresh", `{"stale":"CURRENT"}`, 429, wechat.CodeMinuteQuotaLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t)
			p := tt.setup(fake)
			srv, err := credential.NewServer(p, serverKey)
			if err != nil {
				t.Fatal(err)
			}
			method, body := http.MethodGet, tt.body
			if body != "" {
				method = http.MethodPost
				if m, ok := p.(*credential.Manager); ok {
					cur, _ := m.Current()
					body = strings.ReplaceAll(body, "CURRENT", cur)
				}
			}
			status, got, _ := serve(t, srv, method, tt.path, bearer, body)
			if status != tt.wantStatus || got.ErrCode != tt.wantCode {
				t.Errorf("HTTP %d errcode %d (%s), want HTTP %d errcode %d", status, got.ErrCode, got.ErrMsg, tt.wantStatus, tt.wantCode)
			}
			if strings.Contains(got.ErrMsg, "hunter2") || strings.Contains(got.ErrMsg, "redis") {
				t.Errorf("errmsg leaks the provider's error: %q", got.ErrMsg)
			}
		})
	}
}

func TestServerProviderWithoutExpiry(t *testing.T) {
	t.Parallel()
	srv, err := credential.NewServer(stubProvider{token: "tok"}, serverKey)
	if err != nil {
		t.Fatal(err)
	}
	status, got, _ := serve(t, srv, "GET", "/token", "Bearer "+serverKey, "")
	if status != 200 || got.AccessToken != "tok" || got.ExpiresIn != 300 {
		t.Errorf("HTTP %d %+v, want the token with expires_in 300", status, got)
	}
}

func TestNewServerRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    credential.Provider
		key  string
	}{
		{"no provider", nil, serverKey},
		{"empty key", stubProvider{}, ""},
		{"short key", stubProvider{}, "0123456789abcde"},
	}
	for _, tt := range tests {
		if _, err := credential.NewServer(tt.p, tt.key); err == nil {
			t.Errorf("%s: NewServer succeeded", tt.name)
		} else if tt.key != "" && strings.Contains(err.Error(), tt.key) {
			t.Errorf("%s: the error quotes the key: %v", tt.name, err)
		}
	}
}

type stubProvider struct {
	token string
	err   error
}

func (p stubProvider) Token(context.Context) (string, error)           { return p.token, p.err }
func (p stubProvider) Refresh(context.Context, string) (string, error) { return p.token, p.err }

// central runs a token server on a fixed loopback address that can be stopped
// (connections refused) and started again.
type central struct {
	t    *testing.T
	addr string
	h    http.Handler
	hits atomic.Int64

	mu  sync.Mutex
	srv *http.Server
}

func startCentral(t *testing.T, h http.Handler) *central {
	t.Helper()
	c := &central{t: t, h: h}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.addr = ln.Addr().String()
	c.serve(ln)
	t.Cleanup(c.Stop)
	return c
}

func (c *central) URL() string { return "http://" + c.addr }

func (c *central) serve(ln net.Listener) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.hits.Add(1)
		c.h.ServeHTTP(w, r)
	})}
	go func() { _ = c.srv.Serve(ln) }()
}

func (c *central) Stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.srv != nil {
		_ = c.srv.Close()
		c.srv = nil
	}
}

func (c *central) Start() {
	c.t.Helper()
	var (
		ln  net.Listener
		err error
	)
	for range 50 {
		if ln, err = net.Listen("tcp", c.addr); err == nil {
			c.serve(ln)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.t.Fatalf("restarting the token server on %s: %v", c.addr, err)
}

// TestServerRefreshCheckIsBounded: the check of a token reported as rejected
// (does WeChat still take it?) waits no longer than its caller: a WeChat that
// does not answer the check, behind a client without a timeout, neither holds
// the request for ever nor costs a passive refresh for a caller that has gone.
func TestServerRefreshCheckIsBounded(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	base := fake.Client().Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hangs := &http.Client{Transport: testutil.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.URL.Path == wechattest.PathAPIDomainIP {
			select {
			case <-r.Context().Done():
				return nil, r.Context().Err()
			case <-release:
				return nil, errors.New("released")
			}
		}
		return base.RoundTrip(r)
	})}
	m := newManager(t, fake, credential.WithHTTPClient(hangs))
	srv, err := credential.NewServer(m, serverKey)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := m.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, credential.PathServerRefresh, strings.NewReader(`{"stale":"`+tok+`"}`))
	req.Header.Set("Authorization", "Bearer "+serverKey)
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.ServeHTTP(httptest.NewRecorder(), req)
	}()
	select {
	case <-done:
	case <-time.After(testutil.WaitTimeout):
		t.Fatal("POST /token/refresh still waits for WeChat's answer to the check after its caller gave up")
	}
	if err := m.Shutdown(t.Context()); err != nil { // waits for the fetches under way
		t.Fatal(err)
	}
	if n := fake.Calls(pathToken); n != 1 {
		t.Errorf("upstream fetches = %d, want 1: no refresh for a caller that has gone", n)
	}
}
