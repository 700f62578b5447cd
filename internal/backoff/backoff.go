// Package backoff holds the waits wxkit retries and polls with: jitter, a sleep
// that ends with its context, bounded retries and a doubling poll interval.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Jitter returns d scaled by a random factor in [0.5, 1.5), so that many waiters
// do not wake together.
func Jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.5 + rand.Float64()))
}

// Sleep waits d, or until ctx ends and then returns its error.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Retry calls try until it succeeds, says another attempt cannot help, has
// been called attempts times or ctx ends, waiting between calls as a Poll from
// first up to MaxRetryWait does. It returns try's last error, nil once it
// succeeds; attempt counts from 1.
func Retry(ctx context.Context, attempts int, first time.Duration, try func(attempt int) (retry bool, err error)) error {
	wait := NewPoll(first, MaxRetryWait)
	for attempt := 1; ; attempt++ {
		retry, err := try(attempt)
		if err == nil || !retry || attempt >= attempts || ctx.Err() != nil {
			return err
		}
		if wait.Wait(ctx) != nil {
			return err
		}
	}
}

// MaxRetryWait caps Retry's waits, however many attempts a caller allows.
const MaxRetryWait = 10 * time.Second

// Poll is a wait that starts at first and doubles up to max, each with jitter.
// The zero Poll is not usable; make one with NewPoll.
type Poll struct{ next, max time.Duration }

// NewPoll returns a Poll from first to max; first is at least 1ms and max at
// least first.
func NewPoll(first, max time.Duration) Poll {
	first = maxDur(first, time.Millisecond)
	return Poll{next: first, max: maxDur(max, first)}
}

// Wait sleeps the current interval (jittered), then doubles it up to max. It
// returns ctx's error if ctx ends first.
func (p *Poll) Wait(ctx context.Context) error {
	d := p.next
	p.next = min(p.next*2, p.max)
	return Sleep(ctx, Jitter(d))
}

// Doubled is the wait after the failures-th failure in a row: first, doubled
// for each failure after the first, up to limit (without jitter).
func Doubled(first, limit time.Duration, failures int) time.Duration {
	wait := first << min(max(failures-1, 0), 16)
	if wait > limit || wait <= 0 {
		return limit
	}
	return wait
}

func maxDur(a, b time.Duration) time.Duration {
	if a > b {
		return a
	}
	return b
}
