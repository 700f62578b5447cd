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

func TestRetry(t *testing.T) {
	t.Parallel()
	fail := errors.New("fail")
	tests := []struct {
		name      string
		attempts  int
		results   []error // what try returns on each call
		retry     bool
		wantCalls int
		wantErr   error
	}{
		{"success at once", 3, []error{nil}, true, 1, nil},
		{"success on the last attempt", 3, []error{fail, fail, nil}, true, 3, nil},
		{"attempts run out", 2, []error{fail, fail, fail}, true, 2, fail},
		{"not retryable", 3, []error{fail, nil}, false, 1, fail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			calls := 0
			err := Retry(t.Context(), tt.attempts, time.Microsecond, func(attempt int) (bool, error) {
				calls++
				if attempt != calls {
					t.Errorf("attempt = %d on call %d", attempt, calls)
				}
				return tt.retry, tt.results[calls-1]
			})
			if calls != tt.wantCalls || err != tt.wantErr {
				t.Errorf("Retry = %v after %d calls, want %v after %d", err, calls, tt.wantErr, tt.wantCalls)
			}
		})
	}
	ctx, cancel := context.WithCancel(t.Context())
	calls := 0
	err := Retry(ctx, 5, time.Hour, func(int) (bool, error) { calls++; cancel(); return true, fail })
	if calls != 1 || err != fail {
		t.Errorf("Retry with ctx ended = %v after %d calls, want %v after 1", err, calls, fail)
	}
}

// TestDoubled: first after one failure, doubling after each more, held at the
// limit, and never past it however many failures (no overflow into a short
// or negative wait).
func TestDoubled(t *testing.T) {
	for _, tt := range []struct {
		failures int
		want     time.Duration
	}{
		{0, time.Second}, {1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second},
		{6, 32 * time.Second}, {7, time.Minute}, {100, time.Minute}, {1 << 30, time.Minute},
	} {
		if got := Doubled(time.Second, time.Minute, tt.failures); got != tt.want {
			t.Errorf("Doubled(1s, 1m, %d) = %v, want %v", tt.failures, got, tt.want)
		}
	}
	if got := Doubled(time.Hour, 1<<62, 40); got <= 0 || got > 1<<62 {
		t.Errorf("Doubled(1h, 2^62, 40) = %v: overflowed", got)
	}
}
