package message

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wxkit/wechat/internal/testutil"
)

// TestMemoryDedupStoreBounds: the store never holds more than its bounds; the
// oldest messages go first; expired ones go as new ones come.
func TestMemoryDedupStoreBounds(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	reply := make([]byte, 200<<10) // 200 KB replies
	const maxBytes = 4 << 20
	s := NewMemoryDedupStore(WithMaxBytes(maxBytes), WithMaxEntries(100))
	for i := range 3000 {
		key := fmt.Sprint("k", i)
		if first, _ := s.Claim(ctx, key, time.Minute); !first {
			t.Fatalf("Claim(%s) = false", key)
		}
		s.Finish(ctx, key, reply, time.Minute)
		if n, b := s.Len(); n > 100 || b > maxBytes {
			t.Fatalf("after %d messages the store holds %d entries, %d bytes; bounds 100, %d", i+1, n, b, maxBytes)
		}
	}
	if _, err := s.Wait(ctx, "k0"); err != ErrDedupGone {
		t.Errorf("the oldest message is still there: %v", err)
	}
	if got, err := s.Wait(ctx, "k2999"); err != nil || len(got) != len(reply) {
		t.Errorf("the newest message: %d bytes, %v", len(got), err)
	}

	small := NewMemoryDedupStore(WithMaxEntries(10))
	for i := range 25 {
		small.Claim(ctx, fmt.Sprint(i), time.Minute)
	}
	if n, _ := small.Len(); n != 10 {
		t.Errorf("entry bound 10: holds %d", n)
	}
	if first, _ := small.Claim(ctx, "0", time.Minute); !first {
		t.Error("an evicted key cannot be claimed again")
	}

	var clock atomic.Int64
	exp := NewMemoryDedupStore()
	exp.now = func() time.Time { return time.Unix(0, clock.Load()) }
	for i := range 1000 {
		exp.Claim(ctx, fmt.Sprint(i), time.Second)
	}
	clock.Add(int64(2 * time.Second))
	exp.Claim(ctx, "new", time.Second)
	if n, _ := exp.Len(); n != 1 {
		t.Errorf("after expiry the store holds %d entries, want 1", n)
	}
}

// TestMemoryDedupWaitOnEvicted: a retry waiting for a message that the bounds
// push out learns that it is gone, so that it handles the message itself.
func TestMemoryDedupWaitOnEvicted(t *testing.T) {
	t.Parallel()
	s := NewMemoryDedupStore(WithMaxEntries(1))
	ctx := t.Context()
	s.Claim(ctx, "a", time.Minute)
	errc := make(chan error, 1)
	go func() { _, err := s.Wait(ctx, "a"); errc <- err }()
	testutil.WaitFor(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.entries["a"].wake != nil
	}, "the waiter")
	s.Claim(ctx, "b", time.Minute) // pushes a out
	if err := <-errc; err != ErrDedupGone {
		t.Errorf("Wait on an evicted key = %v, want ErrDedupGone", err)
	}
}

// TestServersStartNoGoroutine: a Server and its default store start no
// goroutine of their own (go-cache's janitor used to run per Server forever).
func TestServersStartNoGoroutine(t *testing.T) {
	t.Parallel()
	fake := newHarness(t, nil).fake
	oa := testOA(t, fake.Config())
	for range 10 {
		NewServer(oa, nil)
	}
	if testutil.GoroutinesLeft("patrickmn/go-cache") {
		t.Error("a go-cache janitor is running")
	}
}

func BenchmarkMemoryDedupStore(b *testing.B) {
	s := NewMemoryDedupStore()
	ctx := context.Background()
	reply := []byte("<xml>reply</xml>")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		key := fmt.Sprint("gh_5a1c3e7b9d2f|m|", i)
		i++
		s.Claim(ctx, key, time.Minute)
		s.Finish(ctx, key, reply, time.Minute)
	}
}
