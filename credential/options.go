package credential

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/wxkit/wechat"
)

// Each constructor takes the options it honours and no others, so that an option
// that would do nothing does not compile:
//
//   - [Option] configures a Manager: [New], [NewWithFetcher] and [NewTicket].
//   - [RemoteOption] configures [NewRemote].
//   - [ServerOption] configures [NewServer].
//
// An option honoured by more than one constructor returns a small interface that
// every option type it applies to is part of: [WithHTTPClient], [WithClock],
// [WithRefreshMargin], [WithRetry] and [WithSchedule] return a [ProviderOption]
// (an Option and a RemoteOption); [WithLogger] returns a [CommonOption] (all
// three). So credential.NewServer(p, key, credential.WithStore(rdb)) is a compile
// error, not a store that is silently ignored.
//
// No option at all is a good production default; a nil logger, clock or HTTP
// client means the default.

// Option configures a Manager (New, NewWithFetcher, NewTicket).
type Option interface{ applyManager(*settings) }

// RemoteOption configures a Remote (NewRemote).
type RemoteOption interface{ applyRemote(*settings) }

// ServerOption configures a token Server (NewServer).
type ServerOption interface{ applyServer(*settings) }

// ProviderOption is honoured by both Providers of this package, the Manager and
// the Remote: it is an Option and a RemoteOption.
type ProviderOption interface {
	Option
	RemoteOption
}

// CommonOption is honoured by every constructor of this package: it is an
// Option, a RemoteOption and a ServerOption.
type CommonOption interface {
	Option
	RemoteOption
	ServerOption
}

type managerOption func(*settings)

func (o managerOption) applyManager(s *settings) { o(s) }

type providerOption func(*settings)

func (o providerOption) applyManager(s *settings) { o(s) }
func (o providerOption) applyRemote(s *settings)  { o(s) }

type commonOption func(*settings)

func (o commonOption) applyManager(s *settings) { o(s) }
func (o commonOption) applyRemote(s *settings)  { o(s) }
func (o commonOption) applyServer(s *settings)  { o(s) }

// settings is what every constructor reads its options into; each reads only
// the fields its options can set.
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

// fill replaces what the options left nil with the defaults.
func (s *settings) fill() {
	if s.client == nil {
		s.client = &http.Client{Timeout: 30 * time.Second}
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.margin < 0 {
		s.margin = 0
	}
	if s.attempts < 1 {
		s.attempts = 1
	}
}

// WithBaseURL sets the API host (default https://api.weixin.qq.com). Tests point it
// at wechattest; a proxy can sit here too. NewWithFetcher's Fetcher does its own
// I/O and does not see it.
func WithBaseURL(u string) Option { return managerOption(func(s *settings) { s.baseURL = u }) }

// WithHTTPClient sets the client tokens are fetched (Manager) or asked for
// (Remote) with; nil or no option means a client with a 30 s timeout.
// NewWithFetcher's Fetcher does its own I/O and does not see it.
func WithHTTPClient(c *http.Client) ProviderOption {
	return providerOption(func(s *settings) { s.client = c })
}

// WithStore sets where tokens are kept and locked (default: a new MemoryStore, which
// only this process sees). Share a redisstore.Store among servers so that they never
// knock each other's token out.
func WithStore(st Store) Option { return managerOption(func(s *settings) { s.store = st }) }

// WithLogger sets the logger; nil or no option keeps the package quiet. Secrets
// and tokens never reach it.
func WithLogger(l *slog.Logger) CommonOption {
	return commonOption(func(s *settings) { s.logger = l })
}

// WithClock sets the clock expiry is measured with; nil or no option means
// time.Now. wechattest passes its own so that tests move through expiry without
// sleeping.
func WithClock(now func() time.Time) ProviderOption {
	return providerOption(func(s *settings) { s.now = now })
}

// WithRefreshMargin sets how long before expiry the token is renewed in the
// background (default 5m for a Manager, 1m for a Remote). For a token whose whole
// lifetime is shorter than twice the margin, renewal starts at half its lifetime
// instead.
func WithRefreshMargin(d time.Duration) ProviderOption {
	return providerOption(func(s *settings) { s.margin = d })
}

// WithStableToken fetches with /cgi-bin/stable_token instead of the classic
// /cgi-bin/token. Normal fetches then never invalidate a token another holder uses;
// a passive refresh (Refresh with the rejected token) uses force_refresh, which
// WeChat limits to 20 a day. Only New's access_token fetcher has the choice;
// NewTicket and NewWithFetcher do not see it.
func WithStableToken() Option { return managerOption(func(s *settings) { s.stable = true }) }

// WithSchedule sets the cron schedule (robfig/cron syntax, "@every 30s" works) on
// which the refresher started by Start checks the token (default "@every 1m"). A
// bad schedule is reported by Start.
func WithSchedule(spec string) ProviderOption {
	return providerOption(func(s *settings) { s.schedule = spec })
}

// WithRefreshLimit sets the token bucket that limits passive refreshes: up to burst
// at once, then one each refill (default 3, one per minute). A bug that reports
// every token as bad then cannot burn the 2000-a-day quota. The limit cannot be
// turned off: a burst below 1 or a refill of 0 or less is out of range, and the
// default is used (logged once).
func WithRefreshLimit(burst int, refill time.Duration) Option {
	return managerOption(func(s *settings) { s.burst, s.refill = burst, refill })
}

// WithLockTTL sets how long the store's fetch lock lives (default 30s); a holder
// that dies blocks the others this long at most. A fetch made under the lock, all
// its attempts and backoffs included, is cut off at three quarters of the TTL
// (and at 20 s), and the token is stored before nine tenths of it, so that the
// lock never runs out while the fetch it guards is under way. A TTL under 27 s
// cuts into that 20 s fetch budget, which is logged once. d <= 0 means the default.
func WithLockTTL(d time.Duration) Option {
	return managerOption(func(s *settings) { s.lockTTL = d })
}

// WithRetry sets how many times one fetch (Manager) or one ask of the central
// server (Remote) is attempted on -1 (busy), 5xx and transport errors, and the
// first backoff, which doubles with jitter up to 10 s (default 3 and 200ms).
func WithRetry(attempts int, backoff time.Duration) ProviderOption {
	return providerOption(func(s *settings) { s.attempts, s.backoff = attempts, backoff })
}
