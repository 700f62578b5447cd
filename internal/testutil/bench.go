package testutil

import (
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// Cost is what one operation of a benchmark cost, measured as testing does
// (the time of b's loop, the allocations of every goroutine): its ns/op, B/op
// and allocs/op.
type Cost struct{ NS, Bytes, Allocs float64 }

// Loop runs op in b.Loop and returns its cost per operation, for a benchmark
// that compares itself with a floor (see Floor). It reports allocations.
func Loop(b *testing.B, op func()) Cost {
	b.Helper()
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		op()
	}
	runtime.ReadMemStats(&after)
	n := float64(b.N)
	return Cost{
		NS:     float64(b.Elapsed().Nanoseconds()) / n,
		Bytes:  float64(after.TotalAlloc-before.TotalAlloc) / n,
		Allocs: float64(after.Mallocs-before.Mallocs) / n,
	}
}

// Floor holds the runs of a floor benchmark (the least the work can cost,
// done directly) so that the benchmark of the real thing, run next to it in
// the same process, can report how far above the floor it is. The ratios are
// reported metrics, never assertions: on a busy machine time is noisy, and
// floor and target, measured in one run, are affected alike.
//
// A benchmark compared with two floors names the second one (Name "envfloor"
// reports "time/envfloor", "B/envfloor", "allocs-envfloor"); the zero Name is
// "floor".
type Floor struct {
	Name string

	mu   sync.Mutex
	runs []Cost
}

// Add records one run of the floor.
func (f *Floor) Add(c Cost) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.runs = append(f.runs, c)
}

// Median returns the median of the floor's runs so far (each figure on its
// own), and false when the floor has not run (a -bench pattern that left it out).
func (f *Floor) Median() (Cost, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.runs) == 0 {
		return Cost{}, false
	}
	med := func(get func(Cost) float64) float64 {
		v := make([]float64, len(f.runs))
		for i, c := range f.runs {
			v[i] = get(c)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	return Cost{
		NS:     med(func(c Cost) float64 { return c.NS }),
		Bytes:  med(func(c Cost) float64 { return c.Bytes }),
		Allocs: med(func(c Cost) float64 { return c.Allocs }),
	}, true
}

// Report reports c against the floor's median as three metrics: time and
// bytes as ratios ("time/floor", "B/floor") and allocations as a difference
// ("allocs-floor"), with the floor's Name for "floor". Without a floor run it
// reports nothing.
func (f *Floor) Report(b *testing.B, c Cost) {
	b.Helper()
	name := f.Name
	if name == "" {
		name = "floor"
	}
	fl, ok := f.Median()
	if !ok {
		b.Logf("the %s did not run in this process: no ratios (run the floor sub-benchmark too)", name)
		return
	}
	if fl.NS > 0 {
		b.ReportMetric(c.NS/fl.NS, "time/"+name)
	}
	if fl.Bytes > 0 {
		b.ReportMetric(c.Bytes/fl.Bytes, "B/"+name)
	}
	b.ReportMetric(c.Allocs-fl.Allocs, "allocs-"+name)
}

// Interleave runs ops in turn, a block of calls each, for b.N calls in all,
// and returns the cost per call of each. Ops measured side by side this way
// meet the same noise (a neighbour's burst, a frequency step, the collector
// working off what another op allocated), so that their ratios hold on a busy
// machine where separate runs of a second each drift apart by ±15 %.
// Allocations are read at the blocks' bounds, outside the timed calls.
//
// b's own ns/op, B/op and allocs/op are the mix of all ops; a benchmark
// overrides them with the figures of the op it is about (Override).
func Interleave(b *testing.B, ops ...func()) []Cost {
	b.Helper()
	b.ReportAllocs()
	const block = 512
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
			b.Fatalf("op %d never ran: b.N = %d is less than %d ops", i, b.N, len(ops))
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
