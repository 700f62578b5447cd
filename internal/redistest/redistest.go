// Package redistest runs a throwaway redis-server for tests: on a free loopback
// port, with persistence off, stopped when the test ends. A test can stop it and
// start it again on the same port to play an outage.
//
//	srv := redistest.Start(t) // skips the test when redis-server is not installed (fails it with WXKIT_REQUIRE_REDIS=1)
//	rdb := srv.Client(t)
//	srv.Stop(); srv.Restart()
package redistest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/wxkit/wechat/internal/testutil"
)

// Binary is the program Start runs, looked up in PATH.
const Binary = "redis-server"

// RequireEnv makes a missing redis-server a failure instead of a skip.
const RequireEnv = "WXKIT_REQUIRE_REDIS"

// startTimeout bounds how long a redis-server may take to answer PING.
const startTimeout = 10 * time.Second

// Server is one redis-server process owned by a test.
type Server struct {
	t    testing.TB
	bin  string
	dir  string
	port int

	mu     sync.Mutex
	proc   *os.Process   // nil while stopped
	reaped chan struct{} // closed once proc has exited and been waited for
}

// Start runs redis-server on a free 127.0.0.1 port with RDB and AOF persistence
// off, waits until it answers PING and stops it when the test ends. It skips t
// when redis-server is not installed, or fails it when WXKIT_REQUIRE_REDIS=1
// (CI sets it).
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath(Binary)
	if err != nil {
		testutil.Missing(t, RequireEnv, "redistest: "+Binary+" is not installed (apt-get install redis-server) and this test needs a real Redis")
	}
	s := &Server{t: t, bin: bin, dir: t.TempDir()}
	var last error
	for range 5 { // the free port may be taken between probing and binding
		if s.port, err = freePort(); err != nil {
			t.Fatalf("redistest: finding a free port: %v", err)
		}
		if last = s.start(); last == nil {
			t.Cleanup(s.Stop)
			return s
		}
	}
	t.Fatalf("redistest: %v", last)
	return nil
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// URL is the server's redis:// URL, as REDIS_URL takes it.
func (s *Server) URL() string { return "redis://" + s.Addr() + "/0" }

// Client returns a new client of the server, closed when the test ends. A
// stopped server refuses connections at once, so an outage shows up fast; the
// read and write timeouts are long enough for a busy 2-core machine running the
// race detector, where a 1 s timeout made a healthy Redis look down (and a
// Manager fetch without the lock).
func (s *Server) Client(t testing.TB) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{
		Addr:         s.Addr(),
		DialTimeout:  time.Second,
		ReadTimeout:  5 * time.Second,
		WriteTimeout: 5 * time.Second,
		MaxRetries:   1,

		DialerRetries:      1,
		DialerRetryTimeout: 10 * time.Millisecond,
	})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// Stop ends the process (SIGKILL: nothing to save) and waits for it. Stopping a
// stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return
	}
	_ = s.proc.Kill()
	<-s.reaped
	s.proc = nil
}

// Restart starts a stopped server again on the same port, empty. It fails the
// test if the server does not come up.
func (s *Server) Restart() {
	s.t.Helper()
	var err error
	for range 50 { // the port can linger a moment after the kill
		if err = s.start(); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("redistest: restart: %v", err)
}

func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		return nil
	}
	out := &bytes.Buffer{}
	cmd := exec.Command(s.bin,
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", s.dir,
		"--daemonize", "no", "--loglevel", "warning")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", s.bin, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	if err := waitReady(s.Addr(), exited); err != nil {
		_ = cmd.Process.Kill()
		<-exited
		return fmt.Errorf("%s on port %d: %w; output:\n%s", s.bin, s.port, err, out.String())
	}
	s.proc, s.reaped = cmd.Process, exited // the goroutine above reaps it
	return nil
}

func waitReady(addr string, exited <-chan struct{}) error {
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer rdb.Close()
	deadline := time.Now().Add(startTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("exited before answering PING")
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no PONG within %s: %w", startTimeout, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
