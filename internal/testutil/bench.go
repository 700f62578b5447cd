package testutil

import (
	"runtime"
	"testing"
	"time"
)

// Cost is what one operation of a benchmark cost: its ns/op, B/op and
// allocs/op. Loop measures them as testing does (b's loop, the allocations of
// every goroutine); Interleave, over the op's own blocks of calls.
type Cost struct{ NS, Bytes, Allocs float64 }

// Loop runs op in b.Loop, reporting allocations.
func Loop(b *testing.B, op func()) {
	b.Helper()
	b.ReportAllocs()
	for b.Loop() {
		op()
	}
}

// Interleave runs ops in turn, a block of calls each, for b.N calls in all,
// and returns the cost per call of each. Ops measured side by side this way
// meet the same noise (a neighbour's burst, a frequency step, the collector
// working off what another op allocated), so that their ratios hold on a busy
// machine where separate runs of a second each drift apart by ±15 %. Blocks
// start at one call and double each round up to 512, so that every op runs
// even in a short run (-benchtime=Nx, with N at least the number of ops).
// 512 calls last milliseconds, far shorter than the machine's drift, and
// make the cold start an op meets after another's block negligible: with
// blocks of 32, the webhook, whose code is larger than its floor's, read 3 %
// slower against it.
// Allocations are read at the blocks' bounds, outside the timed calls.
//
// b's own ns/op, B/op and allocs/op are the mix of all ops; a benchmark
// overrides them with the figures of the op it is about (Override).
func Interleave(b *testing.B, ops ...func()) []Cost {
	b.Helper()
	b.ReportAllocs()
	const maxBlock = 512
	block := 1
	costs := make([]Cost, len(ops))
	calls := make([]int, len(ops))
	var before, after runtime.MemStats
	k, n := 0, 0
	runtime.ReadMemStats(&before)
	start := time.Now()
	end := func() {
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		costs[k].NS += float64(elapsed.Nanoseconds())
		costs[k].Bytes += float64(after.TotalAlloc - before.TotalAlloc)
		costs[k].Allocs += float64(after.Mallocs - before.Mallocs)
		calls[k] += n
		k, n = (k+1)%len(ops), 0
		if k == 0 {
			block = min(2*block, maxBlock)
		}
		before = after
		start = time.Now()
	}
	for b.Loop() {
		ops[k]()
		if n++; n == block {
			end()
		}
	}
	if n > 0 {
		end()
	}
	for i := range costs {
		if calls[i] == 0 {
			b.Fatalf("op %d never ran: %d calls in all is fewer than the %d ops; use a larger -benchtime", i, b.N, len(ops))
		}
		c := float64(calls[i])
		costs[i] = Cost{NS: costs[i].NS / c, Bytes: costs[i].Bytes / c, Allocs: costs[i].Allocs / c}
	}
	return costs
}

// Override reports c as b's ns/op, B/op and allocs/op, in place of the
// figures testing measured over the whole loop.
func Override(b *testing.B, c Cost) {
	b.ReportMetric(c.NS, "ns/op")
	b.ReportMetric(c.Bytes, "B/op")
	b.ReportMetric(c.Allocs, "allocs/op")
}

// Against reports c against floor, measured side by side (Interleave): time
// and bytes as ratios ("time/"+name, "B/"+name), allocations as a difference
// ("allocs-"+name), and the floor's own time ("ns-"+name).
func Against(b *testing.B, c, floor Cost, name string) {
	if floor.NS > 0 {
		b.ReportMetric(c.NS/floor.NS, "time/"+name)
	}
	if floor.Bytes > 0 {
		b.ReportMetric(c.Bytes/floor.Bytes, "B/"+name)
	}
	b.ReportMetric(c.Allocs-floor.Allocs, "allocs-"+name)
	b.ReportMetric(floor.NS, "ns-"+name)
}
