package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// The event stream (Server-Sent Events) tells open pages what changed: a new
// or updated exchange, a message the bot sent through the API, the menu, the
// mode. A page that falls behind is dropped; its EventSource reconnects and
// the page reloads its state.
const (
	maxStreams      = 16
	streamBuffer    = 256
	streamKeepAlive = 20 * time.Second // a comment line this often keeps proxies and the browser from timing out
)

type hub struct {
	mu      sync.Mutex
	streams map[chan []byte]struct{}
	closed  bool
	done    chan struct{}
}

func newHub() *hub { return &hub{streams: map[chan []byte]struct{}{}, done: make(chan struct{})} }

// publish sends event with data (JSON) to every stream. It never blocks: a
// stream whose buffer is full is closed.
func (h *hub) publish(event string, data any) {
	b, err := json.Marshal(data)
	if err != nil {
		return // our own types always marshal
	}
	msg := fmt.Appendf(nil, "event: %s\ndata: %s\n\n", event, b)
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.streams {
		select {
		case c <- msg:
		default:
			delete(h.streams, c)
			close(c)
		}
	}
}

// close ends every stream and refuses new ones.
func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	close(h.done)
	for c := range h.streams {
		delete(h.streams, c)
		close(c)
	}
}

func (h *hub) subscribe() (chan []byte, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || len(h.streams) >= maxStreams {
		return nil, false
	}
	c := make(chan []byte, streamBuffer)
	h.streams[c] = struct{}{}
	return c, true
}

func (h *hub) unsubscribe(c chan []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.streams[c]; ok {
		delete(h.streams, c)
		close(c)
	}
}

// ServeHTTP streams events to one page until it goes away, falls behind, or
// the simulator stops.
func (h *hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, ok := h.subscribe()
	if !ok {
		http.Error(w, "too many open pages", http.StatusServiceUnavailable)
		return
	}
	defer h.unsubscribe(c)
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a stream lasts as long as the page
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write([]byte(": wxsim\n\n")); err != nil {
		return
	}
	_ = rc.Flush()
	tick := time.NewTicker(streamKeepAlive)
	defer tick.Stop()
	for {
		select {
		case msg, ok := <-c:
			if !ok {
				return
			}
			if _, err := w.Write(msg); err != nil {
				return
			}
		case <-tick.C:
			if _, err := w.Write([]byte(": ping\n\n")); err != nil {
				return
			}
		case <-r.Context().Done():
			return
		case <-h.done:
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
