package httpserve

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/wxkit/wechat/internal/testutil"
)

// TestLoopback: a listener on every interface is reached on 127.0.0.1, any other
// at its own address.
func TestLoopback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{Port: 9000}, "127.0.0.1:9000"},
		{&net.TCPAddr{IP: net.IPv4zero, Port: 8080}, "127.0.0.1:8080"},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}, "127.0.0.1:8080"},
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9000}, "127.0.0.1:9000"},
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}, "127.0.0.1:1"},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 9000}, "[::1]:9000"},
		{&net.UnixAddr{Name: "/tmp/s", Net: "unix"}, "/tmp/s"},
	}
	for _, tt := range tests {
		if got := Loopback(tt.addr); got != tt.want {
			t.Errorf("Loopback(%v) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}

// TestRun: Run serves until ctx ends, then stops the server and everything
// else in order, returning their errors; a server that fails still has what
// the program started stopped.
func TestRun(t *testing.T) {
	t.Parallel()
	t.Run("signal", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		logger, logs := testutil.Logger()
		ctx, cancel := context.WithCancel(t.Context())
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { cancel() })}
		var order []string
		stopErr := errors.New("stop failed")
		done := make(chan error, 1)
		go func() {
			done <- Run(ctx, srv, ln, logger, "prog",
				func(context.Context) error { order = append(order, "a"); return nil },
				func(context.Context) error { order = append(order, "b"); return stopErr })
		}()
		resp, err := http.Get("http://" + Loopback(ln.Addr()))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if err := <-done; !errors.Is(err, stopErr) || !strings.Contains(err.Error(), "shutting down (within 10s)") {
			t.Errorf("Run = %v, want %v, said to come from shutting down", err, stopErr)
		}
		if got := strings.Join(order, ","); got != "a,b" {
			t.Errorf("stops ran as %q, want %q", got, "a,b")
		}
		if s := logs.String(); !strings.Contains(s, "prog: shutting down") || strings.Contains(s, "prog: stopped") {
			t.Errorf("logs = %q, want shutting down and no stopped", s)
		}
	})
	t.Run("serve fails", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln.Close() // Serve fails at once
		logger, _ := testutil.Logger()
		stopped := false
		err = Run(t.Context(), &http.Server{}, ln, logger, "prog", func(context.Context) error { stopped = true; return nil })
		if err == nil || errors.Is(err, http.ErrServerClosed) || !stopped {
			t.Errorf("Run on a closed listener = %v, stopped %v; want its error, and stopped", err, stopped)
		}
	})
}

// TestStop: Stop runs every stop in turn, whatever one returns, on a context
// bounded by ShutdownTimeout, and says the error came from shutting down.
func TestStop(t *testing.T) {
	t.Parallel()
	var order []string
	failed := errors.New("stop failed")
	err := Stop(
		func(ctx context.Context) error {
			if _, ok := ctx.Deadline(); !ok {
				t.Error("a stop's context has no deadline")
			}
			order = append(order, "a")
			return failed
		},
		func(context.Context) error { order = append(order, "b"); return nil })
	if !errors.Is(err, failed) || !strings.Contains(err.Error(), "shutting down (within 10s)") {
		t.Errorf("Stop = %v, want %v, said to come from shutting down", err, failed)
	}
	if got := strings.Join(order, ","); got != "a,b" {
		t.Errorf("stops ran as %q, want %q", got, "a,b")
	}
	if err := Stop(func(context.Context) error { return nil }); err != nil {
		t.Errorf("Stop of what stops cleanly = %v", err)
	}
}
