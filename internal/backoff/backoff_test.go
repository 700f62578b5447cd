package backoff

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestJitterBounds(t *testing.T) {
	t.Parallel()
	for range 1000 {
		if d := Jitter(100 * time.Millisecond); d < 50*time.Millisecond || d >= 150*time.Millisecond {
			t.Fatalf("Jitter(100ms) = %v, want [50ms, 150ms)", d)
		}
	}
}

func TestPollDoublesUpToMax(t *testing.T) {
	t.Parallel()
	p := NewPoll(time.Millisecond, 4*time.Millisecond)
	var seen []time.Duration
	for range 4 {
		seen = append(seen, p.next)
		if err := p.Wait(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	want := []time.Duration{time.Millisecond, 2 * time.Millisecond, 4 * time.Millisecond, 4 * time.Millisecond}
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("intervals = %v, want %v", seen, want)
		}
	}
	if q := NewPoll(0, 0); q.next != time.Millisecond || q.max != time.Millisecond {
		t.Errorf("NewPoll(0, 0) = %+v, want 1ms..1ms", q)
	}
}

func TestSleepEndsWithContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep on a canceled ctx = %v", err)
	}
}
