package testutil

import (
	"runtime"
	"slices"
	"sync"
	"testing"
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
