package credential

import (
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// sampler thins out a log line that anyone on the network can trigger: a burst
// of ten lines goes through, then at most one a second, each saying how many were
// held back since the last one.
type sampler struct {
	lim        *rate.Limiter
	suppressed atomic.Int64
}

func sampleLimit() *rate.Limiter { return rate.NewLimiter(rate.Every(time.Second), 10) }

// allow reports whether to log now and, if so, how many lines were held back.
func (s *sampler) allow(now time.Time) (ok bool, suppressed int64) {
	if !s.lim.AllowN(now, 1) {
		s.suppressed.Add(1)
		return false, 0
	}
	return true, s.suppressed.Swap(0)
}
