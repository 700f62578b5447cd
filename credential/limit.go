package credential

import (
	"sync"
	"time"
)

// bucket is a token bucket: up to burst takes at once, refilled one per every.
// It limits passive refreshes, so that an API answering 40001 for every token cannot
// burn the 2000-a-day fetch quota, while a real invalidation still recovers at once.
type bucket struct {
	mu     sync.Mutex
	burst  float64
	every  time.Duration
	tokens float64
	last   time.Time
}

func newBucket(burst int, every time.Duration) *bucket {
	return &bucket{burst: float64(burst), every: every, tokens: float64(burst)}
}

// take uses one token if there is one at now; otherwise it reports when the next
// one arrives.
func (b *bucket) take(now time.Time) (ok bool, next time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.last.IsZero() && b.every > 0 {
		if elapsed := now.Sub(b.last); elapsed > 0 {
			b.tokens = min(b.burst, b.tokens+float64(elapsed)/float64(b.every))
		}
	}
	if b.last.IsZero() || now.After(b.last) {
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, time.Time{}
	}
	wait := time.Duration((1 - b.tokens) * float64(b.every))
	return false, now.Add(wait)
}
