package message

import (
	"context"
	"log/slog"
	"time"
)

// Option configures a Server. No option at all is a good production default.
type Option func(*settings)

type settings struct {
	logger      *slog.Logger
	rejectLevel slog.Level
	bodyLimit   int64
	skew        time.Duration
	deadline    time.Duration
	window      time.Duration
	dedup       DedupStore
	onLate      func(ctx context.Context, m *Message, r Reply)
	lateTimeout time.Duration
	now         func() time.Time
}

// The defaults.
const (
	DefaultBodyLimit   = 1 << 20                 // 1 MiB
	DefaultDeadline    = 4500 * time.Millisecond // WeChat gives up after 5 s
	DefaultDedupWindow = time.Minute             // WeChat's 3 attempts span about 15 s
	defaultLateTimeout = time.Minute
)

func defaults() settings {
	return settings{
		rejectLevel: slog.LevelWarn,
		bodyLimit:   DefaultBodyLimit,
		deadline:    DefaultDeadline,
		window:      DefaultDedupWindow,
		lateTimeout: defaultLateTimeout,
		now:         time.Now,
	}
}

// WithLogger sets the logger (default: the OfficialAccount's). Rejections,
// handler panics and dropped late replies are logged; secrets never are.
func WithLogger(l *slog.Logger) Option { return func(s *settings) { s.logger = l } }

// WithRejectLevel sets the level at which each rejected request is logged, once
// (default slog.LevelWarn). Scanners knocking on a public webhook can make
// rejections common; slog.LevelDebug keeps them out of production logs.
func WithRejectLevel(l slog.Level) Option { return func(s *settings) { s.rejectLevel = l } }

// WithBodyLimit sets the largest request body accepted, in bytes (default 1 MiB);
// a larger one is answered 413.
func WithBodyLimit(n int64) Option { return func(s *settings) { s.bodyLimit = n } }

// WithTimestampSkew rejects (403) a request whose timestamp differs from the
// server's clock by more than d. Off by default: WeChat's own test vectors carry
// timestamps from years ago, and a server with a wrong clock would drop
// everything.
func WithTimestampSkew(d time.Duration) Option { return func(s *settings) { s.skew = d } }

// WithDeadline sets how long after a request arrives its handler's context ends
// and "success" is answered if the handler has not returned (default 4.5 s,
// inside WeChat's 5 s). A handler that returns at the very moment its context
// ends may still be answered normally.
func WithDeadline(d time.Duration) Option { return func(s *settings) { s.deadline = d } }

// WithDedupStore sets where the retry window is kept (default: in this process).
// Servers behind a load balancer share one, so that a retry landing on another
// replica neither runs the handler again nor misses the reply.
func WithDedupStore(d DedupStore) Option { return func(s *settings) { s.dedup = d } }

// WithDedupWindow sets how long a message is remembered for de-duplication
// (default 1 minute).
func WithDedupWindow(d time.Duration) Option { return func(s *settings) { s.window = d } }

// WithOnLateReply sets the hook that receives the reply of a handler that
// returned after the deadline, when WeChat had already been answered "success".
// The customer-service API can still deliver it within the 48-hour window. ctx
// is a fresh context (the request's values, a 1-minute timeout). Without a hook
// late replies are logged and dropped.
func WithOnLateReply(f func(ctx context.Context, m *Message, r Reply)) Option {
	return func(s *settings) { s.onLate = f }
}

// WithClock sets the clock used for reply CreateTime/TimeStamp and the timestamp
// check (default time.Now). The deadline always runs on real time.
func WithClock(now func() time.Time) Option { return func(s *settings) { s.now = now } }
