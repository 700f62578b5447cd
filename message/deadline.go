package message

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// call is one handler run, and the handler's context. The handler runs on the
// request's goroutine: handing every push to a goroutine of its own cost more
// than all of safe mode's cryptography (two scheduler wake-ups per push). The
// deadline is kept by the Server's deadline queue instead: if the handler has
// not returned by then, the queue's watchdog answers "success" on the request's
// ResponseWriter and flushes it, while the handler goes on (see expire).
// Whoever moves state first (the handler returning, or the deadline) decides
// whether the reply is answered or handed to the late-reply hook. The context
// ends when the handler returns (Canceled) or at the deadline
// (DeadlineExceeded), whichever comes first.
//
// The context is hand-written rather than context.WithDeadline because every
// push pays for it: a timer per push cost as much as a third of the safe-mode
// crypto floor. The deadlines of a Server share one timer (deadlineQueue);
// contexts derived from a call attach to it with AfterFunc, so that no
// goroutine waits on it. That holds for a direct child only: the context
// package looks for AfterFunc on the parent itself, so a child made through a
// context.WithValue layer (a middleware adding a value) follows the call with a
// goroutine until either ends, as for any Context the package does not know;
// under a context.WithDeadline it needed none. Nothing leaks: the call always
// ends.
type call struct {
	srv      *Server
	req      context.Context // the request's context, for Value only: see call.Value
	msg      *Message
	deadline time.Time
	state    atomic.Int32

	// For the watchdog, should the deadline pass first: the request's writer
	// and what it answers. The request's goroutine does not touch them while
	// the handler runs.
	w   http.ResponseWriter
	ref dedupRef // the push's, to store the answer
	// answered is made by the deadline queue before it moves state to expired
	// (so the request's goroutine, which sees expired, sees it too) and closed
	// by the watchdog once it is done with w.
	answered chan struct{}

	// done is Done's channel, made when first asked for: most handlers never
	// ask, and a channel per push is an allocation. end stores closedChan
	// when it was never made.
	done atomic.Pointer[chan struct{}]

	mu    sync.Mutex
	err   error
	after map[*afterCall]struct{} // AfterFunc callbacks still to run

	prev, next *call // in the Server's deadline queue, guarded by its lock
	queued     bool
}

// A call's state: its handler running, returned before the deadline, or
// past the deadline (the watchdog answers).
const (
	running int32 = iota
	returned
	expired
)

// run calls the handler with a context that ends at the deadline and returns
// the rendered reply, or nil for "success" (no reply, a panic, an invalid
// reply, or WithMaxHandlers running already, when the handler is not called).
// The push holds its dedup claim. When the deadline passes first, the
// watchdog has answered on w and finished the claim: run sets in.answered,
// hands the handler's reply to the late-reply hook and returns nil.
func (srv *Server) run(ctx context.Context, in *inbound, w http.ResponseWriter) []byte {
	if srv.running.Add(1) > int64(srv.maxHandlers) {
		srv.handlerDone() // not started after all; others may have ended meanwhile
		if ok, suppressed := srv.dropLog.Allow(srv.now()); ok {
			srv.logger.LogAttrs(ctx, slog.LevelError, "message: too many handlers running (WithMaxHandlers); answered success without handling",
				slog.Int("max_handlers", srv.maxHandlers), slog.String("msg_type", string(in.msg.MsgType)),
				slog.String("event", string(in.msg.Event)), slog.Int64("suppressed", suppressed))
		}
		return nil
	}
	c := in.call // open made it with the message: run runs once a push (see dispatch)
	c.srv, c.req, c.msg, c.deadline, c.w, c.ref = srv, ctx, in.msg, in.arrived.Add(srv.deadline), w, in.dedupRef
	srv.deadlines.add(c)
	defer srv.handlerDone()
	r, first := c.invoke()
	if !first {
		in.answered = true
		srv.late(c, c.msg, r)
		return nil
	}
	return srv.render(ctx, r, in)
}

// invoke runs the handler and settles c, and reports whether the handler
// returned before the deadline. c is settled even when the handler ends its
// goroutine (runtime.Goexit, as t.FailNow does in a test handler).
func (c *call) invoke() (r Reply, first bool) {
	defer func() { first = c.settle() }()
	return c.handle(), false
}

// settle ends c once its handler has returned. It reports whether the handler
// was first; if the deadline was, it waits until the watchdog is done with the
// request's writer, which the request's goroutine may use again after. Either
// way c lets go of the writer: a handler that keeps its message keeps c too,
// and the writer would keep the whole response and its connection's buffers.
func (c *call) settle() bool {
	first := c.state.CompareAndSwap(running, returned)
	if first {
		c.srv.deadlines.remove(c)
		c.end(context.Canceled)
	} else {
		<-c.answered
	}
	c.w = nil
	return first
}

// expire is the watchdog's answer to a call whose deadline passed first: it
// answers "success" on the request's writer and flushes it, with its length,
// so that WeChat has a whole response while the handler goes on, then stores
// it for WeChat's retries. The answer says Connection: close, since the
// connection stays busy until the handler returns: a client must not send its
// next push on it. It runs on a goroutine of its own, never on the queue's
// timer, so that a slow client cannot hold up the other deadlines.
func (srv *Server) expire(c *call) {
	defer close(c.answered)
	srv.logger.LogAttrs(c.req, slog.LevelWarn, "message: handler missed the deadline; answered success",
		slog.String("msg_type", string(c.msg.MsgType)), slog.String("event", string(c.msg.Event)),
		slog.Duration("deadline", srv.deadline))
	c.w.Header()["Connection"] = connectionClose
	switch err := srv.flushAnswer(c.w); {
	case errors.Is(err, http.ErrNotSupported):
		if !srv.noFlushLogged.Swap(true) {
			srv.logger.LogAttrs(c.req, slog.LevelError, "message: the ResponseWriter cannot flush, so the deadline's answer leaves only when the handler returns; mount the Server where the writer flushes (net/http's does; gin's and echo's do when no buffering middleware, such as a timeout or body dump, wraps them)",
				slog.String("err", err.Error()))
		}
	case err != nil: // the client went away: WeChat retries, and the retry finds the answer stored
		srv.logger.LogAttrs(c.req, slog.LevelInfo, "message: the deadline's answer could not be sent",
			slog.String("err", err.Error()))
	}
	srv.finish(c.req, &c.ref, nil)
}

var connectionClose = []string{"close"}

// flushAnswer writes "success" on w and flushes it, for expire. A writer
// whose Flush panics when what it wraps cannot flush (echo's, under a
// buffering middleware) counts as one that cannot flush: off the request's
// goroutine, nothing else would recover the panic, and it would end the
// program.
func (srv *Server) flushAnswer(w http.ResponseWriter) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: the writer panicked: %v", http.ErrNotSupported, p)
		}
	}()
	return srv.write(w, nil, nil, true)
}

func (c *call) handle() (r Reply) {
	defer func() {
		if p := recover(); p != nil {
			c.srv.logger.LogAttrs(c, slog.LevelError, "message: handler panicked; answered success",
				slog.Any("panic", p), slog.String("msg_type", string(c.msg.MsgType)),
				slog.String("event", string(c.msg.Event)), slog.String("stack", string(debug.Stack())))
			r = nil
		}
	}()
	return c.srv.h.ServeMessage(c, c.msg)
}

// lateReplyTimeout bounds the OnLateReply hook's context.
const lateReplyTimeout = time.Minute

// late delivers the reply of a handler that returned after the deadline.
func (srv *Server) late(hctx context.Context, m *Message, r Reply) {
	if isNoReply(r) {
		return
	}
	if srv.onLate == nil {
		srv.logger.LogAttrs(hctx, slog.LevelInfo, "message: late reply dropped (no OnLateReply hook)",
			slog.String("msg_type", string(m.MsgType)), slog.String("reply_type", string(r.MsgType())))
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(hctx), lateReplyTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			srv.logger.LogAttrs(ctx, slog.LevelError, "message: OnLateReply panicked",
				slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
		}
	}()
	srv.onLate(ctx, m, r)
}

// Shutdown waits until every handler still running, typically ones that missed
// their deadline, has returned and its late reply has been handed to the
// OnLateReply hook, or until ctx ends, returning ctx's error. Call it after the
// http.Server serving srv has shut down, so that no new push arrives meanwhile.
// That shutdown already waits for them in part: a handler runs on its
// request's goroutine, whose connection stays active until it returns; give
// both one time limit (internal/httpserve.Run does, for the examples).
//
// A Shutdown that gives up leaves nothing behind: it starts no goroutine.
func (srv *Server) Shutdown(ctx context.Context) error {
	srv.idleMu.Lock()
	srv.shutdownWaits.Store(true) // before the count is read: see handlerDone
	if srv.running.Load() == 0 {
		srv.idleMu.Unlock()
		return nil
	}
	if srv.idle == nil {
		srv.idle = make(chan struct{})
	}
	idle := srv.idle
	srv.idleMu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// handlerDone counts a handler out. The one that ends the last wakes
// the Shutdowns waiting: Shutdown sets shutdownWaits before it reads the count
// and the handler reads shutdownWaits after it lowered the count (both atomic,
// so in one order), so that either Shutdown sees no handler left or the last
// handler sees it waiting. Until a Shutdown is called, the count is all a
// handler pays.
func (srv *Server) handlerDone() {
	if srv.running.Add(-1) != 0 || !srv.shutdownWaits.Load() {
		return
	}
	srv.idleMu.Lock()
	defer srv.idleMu.Unlock()
	if srv.idle != nil && srv.running.Load() == 0 {
		close(srv.idle)
		srv.idle = nil
	}
}
