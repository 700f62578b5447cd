package message

import (
	"context"
	"fmt"
	"sync"
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

// TestMemoryDedupReplyWindow: the reply is kept for the reply window, then
// dropped while the key stays: a retry is answered "success" without running
// the handler, until the key's own TTL ends.
func TestMemoryDedupReplyWindow(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var clock atomic.Int64
	s := NewMemoryDedupStore(WithReplyWindow(10 * time.Second))
	s.now = func() time.Time { return time.Unix(0, clock.Load()) }
	reply := make([]byte, 300, 4096) // a build buffer with room to spare
	copy(reply, "<xml>reply</xml>")
	s.Claim(ctx, "k", time.Second)
	s.Finish(ctx, "k", reply, time.Minute)
	reply[0] = 'X' // the buffer is the caller's again
	if _, bytes := s.Len(); bytes > dedupEntryCost+320 {
		t.Errorf("a 300-byte reply counts %d bytes: kept with its spare room", bytes)
	}

	steps := []struct {
		after     time.Duration
		wantReply bool
		wantErr   error
	}{
		{9 * time.Second, true, nil},  // inside the reply window
		{2 * time.Second, false, nil}, // past it: "success", the key still claimed
		{48 * time.Second, false, nil},
		{2 * time.Second, false, ErrDedupGone}, // past the key's TTL
	}
	for _, st := range steps {
		clock.Add(int64(st.after))
		got, err := s.Wait(ctx, "k")
		if err != st.wantErr || (len(got) == 300) != st.wantReply || st.wantReply && got[0] != '<' {
			t.Fatalf("at %v: Wait = %.10q (%d bytes), %v; want reply %v, error %v",
				time.Duration(clock.Load()), got, len(got), err, st.wantReply, st.wantErr)
		}
		if first, _ := s.Claim(ctx, "k", time.Second); first != (st.wantErr != nil) {
			t.Fatalf("at %v: Claim = %v", time.Duration(clock.Load()), first)
		}
	}
	s.Claim(ctx, "other", time.Minute) // trims
	if n, bytes := s.Len(); n != 2 || bytes != 2*dedupEntryCost {
		t.Errorf("Len = %d, %d; want 2 messages with no reply (%d bytes)", n, bytes, 2*dedupEntryCost)
	}
}

// TestMemoryDedupBytesDropRepliesFirst: over the byte bound the oldest replies
// go before any key, so that a retry is answered "success" rather than handled
// again.
func TestMemoryDedupBytesDropRepliesFirst(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	const n, size = 50, 10 << 10
	s := NewMemoryDedupStore(WithMaxBytes(n*dedupEntryCost + 10*size))
	for i := range n {
		key := fmt.Sprint("k", i)
		s.Claim(ctx, key, time.Minute)
		s.Finish(ctx, key, make([]byte, size), time.Minute)
	}
	if got, _ := s.Len(); got != n {
		t.Fatalf("the store holds %d messages, want all %d", got, n)
	}
	for i := range n {
		key := fmt.Sprint("k", i)
		got, err := s.Wait(ctx, key)
		if want := i >= n-10; err != nil || (len(got) == size) != want {
			t.Errorf("Wait(%s) = %d bytes, %v; want the reply: %v", key, len(got), err, want)
		}
	}
}

// TestMemoryDedupRingShrinks: after a burst expires, the ring gives its room
// back.
func TestMemoryDedupRingShrinks(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var clock atomic.Int64
	s := NewMemoryDedupStore()
	s.now = func() time.Time { return time.Unix(0, clock.Load()) }
	for i := range 10_000 {
		s.Claim(ctx, fmt.Sprint(i), time.Second)
	}
	if len(s.slots) < 10_000 {
		t.Fatalf("ring of %d slots for 10,000 messages", len(s.slots))
	}
	clock.Add(int64(2 * time.Second))
	for i := range 10 {
		s.Claim(ctx, fmt.Sprint("new", i), time.Second)
	}
	if n, _ := s.Len(); n != 10 || len(s.slots) > 4*minSlots {
		t.Errorf("after expiry: %d messages in %d slots; want 10 in at most %d", n, len(s.slots), 4*minSlots)
	}
}

// TestMemoryDedupConcurrent: many deliveries of the same keys at once, as
// retries racing their first delivery: each key is claimed once, and every
// other delivery gets that claim's reply. Run it with -race.
func TestMemoryDedupConcurrent(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := NewMemoryDedupStore(WithMaxEntries(1000))
	const keys, deliveries = 200, 8
	var claims [keys]atomic.Int32
	var wg sync.WaitGroup
	for d := range deliveries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range keys {
				k := (i + d*keys/deliveries) % keys // deliveries start at different keys
				key := fmt.Sprint("gh|m|", k)
				first, err := s.Claim(ctx, key, time.Minute)
				if err != nil {
					t.Error(err)
					return
				}
				if first {
					claims[k].Add(1)
					s.Finish(ctx, key, []byte(key), time.Minute)
					continue
				}
				if got, err := s.Wait(ctx, key); err != nil || string(got) != key {
					t.Errorf("Wait(%s) = %q, %v; want the first delivery's reply", key, got, err)
				}
			}
		}()
	}
	wg.Wait()
	for k := range claims {
		if n := claims[k].Load(); n != 1 {
			t.Errorf("key %d claimed %d times, want once", k, n)
		}
	}
	if n, _ := s.Len(); n != keys {
		t.Errorf("the store holds %d messages, want %d", n, keys)
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
	testutil.WaitFor(t, func() bool { return s.waiting() == 1 }, "the waiter")
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

// waiting returns how many keys a Wait waits on.
func (s *MemoryDedupStore) waiting() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.wake)
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

// TestMemoryDedupReplyChunks: replies kept in shared chunks read back as
// they were finished, whatever the caller does with its buffer after, across
// chunk bounds and for a reply too large for a chunk; each in a chunk is
// capped at its length, so that appending to one cannot overwrite the next.
func TestMemoryDedupReplyChunks(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := NewMemoryDedupStore()
	buf := make([]byte, replyChunk)
	want := map[string]string{}
	for i := range 300 {
		n := 1 + i*37%900
		if i%50 == 7 {
			n = maxChunkedReply + 1 + i // an allocation of its own
		}
		key := fmt.Sprint("k", i)
		reply := buf[:n]
		for j := range reply {
			reply[j] = byte('a' + (i+j)%26)
		}
		want[key] = string(reply)
		s.Claim(ctx, key, time.Minute)
		s.Finish(ctx, key, reply, time.Minute)
		clear(buf) // the Server reuses its buffer at once
	}
	for key, w := range want {
		got, err := s.Wait(ctx, key)
		if err != nil || string(got) != w {
			t.Fatalf("Wait(%s) = %d bytes %.20q, %v; want %d bytes %.20q", key, len(got), got, err, len(w), w)
		}
		if len(got) <= maxChunkedReply && cap(got) != len(got) {
			t.Errorf("Wait(%s): cap %d, len %d", key, cap(got), len(got))
		}
	}
}

// TestMemoryDedupFinishHint: finish finds a claim by the sequence number
// claim gave, and falls back to the index when that slot has since gone to
// another key (the claim ran out and the ring went round), never writing the
// reply into another key's slot.
func TestMemoryDedupFinishHint(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := NewMemoryDedupStore(WithMaxEntries(minSlots))
	var now int64 = 1
	s.now = func() time.Time { return time.Unix(0, now) } // wait's clock
	const h = 0xfeed
	first, seq := s.claim(h, time.Second, now)
	if !first || seq == 0 {
		t.Fatalf("claim = %v, %d", first, seq)
	}
	s.finish(h, seq, []byte("hinted"), time.Minute, now)
	if got, _ := s.wait(ctx, h); string(got) != "hinted" {
		t.Fatalf("reply by hint = %q", got)
	}

	const h2 = 0xbeef
	_, seq2 := s.claim(h2, time.Second, now)
	now += int64(2 * time.Second) // the claim runs out
	for i := range uint64(3 * minSlots) {
		k := 0x1000 + i
		s.claim(k, time.Minute, now)
		s.finish(k, 0, []byte(fmt.Sprint(k)), time.Minute, now)
	}
	s.finish(h2, seq2, []byte("late"), time.Minute, now)
	if got, _ := s.wait(ctx, h2); string(got) != "late" {
		t.Errorf("late reply = %q", got)
	}
	for i := range uint64(minSlots - 1) {
		k := 0x1000 + 3*minSlots - 1 - i
		if got, err := s.wait(ctx, k); err == nil && string(got) != fmt.Sprint(k) {
			t.Fatalf("key %#x now answers %q", k, got)
		}
	}
}
