package message

import (
	"context"
	"sync"
	"time"
)

// A *call is the handler's context.Context: the request's values, the
// deadline, and Done closed when the handler returns or the deadline passes.

// Deadline returns the push's deadline.
func (c *call) Deadline() (time.Time, bool) { return c.deadline, true }

// Done is closed when the handler has returned or the deadline has passed.
func (c *call) Done() <-chan struct{} {
	if d := c.done.Load(); d != nil {
		return *d
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := c.done.Load(); d != nil { // end stored closedChan meanwhile
		return *d
	}
	d := make(chan struct{})
	c.done.Store(&d)
	return d
}

// closedChan is the Done of a call that ended before anyone asked for it.
var closedChan = func() *chan struct{} { d := make(chan struct{}); close(d); return &d }()

// Err is nil until Done is closed; then DeadlineExceeded if the deadline
// passed first, Canceled if the handler returned first.
func (c *call) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Value returns the request context's value for key. It asks the request's
// context through context.WithoutCancel, made here rather than once per push:
// a value lookup is rare, a push is not. WithoutCancel hides the request's
// cancellation from what looks it up by value (context.Cause, which must
// report c's end, not the request's).
func (c *call) Value(key any) any { return context.WithoutCancel(c.req).Value(key) }

func (c *call) String() string { return "message handler context" }

// afterCall is one AfterFunc registration.
type afterCall struct{ f func() }

// AfterFunc arranges for f to run in its own goroutine once c is done, and
// returns a stop function that keeps it from running (true if it did). The
// context package uses it for every context derived from c
// (context.WithTimeout, context.AfterFunc), which then need no goroutine of
// their own to follow c.
func (c *call) AfterFunc(f func()) (stop func() bool) {
	a := &afterCall{f: f}
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		go f()
		return func() bool { return false }
	}
	if c.after == nil {
		c.after = map[*afterCall]struct{}{}
	}
	c.after[a] = struct{}{}
	c.mu.Unlock()
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		_, ok := c.after[a]
		delete(c.after, a)
		return ok
	}
}

// end ends c with err: Err reports it, Done is closed and the AfterFunc
// callbacks run. Only the first end counts.
func (c *call) end(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = err
	after := c.after
	c.after = nil
	if d := c.done.Load(); d != nil {
		close(*d)
	} else {
		c.done.Store(closedChan)
	}
	c.mu.Unlock()
	for a := range after {
		go a.f()
	}
}

// deadlineQueue ends the calls of a Server at their deadlines with one timer:
// the calls in deadline order, the timer set for the first. A Server's
// deadlines are arrival plus one duration, so a call almost always goes at
// the end, and the timer is touched only when the queue was empty.
type deadlineQueue struct {
	mu         sync.Mutex
	head, tail *call
	timer      *time.Timer
	armed      time.Time // what the timer is set for; zero when it is not
}

// add queues c and makes sure the timer fires by c's deadline.
func (q *deadlineQueue) add(c *call) {
	q.mu.Lock()
	defer q.mu.Unlock()
	at := q.tail
	for at != nil && at.deadline.After(c.deadline) {
		at = at.prev
	}
	c.prev = at
	if at == nil {
		c.next, q.head = q.head, c
	} else {
		c.next, at.next = at.next, c
	}
	if c.next == nil {
		q.tail = c
	} else {
		c.next.prev = c
	}
	c.queued = true
	if q.armed.IsZero() || c.deadline.Before(q.armed) {
		q.arm(c.deadline)
	}
}

// remove takes c out of the queue, if it is still in it. The timer stays set:
// it fires at most once in vain.
func (q *deadlineQueue) remove(c *call) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.unlink(c)
}

func (q *deadlineQueue) unlink(c *call) {
	if !c.queued {
		return
	}
	if c.prev == nil {
		q.head = c.next
	} else {
		c.prev.next = c.next
	}
	if c.next == nil {
		q.tail = c.prev
	} else {
		c.next.prev = c.prev
	}
	c.prev, c.next, c.queued = nil, nil, false
}

func (q *deadlineQueue) arm(at time.Time) {
	q.armed = at
	if q.timer == nil {
		q.timer = time.AfterFunc(time.Until(at), q.fire)
		return
	}
	q.timer.Reset(time.Until(at))
}

// fire ends the calls whose deadline has passed and sets the timer for the
// next one.
func (q *deadlineQueue) fire() {
	now := time.Now()
	var due []*call
	q.mu.Lock()
	for q.head != nil && !q.head.deadline.After(now) {
		c := q.head
		q.unlink(c)
		due = append(due, c)
	}
	q.armed = time.Time{}
	if q.head != nil {
		q.arm(q.head.deadline)
	}
	q.mu.Unlock()
	for _, c := range due {
		c.answered = make(chan struct{}) // before the swap: whoever sees expired sees it
		if c.state.CompareAndSwap(running, expired) {
			c.end(context.DeadlineExceeded)
			go c.srv.expire(c)
		}
	}
}

var _ context.Context = (*call)(nil)
