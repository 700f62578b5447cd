package testutil

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// StartTimeout bounds how long a program may take to listen; the margin is for
// a busy 2-core machine.
const StartTimeout = 30 * time.Second

// Serve runs serve, a program's serve function, until t ends, and returns what
// it sends on ready once it listens (its URL, or the simulator). When t ends,
// serve's context is cancelled and an error it returns fails t. out, when not
// nil, is the program's output, shown when it does not start.
func Serve[T any](t testing.TB, out fmt.Stringer, serve func(ctx context.Context, ready chan<- T) error) T {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan T, 1), make(chan error, 1)
	go func() { done <- serve(ctx, ready) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	if out == nil {
		out = empty{}
	}
	var zero T
	select {
	case v := <-ready:
		return v
	case err := <-done:
		done <- nil // reported here, not again by the cleanup
		t.Fatalf("serve ended before listening: %v\n%s", err, out)
	case <-time.After(StartTimeout):
		t.Fatalf("serve did not listen within %s\n%s", StartTimeout, out)
	}
	return zero
}

type empty struct{}

func (empty) String() string { return "" }
