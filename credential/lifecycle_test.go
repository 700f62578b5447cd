package credential_test

import (
	"context"
	"errors"
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
	if err := r.Start(); err != nil {
		t.Fatal(err)
	}
	if err := r.Start(); err == nil {
		t.Error("a second Start succeeded")
	}
	waitFor(t, func() bool { v, _ := r.Current(); return v != "" }, "the refresher's first ask")
	first, _ := r.Current()
	hits := tc.central.hits.Load()

	tc.fake.Advance(7200*time.Second - 30*time.Second) // inside the Remote's 1m margin
	tc.manager.Refresh(t.Context(), first)             // the central server renews meanwhile
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
