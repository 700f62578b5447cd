// Package logsample thins out log lines that anyone on the network can
// trigger (a rejected push, a request without the token server's key), so that
// an unauthenticated flood does not become a log flood: a burst of Burst lines
// goes through, then at most one a second, each saying how many were held back
// since the last one.
package logsample

import (
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Burst is how many lines go through at once before the rate applies.
const Burst = 10

// Sampler decides, line by line, whether to log. The zero value is not ready:
// use New. It is safe for concurrent use.
type Sampler struct {
	lim        *rate.Limiter
	suppressed atomic.Int64
}

// New returns a Sampler allowing Burst lines, then one a second.
func New() *Sampler { return &Sampler{lim: rate.NewLimiter(rate.Every(time.Second), Burst)} }

// Allow reports whether to log now (now comes from the caller's clock, so
// tests can drive it) and, if so, how many lines were held back since the last
// one logged.
func (s *Sampler) Allow(now time.Time) (ok bool, suppressed int64) {
	if !s.lim.AllowN(now, 1) {
		s.suppressed.Add(1)
		return false, 0
	}
	return true, s.suppressed.Swap(0)
}
