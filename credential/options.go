package credential

import (
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/wxkit/wechat"
)

// Option configures a Manager. No option at all is a good production default.
type Option func(*settings)

type settings struct {
	baseURL     string
	client      *http.Client
	store       Store
	logger      *slog.Logger
	now         func() time.Time
	margin      time.Duration
	stable      bool
	schedule    string
	burst       int
	refill      time.Duration
	lockTTL     time.Duration
	fetchBudget time.Duration
	attempts    int
	backoff     time.Duration
}

func defaults() settings {
	return settings{
		baseURL:     wechat.DefaultBaseURL,
		client:      &http.Client{Timeout: 30 * time.Second},
		logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		now:         time.Now,
		margin:      5 * time.Minute,
		schedule:    "@every 1m",
		burst:       3,
		refill:      time.Minute,
		lockTTL:     30 * time.Second,
		fetchBudget: 20 * time.Second,
		attempts:    3,
		backoff:     200 * time.Millisecond,
	}
}

// WithBaseURL sets the API host (default https://api.weixin.qq.com). Tests point it
// at wechattest; a proxy can sit here too.
func WithBaseURL(u string) Option { return func(s *settings) { s.baseURL = u } }

// WithHTTPClient sets the client tokens are fetched with (default: 30 s timeout).
func WithHTTPClient(c *http.Client) Option { return func(s *settings) { s.client = c } }

// WithStore sets where tokens are kept and locked (default: a new MemoryStore, which
// only this process sees). Share a redisstore.Store among servers so that they never
// knock each other's token out.
func WithStore(st Store) Option { return func(s *settings) { s.store = st } }

// WithLogger sets the logger (default: quiet). Secrets and tokens never reach it.
func WithLogger(l *slog.Logger) Option { return func(s *settings) { s.logger = l } }

// WithClock sets the clock expiry is measured with (default time.Now). wechattest
// passes its own so that tests move through expiry without sleeping.
func WithClock(now func() time.Time) Option { return func(s *settings) { s.now = now } }

// WithRefreshMargin sets how long before expiry the token is renewed in the
// background (default 5m). For a token whose whole lifetime is shorter than twice
// the margin, renewal starts at half its lifetime instead.
func WithRefreshMargin(d time.Duration) Option { return func(s *settings) { s.margin = d } }

// WithStableToken fetches with /cgi-bin/stable_token instead of the classic
// /cgi-bin/token. Normal fetches then never invalidate a token another holder uses;
// a passive refresh (Refresh with the rejected token) uses force_refresh, which
// WeChat limits to 20 a day.
func WithStableToken() Option { return func(s *settings) { s.stable = true } }

// WithSchedule sets the cron schedule (robfig/cron syntax, "@every 30s" works) on
// which the refresher started by Start checks the token (default "@every 1m").
func WithSchedule(spec string) Option { return func(s *settings) { s.schedule = spec } }

// WithRefreshLimit sets the token bucket that limits passive refreshes: up to burst
// at once, then one each refill (default 3, one per minute). A bug that reports
// every token as bad then cannot burn the 2000-a-day quota.
func WithRefreshLimit(burst int, refill time.Duration) Option {
	return func(s *settings) { s.burst, s.refill = burst, refill }
}

// WithLockTTL sets how long the store's fetch lock lives (default 30s). It must be
// longer than a fetch can take; a holder that dies blocks the others this long at most.
func WithLockTTL(d time.Duration) Option { return func(s *settings) { s.lockTTL = d } }

// WithRetry sets how many times one fetch is attempted on -1 (busy) and transport
// errors, and the first backoff, which doubles with jitter (default 3 and 200ms).
func WithRetry(attempts int, backoff time.Duration) Option {
	return func(s *settings) { s.attempts, s.backoff = attempts, backoff }
}
