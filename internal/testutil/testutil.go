// Package testutil holds the helpers wxkit's tests share: a buffer that
// goroutines may write to at once, a poll that waits on a condition instead of
// sleeping, a logger that records what it is told, and checks for goroutines left
// behind. Only tests import it (imports_test.go enforces that).
package testutil

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// WaitTimeout bounds WaitFor. The work tests wait for takes milliseconds; the
// margin is for a busy 2-core machine, not for slow code.
const WaitTimeout = 10 * time.Second

// WaitFor polls cond every couple of milliseconds until it holds, and fails t
// (with what, formatted with args) if it does not within WaitTimeout. Wait on the
// condition itself, never on a sleep or on a proxy for it.
func WaitFor(t testing.TB, cond func() bool, what string, args ...any) {
	t.Helper()
	if !Eventually(cond) {
		t.Fatalf("timed out after %s waiting for "+what, append([]any{WaitTimeout}, args...)...)
	}
}

// Eventually reports whether cond became true within WaitTimeout, for a test
// that says more than WaitFor's message when it did not.
func Eventually(cond func() bool) bool {
	deadline := time.Now().Add(WaitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
	return true
}

// SyncBuffer is a bytes.Buffer that is safe for concurrent writes and reads: a
// log handler's output read by the test while goroutines log.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Len returns how many bytes were written so far.
func (s *SyncBuffer) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Len()
}

// Logger returns a text logger at debug level and the buffer it writes to.
func Logger() (*slog.Logger, *SyncBuffer) {
	buf := &SyncBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// ErrString is err.Error(), or "" for nil.
func ErrString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// GoroutinesLeft reports whether the stack of any goroutine mentions one of
// marks (a package path or a method such as "credential.(*core)").
func GoroutinesLeft(marks ...string) bool {
	return len(Goroutines(marks...)) > 0
}

// Goroutines returns the stacks of the goroutines that mention one of marks,
// for a failure message that names what stayed.
func Goroutines(marks ...string) []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var found []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		for _, m := range marks {
			if strings.Contains(g, m) {
				found = append(found, g)
				break
			}
		}
	}
	return found
}

// Shutdowner is a long-lived type of wxkit: a Manager, a Remote, a webhook
// Server, an OfficialAccount.
type Shutdowner interface {
	Shutdown(ctx context.Context) error
}

// Shutdown registers s's Shutdown to run when t ends, failing t if it does not
// finish within WaitTimeout.
func Shutdown(t testing.TB, s Shutdowner) {
	t.Helper()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), WaitTimeout)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
}

// RoundTripFunc is an http.RoundTripper made of a function: a transport that
// hangs, fails or answers as a test needs.
type RoundTripFunc func(*http.Request) (*http.Response, error)

// RoundTrip calls f.
func (f RoundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Missing ends t because something it needs outside Go (a browser, a
// redis-server) is not installed: it skips t with what, and how to install
// it, unless the environment variable require is "1" (CI sets it, so that CI
// never passes by skipping), when it fails t instead.
func Missing(t testing.TB, require, what string) {
	t.Helper()
	if os.Getenv(require) == "1" {
		t.Fatalf("%s, and %s=1: the test must run", what, require)
	} else {
		t.Skipf("%s; skipping (set %s=1 to fail instead)", what, require)
	}
}
