package credential

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"
	"golang.org/x/sync/singleflight"
)

// core is the cached credential that Manager and Remote share: the token the hot
// path serves, one load for all concurrent callers, the backoff after a failed
// load, background renewal ahead of expiry, the cron refresher and the lifecycle.
// What differs between them is how a token is loaded (fetched from WeChat under
// the store's lock, or asked of the central server): their load function.
type core struct {
	name     string        // what is cached, for errors and logs (never a secret)
	budget   time.Duration // bounds one load, waits and retries included
	recheck  time.Duration // least time after FetchedAt before a token counts as due
	now      func() time.Time
	margin   time.Duration
	logger   *slog.Logger
	schedule string
	// load gets a token for why (stale is the token to replace, if any) and
	// publishes it; it runs once for all concurrent callers with the same purpose.
	load func(ctx context.Context, stale string, why purpose) (Token, error)

	cur     atomic.Pointer[entry]
	group   singleflight.Group
	renewal atomic.Bool // a background renewal is under way
	failing atomic.Bool // the last load failed

	waits     atomic.Uint64 // Token calls that waited for a load
	servedDue atomic.Uint64 // due tokens served while the last load had failed

	mu        sync.Mutex // guards the fields below
	failures  int        // consecutive failed loads
	retryAt   time.Time  // no new load before this after a failure
	lastErr   error
	lastErrAt time.Time
	stopped   bool
	cron      *cron.Cron
	abort     context.Context    // ends the loads under way when a Shutdown gives up waiting
	abortNow  context.CancelFunc // cancels abort
	active    int                // goroutines started and not yet done: loads, renewals, ticks
	idle      chan struct{}      // closed when active drops to 0, made by a waiting Shutdown

	beforeLoad func() // tests only: runs first in every load's goroutine
}

// entry is the token served by the hot path and when to renew it.
type entry struct {
	tok       Token
	refreshAt time.Time
}

// purpose says why a token is loaded, which decides what a token already known
// must be like to be used instead of loading a new one.
type purpose int

const (
	cold    purpose = iota // no valid token is known: any valid one will do
	renew                  // the known one is due: only one not yet due will do
	passive                // stale was rejected: any other valid one will do
)

func (c *core) init(s *settings) {
	c.now, c.margin, c.logger, c.schedule = s.now, s.margin, s.logger, s.schedule
	c.abort, c.abortNow = context.WithCancel(context.Background())
}

// token is Token: the known token while it is valid (starting a background
// renewal once it is due), or a load that the caller waits for.
func (c *core) token(ctx context.Context) (string, error) {
	if e := c.cur.Load(); e != nil {
		now := c.now()
		if now.Before(e.refreshAt) {
			return e.tok.Value, nil
		}
		if now.Before(e.tok.ExpiresAt) {
			if c.failing.Load() {
				c.servedDue.Add(1)
			}
			c.renewInBackground(e.tok.Value)
			return e.tok.Value, nil
		}
	}
	c.waits.Add(1)
	t, err := c.obtain(ctx, "", cold)
	if err != nil {
		return "", err
	}
	if !c.now().Before(c.refreshAt(t)) {
		c.renewInBackground(t.Value) // a stored token that is already due
	}
	return t.Value, nil
}

// refresh is Refresh: the known token when it is valid and not stale (someone
// already replaced the token the caller reports as rejected), or one load for
// all concurrent callers reporting stale.
func (c *core) refresh(ctx context.Context, stale string) (string, error) {
	if t, ok := c.known(); ok && t.Value != stale {
		return t.Value, nil
	}
	if err := ctx.Err(); err != nil {
		return "", err // the caller is gone: no refresh is spent for nobody
	}
	// A passive load never hands back stale unless upstream itself returned it
	// (a ticket endpoint that ignores force, say): asking again would only spend
	// another fetch.
	t, err := c.obtain(ctx, stale, passive)
	if err != nil {
		return "", err
	}
	if t.Value == stale {
		return "", fmt.Errorf("credential: %s: refresh returned the rejected token again", c.name)
	}
	return t.Value, nil
}

// obtain runs one load for all concurrent callers with the same purpose. The load
// runs on its own context (the first caller's values, not its cancellation), so a
// caller that gives up does not fail the others; each caller waits only as long as
// its own ctx allows.
//
// Every caller counts as active work (see started) from before it asks the
// single flight until the flight's result has reached it, even after it stopped
// waiting: so a Shutdown never misses a load, not even one whose goroutine has
// been launched and has not run yet.
func (c *core) obtain(ctx context.Context, stale string, why purpose) (Token, error) {
	key := "token"
	if why == passive {
		key = "refresh:" + stale
	}
	c.started(false)
	ch := c.group.DoChan(key, func() (any, error) {
		if c.beforeLoad != nil {
			c.beforeLoad()
		}
		lctx, cancel := c.loadContext(ctx)
		defer cancel()
		return c.load(lctx, stale, why)
	})
	select {
	case r := <-ch:
		c.done()
		if r.Err != nil {
			return Token{}, r.Err
		}
		return r.Val.(Token), nil
	case <-ctx.Done():
		go func() { // the flight goes on: keep it counted until it ends
			<-ch
			c.done()
		}()
		return Token{}, fmt.Errorf("credential: waiting for %s: %w", c.name, ctx.Err())
	}
}

// loadContext is the context of one load: ctx's values, the load budget, and
// cancelled when a Shutdown gives up waiting for the loads under way.
func (c *core) loadContext(ctx context.Context) (context.Context, context.CancelFunc) {
	c.mu.Lock()
	abort := c.abort
	c.mu.Unlock()
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.budget)
	stop := context.AfterFunc(abort, cancel)
	return lctx, func() { stop(); cancel() }
}

// refreshAt is when t is due: the margin before expiry (at most half its
// lifetime), not before recheck has passed since it was fetched, and not after it
// expires.
func (c *core) refreshAt(t Token) time.Time {
	at := t.refreshAt(c.margin)
	if floor := t.FetchedAt.Add(c.recheck); at.Before(floor) {
		at = floor
	}
	if at.After(t.ExpiresAt) {
		at = t.ExpiresAt
	}
	return at
}

// due reports whether t is due for renewal at now.
func (c *core) due(t Token, now time.Time) bool { return !now.Before(c.refreshAt(t)) }

// publish makes t the token the hot path serves, unless a newer one is there.
func (c *core) publish(t Token) {
	next := &entry{tok: t, refreshAt: c.refreshAt(t)}
	for {
		old := c.cur.Load()
		if old != nil && old.tok.Value != t.Value && old.tok.FetchedAt.After(t.FetchedAt) {
			return
		}
		if c.cur.CompareAndSwap(old, next) {
			return
		}
	}
}

// known returns the token served now if it is still valid.
func (c *core) known() (Token, bool) {
	if e := c.cur.Load(); e != nil && e.tok.Valid(c.now()) {
		return e.tok, true
	}
	return Token{}, false
}

// current is Current: the token served now and its time left, or "" and 0.
func (c *core) current() (string, time.Duration) {
	now := c.now()
	if e := c.cur.Load(); e != nil && e.tok.Valid(now) {
		return e.tok.Value, e.tok.ExpiresAt.Sub(now)
	}
	return "", 0
}

// expiresAt is the expiry of the token served now; zero when there is none.
func (c *core) expiresAt() time.Time {
	if e := c.cur.Load(); e != nil {
		return e.tok.ExpiresAt
	}
	return time.Time{}
}

// recordFailure records a failed load: no new one before wait(failures) has
// passed, failures counting this one. It returns when the next load may be made.
func (c *core) recordFailure(err error, wait func(failures int) time.Duration) time.Time {
	now := c.now()
	c.mu.Lock()
	c.failures++
	c.retryAt = now.Add(wait(c.failures))
	c.lastErr, c.lastErrAt = err, now
	retryAt := c.retryAt
	c.mu.Unlock()
	c.failing.Store(true)
	return retryAt
}

// recordSuccess ends the backoff of earlier failures.
func (c *core) recordSuccess() {
	c.mu.Lock()
	c.failures, c.retryAt = 0, time.Time{}
	c.mu.Unlock()
	c.failing.Store(false)
}

// backingOff returns the last error while a failed load's backoff lasts.
func (c *core) backingOff() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failures == 0 || !c.now().Before(c.retryAt) {
		return nil
	}
	return &BackoffError{Err: c.lastErr, Until: c.retryAt}
}

// lastError is the last failure's text and time, "" when there was none.
func (c *core) lastError() (string, time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lastErr == nil {
		return "", time.Time{}
	}
	return c.lastErr.Error(), c.lastErrAt
}

// renewInBackground starts one renewal of stale unless one is under way, the
// core is shut down, or a failed load's backoff lasts.
func (c *core) renewInBackground(stale string) {
	if !c.renewal.CompareAndSwap(false, true) {
		return
	}
	if !c.started(true) {
		c.renewal.Store(false)
		return
	}
	go func() {
		defer c.done()
		defer c.renewal.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), c.budget)
		defer cancel()
		if _, err := c.obtain(ctx, stale, renew); err != nil { // the load logged why
			c.logger.Debug("credential: background renewal failed; serving the current token", "credential", c.name, "err", err)
		}
	}()
}

// started counts a goroutine the core starts. Background work (background set)
// is refused once the core is shut down or while a failed load's backoff lasts;
// loads that callers wait for are always counted.
func (c *core) started(background bool) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if background && (c.stopped || (c.failures > 0 && c.now().Before(c.retryAt))) {
		return false
	}
	c.active++
	return true
}

// done ends what started counted.
func (c *core) done() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.active--
	if c.active == 0 && c.idle != nil {
		close(c.idle)
		c.idle = nil
	}
}

// start runs the refresher: on the schedule it renews the token once it is due,
// and loads one when there is none. It checks once right away.
func (c *core) start() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return errors.New("credential: Start after Shutdown")
	}
	if c.cron != nil {
		return errors.New("credential: already started")
	}
	cr := cron.New()
	if _, err := cr.AddFunc(c.schedule, c.scheduledTick); err != nil {
		return fmt.Errorf("credential: schedule %q: %w", c.schedule, err)
	}
	c.cron = cr
	cr.Start()
	c.active++
	go func() {
		defer c.done()
		c.tick()
	}()
	return nil
}

func (c *core) scheduledTick() {
	if !c.started(true) {
		return
	}
	defer c.done()
	c.tick()
}

// tick renews the token if it is missing or due.
func (c *core) tick() {
	stale, why := "", cold
	if e := c.cur.Load(); e != nil {
		now := c.now()
		if now.Before(e.refreshAt) {
			return
		}
		if now.Before(e.tok.ExpiresAt) {
			stale, why = e.tok.Value, renew
		}
	}
	if c.backingOff() != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.budget)
	defer cancel()
	if _, err := c.obtain(ctx, stale, why); err != nil { // the load logged why
		c.logger.Debug("credential: scheduled renewal failed", "credential", c.name, "err", err)
	}
}

// shutdown stops the refresher and waits for every goroutine the core started
// (renewals and loads under way) or for ctx to end; then it cancels the loads
// still running and returns ctx's error. Token and Refresh keep working
// afterwards, loading on demand, without background renewal.
func (c *core) shutdown(ctx context.Context) error {
	c.mu.Lock()
	cr := c.cron
	c.cron, c.stopped = nil, true
	c.mu.Unlock()
	if cr != nil {
		select {
		case <-cr.Stop().Done(): // scheduled ticks under way
		case <-ctx.Done():
			c.abortLoads()
			return ctx.Err()
		}
	}
	c.mu.Lock()
	if c.active == 0 {
		c.mu.Unlock()
		return nil
	}
	if c.idle == nil {
		c.idle = make(chan struct{})
	}
	idle := c.idle
	c.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		c.abortLoads()
		return ctx.Err()
	}
}

// abortLoads cancels the loads under way; later loads get a fresh context.
func (c *core) abortLoads() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.abortNow()
	c.abort, c.abortNow = context.WithCancel(context.Background())
}
