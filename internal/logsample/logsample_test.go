package logsample

import (
	"testing"
	"time"
)

func TestSampler(t *testing.T) {
	t.Parallel()
	s := New()
	now := time.Unix(1_700_000_000, 0)
	logged := 0
	for range 100 {
		if ok, _ := s.Allow(now); ok {
			logged++
		}
	}
	if logged != Burst {
		t.Fatalf("100 lines at once: %d logged, want %d", logged, Burst)
	}
	ok, suppressed := s.Allow(now.Add(time.Second))
	if !ok || suppressed != 90 {
		t.Fatalf("a second later: Allow = %v, %d; want true, 90", ok, suppressed)
	}
	if _, suppressed := s.Allow(now.Add(2 * time.Second)); suppressed != 0 {
		t.Errorf("the count was not reset: %d", suppressed)
	}
}
