package credential_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/internal/testutil"
)

// Shutdown returns when its ctx ends even while a fetch hangs, and the fetch
// under way is cancelled rather than left running.
func TestShutdownReturnsWhenCtxEnds(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	resume := fake.Pause(pathToken)
	t.Cleanup(resume)
	m := credential.New(fake.AppID(), fake.AppSecret(), fake.CredentialOptions()...)
	if err := m.Start(); err != nil { // its first check hangs on the paused platform
		t.Fatal(err)
	}
	waitFor(t, func() bool { return fake.Calls(pathToken) == 1 }, "the first fetch to reach the platform")

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := m.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown = %v, want context.DeadlineExceeded while a fetch hangs", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Shutdown returned after %v", d)
	}
	// The hung fetch was cancelled: a second Shutdown finds nothing left to wait for.
	if err := m.Shutdown(t.Context()); err != nil {
		t.Fatalf("second Shutdown = %v", err)
	}
	if err := m.Start(); err == nil {
		t.Error("Start after Shutdown succeeded")
	}
}

// A Remote's refresher keeps the cache warm without any caller, and Shutdown
// ends it.
func TestRemoteStartShutdown(t *testing.T) {
	t.Parallel()
	tc := newTokenCluster(t)
	r, err := credential.NewRemote(tc.central.URL(), serverKey,
		credential.WithClock(tc.fake.Now), credential.WithSchedule("@every 1s"), credential.WithRetry(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	testutil.Shutdown(t, r) // also when the test fails half-way: no refresher left for the next test
	if err := r.Start(); err != nil {
		t.Fatal(err)
	}
	if err := r.Start(); err == nil {
		t.Error("a second Start succeeded")
	}
	waitFor(t, func() bool { v, _ := r.Current(); return v != "" }, "the refresher's first ask")
	first, _ := r.Current()
	hits := tc.central.hits.Load()

	// The central server renews first, then the clock moves inside the Remote's
	// 1m margin. The other order is a race: a tick in between asks while the
	// central server still has the old token, and the Remote, having just asked,
	// waits its 10 s recheck of a clock that the test never moves again.
	if _, err := tc.manager.Refresh(t.Context(), first); err != nil {
		t.Fatal(err)
	}
	tc.fake.Advance(7200*time.Second - 30*time.Second)
	waitFor(t, func() bool { v, _ := r.Current(); return v != first }, "the refresher to pick up the renewed token")
	if tc.central.hits.Load() == hits {
		t.Error("the cache changed without a request")
	}
	ctx, cancel := context.WithTimeout(t.Context(), testutil.WaitTimeout)
	defer cancel()
	if err := r.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown = %v", err)
	}
	if tok, err := r.Token(t.Context()); err != nil || tok == first {
		t.Errorf("Token() after Shutdown = new %v, %v; want the cached token", tok != first, err)
	}
}

// TestShutdownCountsALaunchedLoad: a load whose goroutine has been launched but
// has not started its work yet is already counted: Shutdown waits for it.
func TestShutdownCountsALaunchedLoad(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	m := newManager(t, fake)
	entered, release := make(chan struct{}), make(chan struct{})
	credential.SetBeforeLoad(m, func() {
		close(entered)
		<-release
	})
	go func() { _, _ = m.Token(context.Background()) }()
	<-entered
	done, cancel := context.WithCancel(t.Context())
	cancel()
	if err := m.Shutdown(done); !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown with a load launched = %v, want it to wait (context.Canceled here)", err)
	}
	close(release)
	if err := m.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// TestShutdownWaitsForRenewal: Shutdown waits for a background renewal under
// way, and afterwards no renewal starts in the background.
func TestShutdownWaitsForRenewal(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	m := newManager(t, fake)
	first, err := m.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	resume := fake.Pause(pathToken)
	t.Cleanup(resume)
	fake.Advance(7200*time.Second - 2*time.Minute) // inside the margin
	if tok, err := m.Token(t.Context()); err != nil || tok != first {
		t.Fatalf("Token() in the margin = %v, want the current token at once", err)
	}
	waitFor(t, func() bool { return fake.Calls(pathToken) == 2 }, "the renewal to reach the platform")
	gone, cancel := context.WithCancel(t.Context())
	cancel()
	if err := m.Shutdown(gone); !errors.Is(err, context.Canceled) {
		t.Fatalf("Shutdown during a renewal = %v, want it to wait (context.Canceled here)", err)
	}
	// That Shutdown gave up and cancelled the renewal; the Manager is stopped.
	resume()
	if err := m.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	resume2 := fake.Pause(pathToken)
	t.Cleanup(resume2)
	fake.Advance(time.Minute) // past the backoff the cancelled renewal left, still in the margin
	for range 10 {
		if _, err := m.Token(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Shutdown(gone); err != nil {
		t.Errorf("after Shutdown a Token call in the margin started background work: Shutdown = %v", err)
	}
}

// TestFailedRenewalLoggedOnce: a background renewal that fails is logged once,
// by the fetch that failed.
func TestFailedRenewalLoggedOnce(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	logger, logs := testutil.Logger()
	m := newManager(t, fake, credential.WithLogger(logger), credential.WithRetry(1, 0))
	if _, err := m.Token(t.Context()); err != nil {
		t.Fatal(err)
	}
	fake.FailNext(pathToken, 1, 40164)
	fake.Advance(7200*time.Second - 2*time.Minute)
	if _, err := m.Token(t.Context()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return m.Stats().Failures == 1 }, "the renewal to fail")
	if err := m.Shutdown(t.Context()); err != nil { // the renewal's goroutine is done
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "40164") && (strings.Contains(l, "level=WARN") || strings.Contains(l, "level=ERROR")) {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 {
		t.Errorf("the failure is logged %d times at WARN or above, want once:\n%s", len(lines), strings.Join(lines, "\n"))
	}
}
