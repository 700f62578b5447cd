package credential_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
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

const pathToken = "/cgi-bin/token"

// newManager returns a Manager on fake's account and clock.
func newManager(t *testing.T, fake *wechattest.Server, opts ...credential.Option) *credential.Manager {
	t.Helper()
	m := credential.New(fake.AppID(), fake.AppSecret(), append(fake.CredentialOptions(), opts...)...)
	testutil.Shutdown(t, m)
	return m
}

func newFake(t *testing.T, opts ...wechattest.Option) *wechattest.Server {
	t.Helper()
	fake := wechattest.NewServer(opts...)
	t.Cleanup(fake.Close)
	return fake
}

// TestExpiryUnderLoad moves the clock into the refresh margin several times while
// 50 goroutines call an API. Each renewal is held open on the platform until the
// callers have made hundreds more calls: none may wait for it, and none may fail.
func TestExpiryUnderLoad(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	m := newManager(t, fake)
	oa := newOA(t, fake, m)
	if err := oa.GetJSON(t.Context(), wechattest.PathAPIDomainIP, nil, nil); err != nil {
		t.Fatal(err)
	}

	ctx, stop := context.WithCancel(t.Context())
	var (
		wg       sync.WaitGroup
		calls    atomic.Int64
		mu       sync.Mutex
		failures []error
	)
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				// A caller that waited for the held renewal would hit this deadline.
				cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
				err := oa.GetJSON(cctx, wechattest.PathAPIDomainIP, nil, nil)
				cancel()
				calls.Add(1)
				if err != nil && ctx.Err() == nil {
					mu.Lock()
					failures = append(failures, err)
					mu.Unlock()
				}
			}
		}()
	}
	const refreshes = 4
	for i := range refreshes {
		before := m.Stats().ExpiresAt
		resume := fake.Pause(pathToken)
		t.Cleanup(resume)                              // runs before fake.Close if the test fails while held
		fake.Advance(7200*time.Second - 2*time.Minute) // inside the 5-minute margin, still valid
		waitFor(t, func() bool { return fake.Calls(pathToken) == 2+i }, "renewal %d to reach the platform", i+1)
		held := calls.Load()
		waitFor(t, func() bool { return calls.Load() >= held+500 }, "callers to get through while renewal %d is held", i+1)
		resume()
		waitFor(t, func() bool { return m.Stats().ExpiresAt.After(before) }, "renewal %d", i+1)
	}
	stop()
	wg.Wait()

	if len(failures) > 0 {
		t.Fatalf("%d of %d calls failed; first: %v", len(failures), calls.Load(), failures[0])
	}
	if got := fake.Calls(pathToken); got != 1+refreshes {
		t.Errorf("upstream fetches = %d, want %d", got, 1+refreshes)
	}
	t.Logf("%d calls across %d renewals", calls.Load(), refreshes)
}

// TestTokenStolenBehindOurBack: another party fetches a token, ours dies after the
// grace period; the next call gets 40001, refreshes once, resends the same body once.
func TestTokenStolenBehindOurBack(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	m := newManager(t, fake)
	oa := newOA(t, fake, m)
	body := map[string]string{"appid": fake.AppID()}
	if err := oa.PostJSON(t.Context(), wechattest.PathClearQuota, nil, body, nil); err != nil {
		t.Fatal(err)
	}
	fake.IssueToken()
	fake.Advance(5*time.Minute + time.Second)

	if err := oa.PostJSON(t.Context(), wechattest.PathClearQuota, nil, body, nil); err != nil {
		t.Fatalf("call after the token was replaced: %v", err)
	}
	reqs := fake.Requests(wechattest.PathClearQuota)
	if len(reqs) != 3 {
		t.Fatalf("API requests = %d, want 3 (ok, 40001, resend)", len(reqs))
	}
	if reqs[1].Query.Get("access_token") == reqs[2].Query.Get("access_token") {
		t.Errorf("resend used the rejected token")
	}
	if !bytes.Equal(reqs[1].Body, reqs[2].Body) {
		t.Errorf("resent body = %s, want %s", reqs[2].Body, reqs[1].Body)
	}
	if got := fake.Calls(pathToken); got != 2 {
		t.Errorf("upstream fetches = %d, want 2", got)
	}
	if s := m.Stats(); s.PassiveRefreshes != 1 {
		t.Errorf("passive refreshes = %d, want 1", s.PassiveRefreshes)
	}
}

// TestRefreshOfGoneCaller: Refresh from a caller whose context has already
// ended spends no fetch, whoever the caller is.
func TestRefreshOfGoneCaller(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	m := newManager(t, fake)
	tok, err := m.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := m.Refresh(ctx, tok); !errors.Is(err, context.Canceled) {
		t.Errorf("Refresh with an ended context = %v, want context.Canceled", err)
	}
	if err := m.Shutdown(t.Context()); err != nil { // waits for the fetches under way
		t.Fatal(err)
	}
	if n := fake.Calls(pathToken); n != 1 {
		t.Errorf("upstream fetches = %d, want 1", n)
	}
}

func TestRefreshSingleFlight(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	m := newManager(t, fake)
	stale, err := m.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	fake.SetLatency(pathToken, 20*time.Millisecond)

	var wg sync.WaitGroup
	got := make([]string, 100)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := m.Refresh(t.Context(), stale)
			if err != nil {
				t.Errorf("Refresh: %v", err)
			}
			got[i] = tok
		}()
	}
	wg.Wait()
	for _, tok := range got {
		if tok == stale || tok != got[0] {
			t.Fatalf("Refresh returned %q and %q; want one new token", tok, got[0])
		}
	}
	if n := fake.Calls(pathToken); n != 2 {
		t.Errorf("upstream fetches = %d, want 2 (cold + one refresh)", n)
	}

	// The stale token was already replaced: no fetch at all.
	again, err := m.Refresh(t.Context(), stale)
	if err != nil || again != got[0] {
		t.Errorf("Refresh(replaced stale) = %q, %v; want the current token", again, err)
	}
	if n := fake.Calls(pathToken); n != 2 {
		t.Errorf("upstream fetches after a replaced stale = %d, want 2", n)
	}
}

func TestPassiveRefreshLimit(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	m := newManager(t, fake) // default: burst 3, one a minute
	tok, err := m.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 { // a buggy API that rejects every token
		if tok, err = m.Refresh(t.Context(), tok); err != nil {
			t.Fatalf("refresh %d: %v", i+1, err)
		}
	}
	_, err = m.Refresh(t.Context(), tok)
	if !errors.Is(err, credential.ErrRefreshLimited) {
		t.Fatalf("4th refresh error = %v, want ErrRefreshLimited", err)
	}
	if n := fake.Calls(pathToken); n != 4 {
		t.Errorf("upstream fetches = %d, want 4", n)
	}
	if s := m.Stats(); s.RefusedRefreshes != 1 {
		t.Errorf("refused refreshes = %d, want 1", s.RefusedRefreshes)
	}
	fake.Advance(time.Minute + time.Second)
	if _, err := m.Refresh(t.Context(), tok); err != nil {
		t.Errorf("refresh a minute later: %v", err)
	}
}

// TestRefreshLimitCannotBeTurnedOff: WithRefreshLimit(0, …) or a zero refill is
// out of range: the default limit holds, and the fallback is logged.
func TestRefreshLimitCannotBeTurnedOff(t *testing.T) {
	t.Parallel()
	for _, opt := range []credential.Option{credential.WithRefreshLimit(0, time.Minute), credential.WithRefreshLimit(3, 0)} {
		fake := newFake(t)
		logger, logs := testutil.Logger()
		m := newManager(t, fake, opt, credential.WithLogger(logger))
		tok, err := m.Token(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if tok, err = m.Refresh(t.Context(), tok); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := m.Refresh(t.Context(), tok); !errors.Is(err, credential.ErrRefreshLimited) {
			t.Errorf("4th refresh = %v, want ErrRefreshLimited", err)
		}
		if !strings.Contains(logs.String(), "WithRefreshLimit out of range") {
			t.Errorf("the fallback was not logged: %s", logs)
		}
	}
}

// sameFetcher answers the same value every time, as a ticket endpoint that
// ignores force may.
type sameFetcher struct{ n atomic.Int32 }

func (f *sameFetcher) Key() string { return "same" }
func (f *sameFetcher) Fetch(context.Context, bool) (string, time.Duration, error) {
	f.n.Add(1)
	return "always-this", time.Hour, nil
}

// TestRefreshFetchesOnce: a Refresh costs one fetch at most, even when the
// fetch hands back the rejected value.
func TestRefreshFetchesOnce(t *testing.T) {
	t.Parallel()
	f := &sameFetcher{}
	m := credential.NewWithFetcher(f)
	testutil.Shutdown(t, m)
	tok, err := m.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Refresh(t.Context(), tok); err == nil || !strings.Contains(err.Error(), "rejected token again") {
		t.Errorf("Refresh = %v, want the rejected token reported", err)
	}
	if n := f.n.Load(); n != 2 {
		t.Errorf("fetches = %d, want 2 (the first, and one for the refresh)", n)
	}
}

// TestHugeExpiresIn: an expires_in that would overflow a time.Duration is
// clamped: the token is cached, not fetched on every call.
func TestHugeExpiresIn(t *testing.T) {
	t.Parallel()
	var fetches atomic.Int32
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		w.Write([]byte(`{"access_token":"tok","expires_in":10000000000}`))
	}))
	t.Cleanup(up.Close)
	m := credential.New("wx1", "secret", credential.WithBaseURL(up.URL), credential.WithHTTPClient(up.Client()))
	testutil.Shutdown(t, m)
	for range 1000 {
		if _, err := m.Token(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Errorf("1000 Token calls made %d fetches, want 1", n)
	}
	if left := time.Until(m.Stats().ExpiresAt); left > 7200*time.Second || left < 7000*time.Second {
		t.Errorf("expiry in %v, want 7200s at most", left)
	}
}

func TestFetchErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		inject    func(*wechattest.Server)
		wantCode  int // 0: success
		wantCalls int
		wantHint  string
	}{
		{"busy then success", func(f *wechattest.Server) { f.FailNext(pathToken, 1, wechat.CodeSystemBusy) }, 0, 2, ""},
		{"busy twice then success", func(f *wechattest.Server) { f.FailNext(pathToken, 2, wechat.CodeSystemBusy) }, 0, 3, ""},
		{"busy past the retries", func(f *wechattest.Server) { f.FailNext(pathToken, 5, wechat.CodeSystemBusy) }, wechat.CodeSystemBusy, 3, ""},
		{"HTTP 502 then success", func(f *wechattest.Server) { f.FailNextHTTP(pathToken, 1, http.StatusBadGateway) }, 0, 2, ""},
		{"IP not allow-listed", func(f *wechattest.Server) { f.FailNext(pathToken, 1, wechat.CodeIPNotInWhitelist) }, wechat.CodeIPNotInWhitelist, 1, "allow-list"},
		{"admin confirmation", func(f *wechattest.Server) { f.FailNext(pathToken, 1, wechat.CodeIPNeedsConfirmation) }, wechat.CodeIPNeedsConfirmation, 1, "approve"},
		{"rejected for 1h", func(f *wechattest.Server) { f.FailNext(pathToken, 1, wechat.CodeIPRejected1h) }, wechat.CodeIPRejected1h, 1, "1 hour"},
		{"quota used up", useUpTokenQuota, wechat.CodeDailyQuotaLimit, 2, "daily quota"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t)
			tt.inject(fake)
			m := newManager(t, fake)
			_, err := m.Token(t.Context())
			if code := wechat.Code(err); code != tt.wantCode {
				t.Fatalf("Token() errcode = %d, want %d (err: %v)", code, tt.wantCode, err)
			}
			if tt.wantHint != "" && !strings.Contains(err.Error(), tt.wantHint) {
				t.Errorf("error %q does not tell the operator what to do (%q)", err, tt.wantHint)
			}
			if n := fake.Calls(pathToken); n != tt.wantCalls {
				t.Errorf("upstream fetches = %d, want %d", n, tt.wantCalls)
			}
			if err == nil {
				return
			}
			// No loop: an immediate second call waits out the backoff instead.
			_, err2 := m.Token(t.Context())
			var be *credential.BackoffError
			if !errors.As(err2, &be) || wechat.Code(err2) != tt.wantCode {
				t.Errorf("second Token() = %v, want a BackoffError wrapping %d", err2, tt.wantCode)
			}
			if n := fake.Calls(pathToken); n != tt.wantCalls {
				t.Errorf("upstream fetches after a second call = %d, want %d", n, tt.wantCalls)
			}
		})
	}
}

func TestBackoffEndsAndRecovers(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	fake.FailNext(pathToken, 1, wechat.CodeIPNotInWhitelist)
	m := newManager(t, fake)
	if _, err := m.Token(t.Context()); err == nil {
		t.Fatal("want the injected 40164")
	}
	fake.Advance(time.Minute) // past the first backoff step for operator errors
	if _, err := m.Token(t.Context()); err != nil {
		t.Fatalf("Token() after the backoff = %v", err)
	}
	if s := m.Stats(); s.Failures != 1 || s.LastError == "" {
		t.Errorf("stats = %+v, want 1 failure with its error", s)
	}
}

func TestSecretNeverLeaks(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-DO-NOT-LEAK-0123456789"
	tests := []struct {
		name  string
		base  func(*wechattest.Server) string
		setup func(*wechattest.Server)
		opts  []credential.Option
	}{
		{"connection refused", func(*wechattest.Server) string { return "http://127.0.0.1:1" }, nil, nil},
		{"wrong secret", func(f *wechattest.Server) string { return f.URL() }, nil, nil},
		{"HTTP 500", func(f *wechattest.Server) string { return f.URL() }, func(f *wechattest.Server) { f.FailNextHTTP(pathToken, 5, 500) }, nil},
		{"timeout", func(f *wechattest.Server) string { return f.URL() }, func(f *wechattest.Server) { f.SetLatency(pathToken, time.Second) }, nil},
		{"stable token, wrong secret", func(f *wechattest.Server) string { return f.URL() }, nil, []credential.Option{credential.WithStableToken()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t)
			if tt.setup != nil {
				tt.setup(fake)
			}
			logger, logs := testutil.Logger()
			opts := append([]credential.Option{
				credential.WithBaseURL(tt.base(fake)),
				credential.WithHTTPClient(&http.Client{Timeout: 200 * time.Millisecond}),
				credential.WithLogger(logger),
				credential.WithRetry(2, time.Millisecond),
			}, tt.opts...)
			m := credential.New(fake.AppID(), secret, opts...)
			testutil.Shutdown(t, m)
			_, err := m.Token(t.Context())
			if err == nil {
				t.Fatal("want an error")
			}
			_, err2 := m.Refresh(t.Context(), "stale")
			for _, text := range []string{err.Error(), errString(err2), logs.String(), m.Stats().LastError} {
				if strings.Contains(text, secret) {
					t.Fatalf("secret leaked: %s", text)
				}
			}
			if logs.Len() == 0 {
				t.Errorf("the failure was not logged")
			}
		})
	}
}

func TestSnapshotSurvivesRestart(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	path := filepath.Join(t.TempDir(), "tokens.json")

	first := newManager(t, fake, credential.WithStore(credential.NewMemoryStore(credential.WithSnapshot(path))))
	tok, err := first.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}

	store, err := credential.LoadMemoryStore(credential.WithSnapshot(path))
	if err != nil {
		t.Fatalf("LoadMemoryStore: %v", err)
	}
	second := newManager(t, fake, credential.WithStore(store))
	got, err := second.Token(t.Context())
	if err != nil || got != tok {
		t.Fatalf("Token() after restart = %q, %v; want the saved token", got, err)
	}
	if n := fake.Calls(pathToken); n != 1 {
		t.Errorf("upstream fetches = %d, want 1", n)
	}
}

func TestShortLifetimeDoesNotFetchEveryCall(t *testing.T) {
	t.Parallel()
	fake := newFake(t, wechattest.WithExpiresIn(60*time.Second)) // shorter than the 5-minute margin
	m := newManager(t, fake)
	for range 100 {
		if _, err := m.Token(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if n := fake.Calls(pathToken); n != 1 {
		t.Errorf("upstream fetches = %d, want 1", n)
	}
	fake.Advance(31 * time.Second) // past half the lifetime: one background renewal
	for range 100 {
		if _, err := m.Token(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, func() bool { return fake.Calls(pathToken) == 2 }, "renewal at half the lifetime")
}

func TestStableToken(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	m := newManager(t, fake, credential.WithStableToken())
	tok, err := m.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Refresh(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	reqs := fake.Requests("/cgi-bin/stable_token")
	if len(reqs) != 2 || fake.Calls(pathToken) != 0 {
		t.Fatalf("stable_token calls = %d, classic = %d; want 2 and 0", len(reqs), fake.Calls(pathToken))
	}
	for i, want := range []string{`"force_refresh":false`, `"force_refresh":true`} {
		if !strings.Contains(string(reqs[i].Body), want) {
			t.Errorf("request %d body %s lacks %s", i, reqs[i].Body, want)
		}
	}
}

func TestStartStop(t *testing.T) {
	fake := newFake(t)
	client := fake.Client()
	m := credential.New(fake.AppID(), fake.AppSecret(), append(fake.CredentialOptions(),
		credential.WithSchedule("@every 1s"), credential.WithHTTPClient(client))...)
	testutil.Shutdown(t, m) // also when the test fails half-way: no cron left for the next test
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err == nil {
		t.Error("a second Start succeeded")
	}
	// Wait for the token itself, not for the platform to count the call: the
	// Manager stamps the token after the answer, and the clock must not move
	// before it has.
	waitFor(t, func() bool { v, _ := m.Current(); return v != "" }, "the first scheduled fetch")
	first, _ := m.Current()
	fake.Advance(7200*time.Second - time.Minute)
	waitFor(t, func() bool { v, _ := m.Current(); return v != "" && v != first }, "the renewal ahead of expiry")
	tok, err := m.Token(t.Context())
	if err != nil || !fake.ValidToken(tok) {
		t.Fatalf("Token() = %v after the renewal", err)
	}
	if n := fake.Calls(pathToken); n != 2 {
		t.Errorf("upstream fetches = %d, want 2", n)
	}
	if err := m.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := m.Shutdown(t.Context()); err != nil { // twice is fine
		t.Fatal(err)
	}
	client.CloseIdleConnections()
	marks := []string{"robfig/cron", "credential.(*Manager)", "credential.(*core)", "go-cache"}
	if !testutil.Eventually(func() bool { return len(testutil.Goroutines(marks...)) == 0 }) {
		t.Fatalf("goroutines left after Shutdown:\n%s", strings.Join(testutil.Goroutines(marks...), "\n\n"))
	}
	runtime.KeepAlive(m) // a live program keeps its Manager: go-cache stops a janitor only once the cache is collected
}

func TestBadSchedule(t *testing.T) {
	t.Parallel()
	m := credential.New("wx1", "secret", credential.WithSchedule("every tuesday"))
	if err := m.Start(); err == nil {
		t.Fatal("Start with a bad schedule succeeded")
	}
}

func TestCallerContextBoundsTheWait(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	fake.SetLatency(pathToken, 300*time.Millisecond)
	m := newManager(t, fake)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	_, err := m.Token(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Token() = %v, want DeadlineExceeded", err)
	}
	// The flight goes on without the impatient caller; a patient one gets its token.
	if _, err := m.Token(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := fake.Calls(pathToken); n != 1 {
		t.Errorf("upstream fetches = %d, want 1", n)
	}
}

func newOA(t *testing.T, fake *wechattest.Server, p credential.Provider) *officialaccount.OfficialAccount {
	t.Helper()
	cfg := fake.Config()
	cfg.Credential = p
	oa, err := officialaccount.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return oa
}

// A restarted process finds a valid token that is already due for renewal: the
// caller gets it at once and the renewal happens in the background.
func TestColdStartWithDueTokenDoesNotWait(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	store := credential.NewMemoryStore()
	first := newManager(t, fake, credential.WithStore(store))
	tok, err := first.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	fake.Advance(7200*time.Second - 3*time.Minute) // valid, inside the margin
	resume := fake.Pause(pathToken)
	t.Cleanup(resume)

	second := newManager(t, fake, credential.WithStore(store))
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	got, err := second.Token(ctx) // the paused platform would make a fetch hang
	if err != nil || got != tok {
		t.Fatalf("Token() = %q, %v; want the stored token at once", got, err)
	}
	waitFor(t, func() bool { return fake.Calls(pathToken) == 2 }, "the background renewal to start")
	resume()
	waitFor(t, func() bool { return second.Stats().ExpiresAt.After(first.Stats().ExpiresAt) }, "the renewal")
}

// A wrong AppSecret: /cgi-bin/token answers 40001, which here means the secret,
// not a token. The error says so, and no second fetch is made for 30 s.
func TestWrongSecretIsExplainedAndNotLooped(t *testing.T) {
	t.Parallel()
	for _, stable := range []bool{false, true} {
		fake := newFake(t)
		opts := fake.CredentialOptions()
		path := pathToken
		if stable {
			opts, path = append(opts, credential.WithStableToken()), "/cgi-bin/stable_token"
		}
		m := credential.New(fake.AppID(), "not-the-secret", opts...)
		testutil.Shutdown(t, m)
		_, err := m.Token(t.Context())
		if !errors.Is(err, credential.ErrBadCredentials) || wechat.Code(err) == wechat.CodeNotWeChat {
			t.Fatalf("stable=%v: Token() = %v, want ErrBadCredentials with WeChat's errcode", stable, err)
		}
		if strings.Contains(err.Error(), "not-the-secret") {
			t.Errorf("the secret is in the error: %v", err)
		}
		fake.Advance(20 * time.Second) // past the 1 s transient backoff, inside the 30 s one
		if _, err := m.Token(t.Context()); !errors.Is(err, credential.ErrBadCredentials) {
			t.Errorf("stable=%v: second Token() = %v", stable, err)
		}
		if n := fake.Calls(path); n != 1 {
			t.Errorf("stable=%v: fetches = %d, want 1", stable, n)
		}
	}
}

// TestBadCredentialsWhiteSpace: an AppSecret read with its newline is refused
// by WeChat; the error says the AppSecret has white space around it, and not
// what the secret is.
func TestBadCredentialsWhiteSpace(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	m := credential.New(fake.AppID(), fake.AppSecret()+"\n", fake.CredentialOptions()...)
	testutil.Shutdown(t, m)
	_, err := m.Token(t.Context())
	if !errors.Is(err, credential.ErrBadCredentials) || !strings.Contains(err.Error(), "the AppSecret has white space around it") {
		t.Fatalf("Token() = %v, want ErrBadCredentials naming the AppSecret's white space", err)
	}
	if strings.Contains(err.Error(), fake.AppSecret()) {
		t.Errorf("the error carries the secret: %v", err)
	}
}
