//go:build !race

package testutil

// Race reports whether the race detector is on: it changes allocation counts
// (sync.Pool drops items at random), so allocation budgets skip under it.
const Race = false
