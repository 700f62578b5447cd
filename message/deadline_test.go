package message

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/wechattest"
)

type lateReply struct {
	msg   *Message
	reply Reply
	ctxOK bool
}

// TestDeadline: a handler still running at the deadline gets its context
// ended, WeChat gets "success" at once, and the reply the handler returns later
// goes to the OnLateReply hook. A retry meanwhile gets "success" and the handler
// still runs once.
func TestDeadline(t *testing.T) {
	t.Parallel()
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel()
			lates := make(chan lateReply, 1)
			var runs atomic.Int32
			release := make(chan struct{})
			hs := newHarness(t, HandlerFunc(func(ctx context.Context, m *Message) Reply {
				runs.Add(1)
				<-ctx.Done()
				if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
					t.Errorf("ctx.Err() = %v, want DeadlineExceeded", ctx.Err())
				}
				<-release // keep running well past the deadline
				return Text("late " + m.Content)
			}), WithDeadline(20*time.Millisecond), WithOnLateReply(func(ctx context.Context, m *Message, r Reply) {
				lates <- lateReply{m, r, ctx.Err() == nil}
			}))
			c := hs.client(mode)
			msg := c.Text("o1", "slow")
			// Answered while the handler is still held: at the deadline, not after it.
			if reply := hs.push(t, mode, msg); !reply.Success {
				t.Fatalf("answer = %q, want success", reply.Body)
			}
			if reply := hs.push(t, mode, msg); !reply.Success { // WeChat's retry
				t.Errorf("retry answered %q, want success", reply.Body)
			}
			close(release)
			select {
			case l := <-lates:
				if tr, ok := l.reply.(TextReply); !ok || tr.Content != "late slow" || l.msg.Content != "slow" || !l.ctxOK {
					t.Errorf("late hook got %+v", l)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the late reply never reached the hook")
			}
			if n := runs.Load(); n != 1 {
				t.Errorf("handler ran %d times, want 1", n)
			}
		})
	}
}

// TestDeadlineIgnoredContext: a handler that never looks at ctx still cannot
// hold the answer past the deadline.
func TestDeadlineIgnoredContext(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	done := make(chan struct{})
	hs := newHarness(t, HandlerFunc(func(context.Context, *Message) Reply {
		<-release
		defer close(done)
		return Text("late")
	}), WithDeadline(20*time.Millisecond))
	c := hs.client(wechattest.ModeSafe)
	if reply := hs.push(t, wechattest.ModeSafe, c.Text("o1", "x")); !reply.Success {
		t.Fatalf("answer = %q, want success", reply.Body)
	}
	close(release)
	<-done
	testutil.WaitFor(t, func() bool { return strings.Contains(hs.logs.String(), "late reply dropped") }, "the log line %q", "late reply dropped")
}

func TestPanicAnswersSuccess(t *testing.T) {
	t.Parallel()
	mux := NewMux()
	mux.HandleText(func(_ context.Context, m *Message) Reply {
		if m.Content == "boom" {
			var counts map[string]int
			counts["x"] = 1 //lint:ignore SA5000 a runtime panic on purpose, not just panic(...)
		}
		return Text("fine")
	})
	hs := newHarness(t, mux)
	for _, mode := range modes {
		c := hs.client(mode)
		if reply := hs.push(t, mode, c.Text("o1", "boom")); !reply.Success {
			t.Errorf("%s: answer to a panic = %q, want success", mode, reply.Body)
		}
		if reply := hs.push(t, mode, c.Text("o1", "ok")); reply.Message.Content != "fine" {
			t.Errorf("%s: after a panic the server answered %q", mode, reply.Body)
		}
	}
	logs := hs.logs.String()
	if !strings.Contains(logs, "handler panicked") || !strings.Contains(logs, "deadline_test.go") {
		t.Errorf("log = %s, want the panic with its stack", logs)
	}
}

func TestLateHookPanicIsContained(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	hs := newHarness(t, blockedUntil(release, Text("x")), WithDeadline(10*time.Millisecond), WithOnLateReply(func(context.Context, *Message, Reply) { panic("hook") }))
	c := hs.client(wechattest.ModePlaintext)
	hs.push(t, wechattest.ModePlaintext, c.Text("o1", "x"))
	close(release)
	testutil.WaitFor(t, func() bool { return strings.Contains(hs.logs.String(), "OnLateReply panicked") }, "the log line %q", "OnLateReply panicked")
}

// TestShutdownWaitsForLateHandlers: Shutdown returns only once a handler that
// missed its deadline has returned and its late reply reached the hook.
func TestShutdownWaitsForLateHandlers(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var late atomic.Int32
	hs := newHarness(t, blockedUntil(release, Text("late")), WithDeadline(10*time.Millisecond), WithOnLateReply(func(context.Context, *Message, Reply) {
		late.Add(1)
	}))
	c := hs.client(wechattest.ModePlaintext)
	if reply := hs.push(t, wechattest.ModePlaintext, c.Text("o1", "hi")); !reply.Success {
		t.Fatalf("reply = %s, want success at the deadline", reply.Body)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
	defer cancel()
	if err := hs.srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown with a handler running = %v, want DeadlineExceeded", err)
	}
	close(release)
	if err := hs.srv.Shutdown(t.Context()); err != nil {
		t.Fatalf("Shutdown = %v", err)
	}
	if late.Load() != 1 {
		t.Errorf("late replies delivered before Shutdown returned = %d, want 1", late.Load())
	}
}

// TestShutdownGivingUpLeavesNothing: a Shutdown whose ctx ends while a handler
// still runs returns without leaving a goroutine of its own behind, however
// often it is called; a later Shutdown still sees the handler end. Not
// parallel: it reads every goroutine's stack.
func TestShutdownGivingUpLeavesNothing(t *testing.T) {
	release := make(chan struct{})
	hs := newHarness(t, blockedUntil(release, nil), WithDeadline(10*time.Millisecond))
	c := hs.client(wechattest.ModePlaintext)
	if reply := hs.push(t, wechattest.ModePlaintext, c.Text("o1", "hi")); !reply.Success {
		t.Fatalf("reply = %s, want success at the deadline", reply.Body)
	}
	for range 3 {
		ctx, cancel := context.WithTimeout(t.Context(), time.Millisecond)
		err := hs.srv.Shutdown(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Shutdown with a handler running = %v, want DeadlineExceeded", err)
		}
	}
	if testutil.GoroutinesLeft("message.(*Server).Shutdown") {
		t.Error("a Shutdown that gave up left a goroutine behind")
	}
	close(release)
	if err := hs.srv.Shutdown(t.Context()); err != nil {
		t.Fatalf("Shutdown once the handler returned = %v", err)
	}
}

// TestMaxHandlers: handlers that ignore their context cannot pile up: beyond
// WithMaxHandlers a push is answered "success" at once, unhandled, and logged.
func TestMaxHandlers(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var runs atomic.Int32
	hs := newHarness(t, HandlerFunc(func(context.Context, *Message) Reply {
		runs.Add(1)
		<-release // ignores ctx
		return nil
	}), WithDeadline(10*time.Millisecond), WithMaxHandlers(2))
	c := hs.client(wechattest.ModeSafe)
	for range 2 {
		if reply := hs.push(t, wechattest.ModeSafe, c.Text("o1", "slow")); !reply.Success {
			t.Fatalf("answer %q, want success at the deadline", reply.Body)
		}
	}
	for range 5 {
		if reply := hs.push(t, wechattest.ModeSafe, c.Text("o1", "one too many")); !reply.Success {
			t.Fatalf("answer %q, want success", reply.Body)
		}
	}
	if n := runs.Load(); n != 2 {
		t.Errorf("handlers started = %d, want 2 (the limit)", n)
	}
	if !strings.Contains(hs.logs.String(), "too many handlers running") {
		t.Errorf("the refusal was not logged: %s", hs.logs)
	}
	close(release)
	testutil.Shutdown(t, hs.srv)
	testutil.WaitFor(t, func() bool { return hs.srv.running.Load() == 0 }, "no handler running")
	hs.push(t, wechattest.ModeSafe, c.Text("o1", "after"))
	if n := runs.Load(); n != 3 {
		t.Errorf("after the handlers returned: started = %d, want 3", n)
	}
}

type ctxKey struct{}

// TestHandlerContext: the handler's context carries the request's values and
// the deadline; contexts derived from it end with it, with its error, and
// follow it without a goroutine of their own; it ends Canceled when the
// handler returns, DeadlineExceeded at the deadline.
func TestHandlerContext(t *testing.T) {
	t.Parallel()
	type seen struct {
		value        any
		deadline     time.Time
		hasDeadline  bool
		goroutine    bool  // a derived context needed a goroutine
		childErr     error // a WithTimeout child of the handler's context, once it ended
		cause        error
		afterFuncRan bool
	}
	got := make(chan seen, 1)
	var kept atomic.Pointer[context.Context] // the context of a handler that returned
	var keptChild atomic.Pointer[context.Context]
	hs := newHarness(t, HandlerFunc(func(ctx context.Context, m *Message) Reply {
		child, cancel := context.WithTimeout(ctx, time.Hour)
		defer cancel()
		if m.Content == "quick" {
			grand, cancelGrand := context.WithCancel(ctx) // left to the parent to end
			t.Cleanup(cancelGrand)
			kept.Store(&ctx)
			keptChild.Store(&grand)
			return Text("quick")
		}
		ran := make(chan struct{})
		context.AfterFunc(ctx, func() { close(ran) })
		var s seen
		s.value = ctx.Value(ctxKey{})
		s.deadline, s.hasDeadline = ctx.Deadline()
		s.goroutine = testutil.GoroutinesLeft("propagateCancel")
		<-child.Done()
		<-ran
		s.childErr, s.cause, s.afterFuncRan = child.Err(), context.Cause(ctx), true
		got <- s
		return nil
	}), WithDeadline(50*time.Millisecond))
	c := hs.client(wechattest.ModePlaintext)

	req, err := c.NewRequest(context.WithValue(t.Context(), ctxKey{}, "from the request"), c.Text("o1", "slow"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if rec := hs.serve(req); rec.Code != 200 || rec.Body.String() != "success" {
		t.Fatalf("answer %d %q, want success at the deadline", rec.Code, rec.Body)
	}
	s := <-got
	if s.value != "from the request" || !s.hasDeadline || s.deadline.Before(start) || s.deadline.After(start.Add(time.Second)) {
		t.Errorf("handler saw value %v, deadline %v (set %v); want the request's value and a deadline 50ms after %v", s.value, s.deadline, s.hasDeadline, start)
	}
	if s.goroutine {
		t.Error("a context derived from the handler's started a goroutine to follow it")
	}
	if !errors.Is(s.childErr, context.DeadlineExceeded) || !errors.Is(s.cause, context.DeadlineExceeded) || !s.afterFuncRan {
		t.Errorf("at the deadline: child %v, cause %v, AfterFunc ran %v; want DeadlineExceeded, DeadlineExceeded, true", s.childErr, s.cause, s.afterFuncRan)
	}

	if rec := hs.serve(mustRequest(t, c, c.Text("o1", "quick"))); rec.Code != 200 {
		t.Fatalf("quick: %d", rec.Code)
	}
	ctx, child := *kept.Load(), *keptChild.Load()
	<-child.Done()
	if !errors.Is(ctx.Err(), context.Canceled) || !errors.Is(child.Err(), context.Canceled) {
		t.Errorf("after the handler returned: ctx %v, child %v; want Canceled", ctx.Err(), child.Err())
	}

}

func mustRequest(t *testing.T, c *wechattest.WebhookClient, msg []byte) *http.Request {
	t.Helper()
	req, err := c.NewRequest(t.Context(), msg)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// TestHandlerContextCauseIsItsOwn: the request's context gives the handler's
// its values, not its end: when the request is cancelled (the client went
// away) with a cause, the handler's context still ends at its own deadline,
// and context.Cause reports that, not the request's cause.
func TestHandlerContextCauseIsItsOwn(t *testing.T) {
	t.Parallel()
	gone := errors.New("client gone")
	reqCtx, cancelReq := context.WithCancelCause(t.Context())
	t.Cleanup(func() { cancelReq(nil) })
	type seen struct{ errAtCancel, err, cause error }
	got := make(chan seen, 1)
	hs := newHarness(t, HandlerFunc(func(ctx context.Context, _ *Message) Reply {
		cancelReq(gone)
		var s seen
		s.errAtCancel = ctx.Err()
		<-ctx.Done()
		s.err, s.cause = ctx.Err(), context.Cause(ctx)
		got <- s
		return nil
	}), WithDeadline(50*time.Millisecond))
	c := hs.client(wechattest.ModePlaintext)
	req, err := c.NewRequest(reqCtx, c.Text("o1", "hello"))
	if err != nil {
		t.Fatal(err)
	}
	hs.serve(req)
	s := <-got
	if s.errAtCancel != nil || !errors.Is(s.err, context.DeadlineExceeded) || !errors.Is(s.cause, context.DeadlineExceeded) {
		t.Errorf("request cancelled with a cause: handler's Err then %v, at its end %v, Cause %v; want nil, DeadlineExceeded, DeadlineExceeded", s.errAtCancel, s.err, s.cause)
	}
}

// TestHandlerContextDone: Done is closed once the handler returned, whether
// it was asked for while the handler ran or only afterwards.
func TestHandlerContextDone(t *testing.T) {
	t.Parallel()
	type kept struct {
		ctx    context.Context
		during <-chan struct{} // Done asked for while the handler ran; nil if not
	}
	got := make(chan kept, 2)
	hs := newHarness(t, HandlerFunc(func(ctx context.Context, m *Message) Reply {
		k := kept{ctx: ctx}
		if m.Content == "ask" {
			k.during = ctx.Done()
		}
		got <- k
		return nil
	}))
	c := hs.client(wechattest.ModePlaintext)
	for _, content := range []string{"ask", "keep"} {
		hs.serve(mustRequest(t, c, c.Text("o1", content)))
		k := <-got
		for _, done := range []<-chan struct{}{k.during, k.ctx.Done()} {
			if done == nil {
				continue
			}
			select {
			case <-done:
			default:
				t.Errorf("%s: after the handler returned, Done is not closed", content)
			}
		}
		if !errors.Is(k.ctx.Err(), context.Canceled) {
			t.Errorf("%s: after the handler returned, Err = %v, want Canceled", content, k.ctx.Err())
		}
	}
}

// TestDeadlineOverHTTP: over a real connection, a handler past its deadline has
// "success" reach the client whole while it still runs, marked Connection:
// close, so that a keep-alive client does not queue its next push behind the
// busy connection: the next push, on the same client, is answered at once.
func TestDeadlineOverHTTP(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	lates := make(chan Reply, 1)
	hs := newHarness(t, HandlerFunc(func(_ context.Context, m *Message) Reply {
		if m.Content == "slow" {
			<-release
		}
		return Text("re: " + m.Content)
	}), WithDeadline(20*time.Millisecond), WithOnLateReply(func(_ context.Context, _ *Message, r Reply) { lates <- r }))
	web := httptest.NewServer(hs.srv)
	t.Cleanup(web.Close)
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release) // a failed test must not leave web.Close waiting on the handler
		}
	})
	c := hs.fake.WebhookClient(web.URL+"/wechat", wechattest.ModeSafe)
	client := &http.Client{Transport: &http.Transport{}, Timeout: testutil.WaitTimeout}
	t.Cleanup(client.CloseIdleConnections)
	send := func(content string) (*http.Response, *wechattest.WebhookReply) {
		t.Helper()
		req := mustRequest(t, c, c.Text("o1", content))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("push %q: %v", content, err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("push %q: reading the answer: %v", content, err)
		}
		reply, err := c.DecodeReply(resp.StatusCode, body)
		if err != nil {
			t.Fatalf("push %q: %v", content, err)
		}
		return resp, reply
	}

	resp, reply := send("slow") // answered while the handler is held
	if !reply.Success || !resp.Close || resp.ContentLength != int64(len("success")) {
		t.Fatalf("slow push: success %v, Connection: close %v, Content-Length %d; want true, true, 7", reply.Success, resp.Close, resp.ContentLength)
	}
	resp, reply = send("fast")
	if reply.Message.Content != "re: fast" || resp.Close {
		t.Fatalf("the next push, the slow handler still running: %q (Connection: close %v)", reply.Body, resp.Close)
	}
	close(release)
	select {
	case r := <-lates:
		if tr, ok := r.(TextReply); !ok || tr.Content != "re: slow" {
			t.Errorf("late reply %+v, want re: slow", r)
		}
	case <-time.After(testutil.WaitTimeout):
		t.Fatal("the late reply never reached the hook")
	}
}

// blockedUntil is a handler that answers reply once release is closed or sent
// on, ignoring its context: one that runs past a short deadline.
func blockedUntil(release <-chan struct{}, reply Reply) Handler {
	return HandlerFunc(func(context.Context, *Message) Reply {
		<-release
		return reply
	})
}

// noFlushWriter hides the Flush of the writer it wraps, like a middleware
// that buffers the response.
type noFlushWriter struct{ w *flushRecorder }

func (n noFlushWriter) Header() http.Header         { return n.w.Header() }
func (n noFlushWriter) Write(p []byte) (int, error) { return n.w.Write(p) }
func (n noFlushWriter) WriteHeader(code int)        { n.w.WriteHeader(code) }

// TestDeadlineWriterCannotFlush: on a writer that cannot flush, the deadline's
// answer is still written, and leaves when the handler returns; the Server
// says why, once.
func TestDeadlineWriterCannotFlush(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	hs := newHarness(t, blockedUntil(release, nil), WithDeadline(10*time.Millisecond))
	c := hs.client(wechattest.ModePlaintext)
	for i := range 2 {
		rec := newFlushRecorder()
		done := serveAsync(hs.srv, noFlushWriter{rec}, mustRequest(t, c, c.Text("o1", "x"+strconv.Itoa(i))))
		testutil.WaitFor(t, func() bool { return rec.snapshot().Body.Len() > 0 }, "the deadline's answer")
		release <- struct{}{}
		<-done
		if got := rec.snapshot(); got.Body.String() != "success" || got.Header().Get("Connection") != "close" {
			t.Errorf("answer %q %v, want success with Connection: close", got.Body, got.Header())
		}
	}
	if n := strings.Count(hs.logs.String(), "cannot flush"); n != 1 {
		t.Errorf("logged %d times, want once", n)
	}
}

// panicFlushWriter's Flush panics, as echo's Response does when the writer it
// wraps cannot flush.
type panicFlushWriter struct{ noFlushWriter }

func (panicFlushWriter) Flush() { panic("response writer flushing is not supported") }

// TestDeadlineFlushPanics: a Flush that panics in the deadline's answer, on
// the watchdog's goroutine, does not end the program: it counts as a writer
// that cannot flush, and the answer leaves when the handler returns.
func TestDeadlineFlushPanics(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	hs := newHarness(t, blockedUntil(release, nil), WithDeadline(10*time.Millisecond))
	c := hs.client(wechattest.ModePlaintext)
	rec := newFlushRecorder()
	done := serveAsync(hs.srv, panicFlushWriter{noFlushWriter{rec}}, mustRequest(t, c, c.Text("o1", "x")))
	testutil.WaitFor(t, func() bool { return strings.Contains(hs.logs.String(), "cannot flush") }, "the log line %q", "cannot flush")
	close(release)
	<-done
	if got := rec.snapshot(); got.Body.String() != "success" {
		t.Errorf("answer %q, want success", got.Body)
	}
	if !strings.Contains(hs.logs.String(), "panicked") {
		t.Errorf("the log does not say the writer panicked: %s", hs.logs)
	}
}

// TestHandlerGoexit: a handler that ends its goroutine (t.FailNow in a test
// handler) still has its call settled: no handler counted as running, no
// deadline left queued, and a Shutdown does not wait for it.
func TestHandlerGoexit(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, HandlerFunc(func(context.Context, *Message) Reply {
		runtime.Goexit()
		return nil
	}), WithDeadline(time.Hour))
	c := hs.client(wechattest.ModePlaintext)
	<-serveAsync(hs.srv, httptest.NewRecorder(), mustRequest(t, c, c.Text("o1", "x")))
	if n := hs.srv.running.Load(); n != 0 {
		t.Errorf("handlers counted as running: %d, want 0", n)
	}
	hs.srv.deadlines.mu.Lock()
	queued := hs.srv.deadlines.head != nil
	hs.srv.deadlines.mu.Unlock()
	if queued {
		t.Error("the call's deadline is still queued")
	}
	testutil.Shutdown(t, hs.srv)
}

// goneWriter is a writer whose client has gone: its flush fails.
type goneWriter struct{ noFlushWriter }

func (goneWriter) FlushError() error { return io.ErrClosedPipe }

// TestDeadlineClientGone: when the deadline's answer cannot be flushed because
// the client went away, that is said plainly (at Info), not blamed on the
// writer; WeChat's retry is answered "success" while the handler runs on.
func TestDeadlineClientGone(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	hs := newHarness(t, blockedUntil(release, nil), WithDeadline(10*time.Millisecond))
	c := hs.client(wechattest.ModePlaintext)
	msg := c.Text("o1", "x")
	done := serveAsync(hs.srv, goneWriter{noFlushWriter{newFlushRecorder()}}, mustRequest(t, c, msg))
	testutil.WaitFor(t, func() bool { return strings.Contains(hs.logs.String(), "could not be sent") }, "the log line %q", "could not be sent")
	if reply := hs.push(t, wechattest.ModePlaintext, msg); !reply.Success { // WeChat's retry, the handler still running
		t.Errorf("retry answered %q, want success from the store", reply.Body)
	}
	close(release)
	<-done
	if strings.Contains(hs.logs.String(), "cannot flush") {
		t.Errorf("a gone client was logged as a writer that cannot flush: %s", hs.logs)
	}
}
