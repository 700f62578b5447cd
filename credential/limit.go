package credential

import (
	"time"

	"golang.org/x/time/rate"
)

// bucket limits passive refreshes, so that an API answering 40001 for every
// token cannot burn the 2000-a-day fetch quota, while a real invalidation still
// recovers at once: a token bucket of burst, refilled one per every, on the
// Manager's clock (x/time/rate takes the time as an argument).
type bucket struct{ lim *rate.Limiter }

func newBucket(burst int, every time.Duration) *bucket {
	return &bucket{lim: rate.NewLimiter(rate.Every(every), burst)}
}

// take uses one token if there is one at now; otherwise it reports when the next
// one arrives.
func (b *bucket) take(now time.Time) (ok bool, next time.Time) {
	r := b.lim.ReserveN(now, 1)
	if wait := r.DelayFrom(now); wait > 0 {
		r.CancelAt(now) // refused: the token stays for whoever comes at next
		return false, now.Add(wait)
	}
	return true, time.Time{}
}
