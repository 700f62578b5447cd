package message

import (
	"context"
	"log/slog"
	"time"
)

// Option configures a Server. No option at all is a good production default.
type Option func(*settings)

type settings struct {
	logger         *slog.Logger
	rejectLevel    slog.Level
	bodyLimit      int64
	skew           time.Duration
	allowPlaintext bool
	deadline       time.Duration
	maxHandlers    int
	window         time.Duration
	dedup          DedupStore
	onLate         func(ctx context.Context, m *Message, r Reply)
	now            func() time.Time
}

// The defaults.
const (
	DefaultBodyLimit     = 1 << 20                 // 1 MiB
	DefaultTimestampSkew = 5 * time.Minute         // either way, as Stripe and Slack allow for their webhooks
	DefaultDeadline      = 4500 * time.Millisecond // WeChat gives up after 5 s
	DefaultMaxHandlers   = 1000                    // handlers running at once, late ones included
	DefaultDedupWindow   = time.Minute             // WeChat's 3 attempts span about 15 s
)

func defaults() settings {
	return settings{
		rejectLevel: slog.LevelWarn,
		bodyLimit:   DefaultBodyLimit,
		skew:        DefaultTimestampSkew,
		deadline:    DefaultDeadline,
		maxHandlers: DefaultMaxHandlers,
		window:      DefaultDedupWindow,
	}
}

// WithLogger sets the logger (default: the OfficialAccount's). Rejections,
// handler panics and dropped late replies are logged; secrets never are.
func WithLogger(l *slog.Logger) Option { return func(s *settings) { s.logger = l } }

// WithRejectLevel sets the level at which each rejected request is logged, once
// (default slog.LevelWarn). Scanners knocking on a public webhook can make
// rejections common; slog.LevelDebug keeps them out of production logs. Either
// way a flood is sampled: after a burst of 10 lines at most one a second is
// written, with the number of rejections left out since the last line.
func WithRejectLevel(l slog.Level) Option { return func(s *settings) { s.rejectLevel = l } }

// WithBodyLimit sets the largest request body accepted, in bytes (default 1 MiB);
// a larger one is answered 413.
func WithBodyLimit(n int64) Option { return func(s *settings) { s.bodyLimit = n } }

// WithTimestampSkew sets how far a push's timestamp may be from the server's
// clock, either way (default 5 minutes). A push outside the window is refused
// (403, logged with how far off it is), so that a push captured from a log or a
// proxy cannot be replayed later; one replayed inside the window is answered
// from the retry window (see WithDedupWindow) without running the handler
// again: with the same reply while the store keeps it (20 s in a
// MemoryDedupStore), "success" after that.
// WithTimestampSkew(0) turns the check off, as tests replaying WeChat's old
// published samples must; a negative d is out of range (the default is used).
// Keep the server's clock right (NTP): a clock off by more than d refuses
// everything, and the log says so.
func WithTimestampSkew(d time.Duration) Option { return func(s *settings) { s.skew = d } }

// WithAllowPlaintext accepts plaintext pushes (明文模式) even though an
// EncodingAESKey is configured. Without it such a server refuses them (403):
// the plaintext signature covers only the token, timestamp and nonce, which
// WeChat puts on the query string of every push, where proxies and load
// balancers log them, so anyone holding one logged push URL could post any
// body. Use it only for the minutes of a console switch from 明文 to 兼容 or
// 安全 mode, then remove it. A server without an EncodingAESKey takes plaintext
// pushes regardless. In compatible mode only the encrypted copy is trusted.
func WithAllowPlaintext() Option { return func(s *settings) { s.allowPlaintext = true } }

// WithDeadline sets how long after a request arrives its handler's context ends
// and "success" is answered if the handler has not returned (default 4.5 s,
// inside WeChat's 5 s). A handler that returns at the very moment its context
// ends may still be answered normally. A handler that ignores its context keeps
// running after the answer, on the request's goroutine, whose connection closes
// when it returns (see the package doc); WithMaxHandlers bounds how many may
// run at once.
func WithDeadline(d time.Duration) Option { return func(s *settings) { s.deadline = d } }

// WithMaxHandlers sets how many handlers may run at once, counting those still
// running past their deadline (default 1000). A push that arrives while that
// many run is answered "success" at once without running its handler, and
// logged (sampled like rejections): handlers that ignore their context must not
// pile up goroutines without bound. n < 1 is out of range (the default is used).
func WithMaxHandlers(n int) Option { return func(s *settings) { s.maxHandlers = n } }

// WithDedupStore sets where the retry window is kept (default: a
// MemoryDedupStore with its default bounds, in this process).
// Servers behind a load balancer share one, so that a retry landing on another
// replica neither runs the handler again nor misses the reply.
func WithDedupStore(d DedupStore) Option { return func(s *settings) { s.dedup = d } }

// WithDedupWindow sets how long a message is remembered for de-duplication, at
// least (default 1 minute, well past WeChat's retries). With the timestamp check
// on, a message is also remembered until its timestamp leaves the window of
// WithTimestampSkew, so that a replay is either answered from the cache or
// refused, never handled again. The reply itself is kept for less, as long as
// WeChat retries (see MemoryDedupStore and WithReplyWindow): a retry after it
// went is answered "success".
func WithDedupWindow(d time.Duration) Option { return func(s *settings) { s.window = d } }

// WithOnLateReply sets the hook that receives the reply of a handler that
// returned after the deadline, when WeChat had already been answered "success".
// The customer-service API can still deliver it within the 48-hour window. ctx
// is a fresh context (the request's values, a 1-minute timeout). Without a hook
// late replies are logged and dropped.
func WithOnLateReply(f func(ctx context.Context, m *Message, r Reply)) Option {
	return func(s *settings) { s.onLate = f }
}

// WithClock sets the clock used for reply CreateTime/TimeStamp, the timestamp
// check and the sampling of log lines (default time.Now). The deadline always
// runs on real time.
func WithClock(now func() time.Time) Option { return func(s *settings) { s.now = now } }
