package settings

import (
	"net/http"
	"time"
)

// The runnable programs' HTTP timeouts. Every connection is bounded: a client
// that sends its headers or body slowly, reads the answer slowly, or keeps an
// idle connection open, is cut off. WriteTimeout is counted from the end of the
// request headers, so it covers the webhook's reply deadline (4.5 s) with room
// to spare.
const (
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 10 * time.Second // headers and a 1 MiB body
	WriteTimeout      = 15 * time.Second // past message.DefaultDeadline and a slow central-server answer
	IdleTimeout       = 60 * time.Second
	MaxHeaderBytes    = 64 << 10

	// TokenWaitWriteTimeout is the WriteTimeout of a server whose answers may
	// wait for a cold access_token fetch: its attempts take up to 20 s, and
	// another server's lock on the store may come first.
	TokenWaitWriteTimeout = time.Minute
)

// HTTPServer returns an http.Server for h with the timeouts above.
func HTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
	}
}
