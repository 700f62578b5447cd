// Package httpserve runs the HTTP server of a runnable program (examples/ and
// cmd/wxsim) until it is told to stop, then shuts it down gracefully within a
// bound, and says at which address a browser on this machine reaches it.
package httpserve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// ShutdownTimeout bounds a graceful shutdown: the requests under way, then what
// the program started.
const ShutdownTimeout = 10 * time.Second

// Run serves srv on ln until ctx ends (a signal) or srv fails. Then it shuts srv
// down (no new requests; the ones under way finish) and calls each of stops in
// order, all within ShutdownTimeout, logging "<name>: shutting down" and, when
// everything stopped cleanly, "<name>: stopped". It returns every error but
// http.ErrServerClosed.
func Run(ctx context.Context, srv *http.Server, ln net.Listener, logger *slog.Logger, name string, stops ...func(context.Context) error) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var err error
	serving := true
	select {
	case err = <-errc: // Serve never returns nil
		serving = false
	case <-ctx.Done():
		logger.Info(name + ": shutting down")
	}
	shutdown, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	var stopErr error // what went wrong while stopping: a bare "context deadline exceeded" says little
	if serving {
		stopErr = srv.Shutdown(shutdown)
		if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
			err = serr
		}
	}
	if err = errors.Join(err, stopWithin(shutdown, stopErr, stops)); err != nil {
		return err
	}
	logger.Info(name + ": stopped")
	return nil
}

// Stop runs stops in turn within ShutdownTimeout in all, for a program that
// fails to start after some of what it runs has started: it stops what did.
// Its error says it came from shutting down, and within what limit.
func Stop(stops ...func(context.Context) error) error {
	shutdown, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	return stopWithin(shutdown, nil, stops)
}

// stopWithin runs stops on ctx and joins their errors to err, as the error of
// shutting down.
func stopWithin(ctx context.Context, err error, stops []func(context.Context) error) error {
	for _, stop := range stops {
		err = errors.Join(err, stop(ctx))
	}
	if err != nil {
		return fmt.Errorf("shutting down (within %s): %w", ShutdownTimeout, err)
	}
	return nil
}

// Loopback returns the address at which this machine reaches the listener a:
// one on every interface (":8080", "[::]:8080") is reached at 127.0.0.1:8080.
// The programs print it, and build their sandbox URLs with it.
func Loopback(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !(tcp.IP == nil || tcp.IP.IsUnspecified()) {
		return a.String()
	}
	return fmt.Sprintf("127.0.0.1:%d", tcp.Port)
}
