package wechattest

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/officialaccount"
)

// Sandbox values: the account a new Server plays unless options say otherwise. The
// AES key is the one in WeChat's own encryption samples. None of them is a real
// credential.
const (
	SandboxAppID          = "wx5c2a7d9e1b3f4a6d"
	SandboxAppSecret      = "wxkit-sandbox-secret-3f9a1c7e5b2d8a60"
	SandboxToken          = "wxkit-sandbox-token"
	SandboxEncodingAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	SandboxOriginalID     = "gh_5a1c3e7b9d2f" // the account's original id (ToUserName)
)

// Server is a fake WeChat platform on httptest with WeChat's rules: tokens that
// expire and are invalidated by a newer fetch after a grace period, daily quotas,
// and the APIs the SDK wraps, holding state. Its clock can be moved forward so tests
// never sleep through an expiry. It is safe for concurrent use; run one per test.
type Server struct {
	srv *httptest.Server
	mux *http.ServeMux

	appID, secret string
	token, aesKey string
	originalID    string
	expiresIn     time.Duration
	grace         time.Duration
	tokenQuota    int
	offset        atomic.Int64 // nanoseconds the clock is ahead of real time

	clockMu  sync.Mutex
	advanced chan struct{} // closed by the next Advance; nil until asked for

	mu       sync.Mutex // guards everything below; API handlers run with it held
	tokens   tokenState
	faults   map[string][]fault
	latency  map[string]time.Duration
	paused   map[string]chan struct{}
	quota    map[string]int // daily limit by path; 0 = unlimited
	used     map[string]int // calls today by path
	usedDay  string
	requests map[string]*requestLog
	inbound  map[string]time.Time // last message delivered from each follower

	menus     menuState
	users     userState
	kf        kfState
	templates templateState
	content   contentState // media, drafts, publishing, mass send, subscriptions (content.go)
	web       *webState    // 网页授权, JS-SDK tickets, QR codes, short keys (web.go)
	autoReply AutoReply    // the console's auto-reply rules (autoreply.go)
	observers observers    // Observe's functions (chat.go)
}

// Option configures a Server.
type Option func(*Server)

// WithApp sets the account's AppID and AppSecret.
func WithApp(appID, appSecret string) Option {
	return func(s *Server) { s.appID, s.secret = appID, appSecret }
}

// WithWebhook sets the webhook Token and EncodingAESKey the platform signs and
// encrypts pushes with.
func WithWebhook(token, encodingAESKey string) Option {
	return func(s *Server) { s.token, s.aesKey = token, encodingAESKey }
}

// WithExpiresIn sets the expires_in of issued tokens (default 7200s).
func WithExpiresIn(d time.Duration) Option { return func(s *Server) { s.expiresIn = d } }

// WithGrace sets how long a classic token keeps working after a newer one is
// fetched (default 5 minutes, as WeChat documents).
func WithGrace(d time.Duration) Option { return func(s *Server) { s.grace = d } }

// WithTokenQuota sets the daily limit of /cgi-bin/token (default 2000; 0 for none).
func WithTokenQuota(n int) Option { return func(s *Server) { s.tokenQuota = n } }

// NewServer starts a fake platform on a loopback port. Close it when done.
func NewServer(opts ...Option) *Server {
	s := &Server{
		appID: SandboxAppID, secret: SandboxAppSecret,
		token: SandboxToken, aesKey: SandboxEncodingAESKey, originalID: SandboxOriginalID,
		expiresIn: 7200 * time.Second, grace: 5 * time.Minute, tokenQuota: 2000,
		faults: map[string][]fault{}, latency: map[string]time.Duration{}, paused: map[string]chan struct{}{},
		quota: map[string]int{}, used: map[string]int{}, requests: map[string]*requestLog{},
		inbound: map[string]time.Time{}, web: newWebState(),
	}
	for _, o := range opts {
		o(s)
	}
	s.quota[pathToken] = s.tokenQuota
	s.mux = http.NewServeMux()
	s.tokenRoutes()
	s.baseRoutes()
	s.autoReplyRoutes()
	s.ticketRoutes()
	s.menuRoutes()
	s.userRoutes()
	s.kfRoutes()
	s.templateRoutes()
	s.contentRoutes()
	s.webRoutes()
	s.srv = httptest.NewServer(s.mux)
	return s
}

// Close shuts the server down, after the jobs and pushes it started in the
// background.
func (s *Server) Close() {
	s.closeContent()
	s.srv.Close()
}

// URL is the base URL to use as Config.BaseURL.
func (s *Server) URL() string { return s.srv.URL }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// AppID returns the account's AppID.
func (s *Server) AppID() string { return s.appID }

// AppSecret returns the account's AppSecret.
func (s *Server) AppSecret() string { return s.secret }

// WebhookToken returns the webhook Token the platform signs pushes with.
func (s *Server) WebhookToken() string { return s.token }

// EncodingAESKey returns the key the platform encrypts pushes with.
func (s *Server) EncodingAESKey() string { return s.aesKey }

// OriginalID returns the account's original id (gh_…), the ToUserName of pushes.
func (s *Server) OriginalID() string { return s.originalID }

// Now returns the platform's time: real time plus every Advance so far.
func (s *Server) Now() time.Time {
	return time.Now().Add(time.Duration(s.offset.Load()))
}

// Advance moves the platform's clock forward by d. Managers built with
// CredentialOptions see the same clock, and jobs waiting for a time now past
// (publishing, mass sends) end and push their events.
func (s *Server) Advance(d time.Duration) {
	s.offset.Add(int64(d))
	s.clockMu.Lock()
	if s.advanced != nil {
		close(s.advanced)
		s.advanced = nil
	}
	s.clockMu.Unlock()
}

// nextAdvance returns a channel the next Advance closes.
func (s *Server) nextAdvance() <-chan struct{} {
	s.clockMu.Lock()
	defer s.clockMu.Unlock()
	if s.advanced == nil {
		s.advanced = make(chan struct{})
	}
	return s.advanced
}

// CredentialOptions are the options a credential.Manager needs to talk to this
// server on its clock, with fast retries.
func (s *Server) CredentialOptions() []credential.Option {
	return []credential.Option{
		credential.WithBaseURL(s.URL()),
		credential.WithHTTPClient(s.Client()),
		credential.WithClock(s.Now),
		credential.WithRetry(3, time.Millisecond),
	}
}

// Config returns an officialaccount.Config for this server's account, with a fresh
// credential.Manager on the server's clock.
func (s *Server) Config() officialaccount.Config {
	return officialaccount.Config{
		AppID:          s.appID,
		AppSecret:      s.secret,
		Token:          s.token,
		EncodingAESKey: s.aesKey,
		BaseURL:        s.URL(),
		HTTPClient:     s.Client(),
		Credential:     credential.New(s.appID, s.secret, s.CredentialOptions()...),
	}
}

// noteInbound records a message delivered from openID to the account at at: it
// opens the 48-hour customer-service window.
func (s *Server) noteInbound(openID string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if at.After(s.inbound[openID]) {
		s.inbound[openID] = at
	}
}
