package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/wxkit/wechat/internal/wxcrypto"
	"github.com/wxkit/wechat/internal/wxhttp"
	"github.com/wxkit/wechat/wechattest"
)

// WeChat's delivery rules (spec/webhook.md §8): an attempt waits 5 seconds, and
// a message is sent 3 times in all.
const (
	defaultTimeout  = 5 * time.Second
	defaultAttempts = 3
)

// Bounds of what the simulator keeps: it runs for hours in a developer's
// terminal, so memory must not grow with use.
const (
	maxFollowers   = 100
	maxChatEntries = 300      // per follower; the oldest go first
	maxWire        = 500      // exchanges whose wire details are kept; older ones keep what the chat shows
	maxShownBody   = 16 << 10 // bytes of a body kept for the wire panel
	maxReplyBody   = 1 << 20  // a webhook reply larger than this is refused
	maxQueue       = 1000     // deliveries waiting to be drawn
)

// Config is how a Sim starts.
type Config struct {
	Webhook string // the bot's webhook URL; any http or https URL
	BaseURL string // the simulator's URL, such as http://127.0.0.1:9000
	// AnyHost takes requests whatever their Host header says; for a simulator
	// listening beyond loopback. Otherwise only loopback names are taken.
	AnyHost bool
	Mode    wechattest.Mode // how pushes are sent at first
	// Timeout is how long one push attempt waits for the bot, and Attempts how
	// many times a push is sent when attempts time out: WeChat's 5 s and 3 when
	// zero. Tests shorten Timeout; the program never changes them.
	Timeout  time.Duration
	Attempts int
	Logger   *slog.Logger // nil: discard
}

// Sim is the simulator: a fake WeChat platform (wechattest), the followers and
// their chats, and the pushes to the bot's webhook. Its HTTP side (Handler)
// serves the page, its API, the event stream, and the fake's API for the bot.
type Sim struct {
	fake    *wechattest.Server
	cipher  *wxcrypto.Cipher
	client  *http.Client // pushes to the webhook
	logger  *slog.Logger
	timeout time.Duration
	tries   int
	hub     *hub

	ctx    context.Context // ends at Shutdown: pushes under way stop
	cancel context.CancelFunc

	// mu guards the fields below. Lock order: the fake's lock (held while an
	// Observe function runs), then mu, then the hub's. Never call the fake with
	// mu held.
	mu         sync.Mutex
	webhook    string
	mode       wechattest.Mode
	followers  []*follower // in the order added
	byID       map[string]*follower
	exchanges  map[int]*exchange
	wired      []*exchange // the exchanges that keep their wire details, oldest first
	seq        int         // of chat entries and exchanges
	imageBytes int         // of the pictures followers sent

	base     string // the simulator's URL, as the bot reaches it
	anyHost  bool   // listening beyond loopback: any Host header is taken
	queue    deliveryQueue
	stop     func() // ends Observe
	workerWG sync.WaitGroup
}

// follower is a WeChat user of the simulator, following the account or not.
type follower struct {
	OpenID   string `json:"openid"`
	Nickname string `json:"nickname"`
	Avatar   string `json:"avatar"`
	chat     []entry
	unread   int
}

// entry is one item of a follower's chat: an exchange (a push and the bot's
// answer) or a message the bot sent through the API.
type entry struct {
	Seq      int       `json:"seq"`
	Exchange *exchange `json:"exchange,omitempty"`
	Delivery *delivery `json:"delivery,omitempty"`
}

// New builds a Sim on a new fake platform with the sandbox account.
func New(cfg Config) (*Sim, error) {
	if err := checkWebhook(cfg.Webhook, false); err != nil {
		return nil, err
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultTimeout
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = defaultAttempts
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	fake := wechattest.NewServer()
	key, err := wxcrypto.DecodeAESKey(fake.EncodingAESKey())
	if err != nil {
		fake.Close()
		return nil, err
	}
	cipher, err := wxcrypto.NewCipher(key)
	if err != nil {
		fake.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Sim{
		fake: fake, cipher: cipher, logger: logger, timeout: cfg.Timeout, tries: cfg.Attempts,
		client: &http.Client{
			// Pushes go to the one webhook, never through an environment proxy,
			// and a redirect is an answer WeChat would not follow.
			Transport:     &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 4, IdleConnTimeout: time.Minute},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		hub: newHub(), ctx: ctx, cancel: cancel, base: strings.TrimRight(cfg.BaseURL, "/"), anyHost: cfg.AnyHost,
		webhook: cfg.Webhook, mode: cfg.Mode, byID: map[string]*follower{}, exchanges: map[int]*exchange{},
	}
	s.queue.wake = make(chan struct{}, 1)
	// The platform's own pushes (job events) go to the same webhook.
	fake.SetWebhook(cfg.Webhook, cfg.Mode)
	for _, nick := range seedFollowers {
		if _, err := s.addFollower(nick); err != nil {
			s.fake.Close()
			return nil, err
		}
	}
	return s, nil
}

// seedFollowers are the WeChat users a new simulator has; none follows yet.
var seedFollowers = []string{"小微", "阿强"}

// Start starts watching what the bot sends followers through the API.
func (s *Sim) Start() error {
	s.stop = s.fake.Observe(s.queue.push)
	s.workerWG.Add(1)
	go s.drawDeliveries()
	return nil
}

// Shutdown stops pushes under way and the event streams, waits for the
// simulator's goroutines, and closes the fake platform. It returns ctx's error
// if ctx ends first.
func (s *Sim) Shutdown(ctx context.Context) error {
	if s.stop != nil {
		s.stop()
	}
	s.closeStreams()
	done := make(chan struct{})
	go func() {
		s.workerWG.Wait()
		close(done)
	}()
	select {
	case <-done:
		s.fake.Close()
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// closeStreams stops pushes under way and ends the event streams, so that an
// http.Server serving the simulator can shut down (register it with
// RegisterOnShutdown).
func (s *Sim) closeStreams() {
	s.cancel()
	s.hub.close()
}

// Fake returns the platform the simulator plays.
func (s *Sim) Fake() *wechattest.Server { return s.fake }

// addFollower adds a WeChat user who does not follow yet. The platform learns
// of them (so that their avatar is served) without them following.
func (s *Sim) addFollower(nickname string) (*follower, error) {
	nickname = strings.TrimSpace(nickname)
	if nickname == "" || len([]rune(nickname)) > 20 {
		return nil, errors.New("nickname must be 1 to 20 characters")
	}
	s.mu.Lock()
	if len(s.followers) >= maxFollowers {
		s.mu.Unlock()
		return nil, fmt.Errorf("the simulator holds at most %d followers", maxFollowers)
	}
	f := &follower{OpenID: newOpenID(), Nickname: nickname}
	s.followers = append(s.followers, f)
	s.byID[f.OpenID] = f
	s.mu.Unlock()

	s.fake.AddFollower(wechattest.Follower{OpenID: f.OpenID, Nickname: nickname})
	s.fake.Unfollow(f.OpenID)
	avatar := s.local(s.fake.AvatarURL(f.OpenID))
	s.mu.Lock()
	f.Avatar = avatar
	s.mu.Unlock()
	return f, nil
}

// newOpenID makes an OpenID shaped like WeChat's: "o" and 27 characters of
// base64url.
func newOpenID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	b := make([]byte, 27)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	for i := range b {
		b[i] = alphabet[b[i]%64]
	}
	return "o" + string(b)
}

// local turns a URL the fake or the simulator handed out into a path on the
// simulator, which proxies the fake: the page then works from wherever the
// simulator is reached.
func (s *Sim) local(u string) string {
	for _, base := range []string{s.fake.URL(), s.base} {
		if rest, ok := strings.CutPrefix(u, base); ok && base != "" && strings.HasPrefix(rest, "/") {
			return rest
		}
	}
	return u
}

// checkWebhook checks a webhook URL: http or https with a host and no user
// info. When fromPage is true the host must also be loopback: the page may
// point the simulator at another local bot, but never make it a client of
// other machines (see "Safety" in the package doc).
func checkWebhook(raw string, fromPage bool) error {
	// The errors quote the URL without its user info: a password must not
	// reach the terminal or the page.
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("webhook URL: %w", wxhttp.RedactErr(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.User != nil || u.Fragment != "" {
		return fmt.Errorf("webhook URL %q: want http:// or https://, a host, no user info and no fragment", wxhttp.Redact(raw))
	}
	if fromPage && !isLoopbackHost(u.Hostname()) {
		return fmt.Errorf("webhook URL %q: the page may only set a loopback URL (127.0.0.1, ::1, localhost); restart wxsim with -webhook for another host", wxhttp.Redact(raw))
	}
	return nil
}

// isLoopbackHost reports whether host (no port) names this machine's loopback.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// followerLocked returns the follower openID, or nil. s.mu must be held.
func (s *Sim) followerLocked(openID string) *follower { return s.byID[openID] }

// addEntry appends e to f's chat, dropping the oldest entries past the bound.
// s.mu must be held.
func (s *Sim) addEntry(f *follower, e entry) {
	f.chat = append(f.chat, e)
	if n := len(f.chat) - maxChatEntries; n > 0 {
		for _, old := range f.chat[:n] {
			if old.Exchange != nil {
				delete(s.exchanges, old.Exchange.ID)
			}
		}
		f.chat = append(f.chat[:0:0], f.chat[n:]...)
	}
}

// keepWire records that ex keeps its wire details, and trims those of the
// oldest exchange past maxWire. s.mu must be held.
func (s *Sim) keepWire(ex *exchange) {
	s.wired = append(s.wired, ex)
	if len(s.wired) > maxWire {
		s.wired[0].trim()
		s.wired = append(s.wired[:0:0], s.wired[1:]...)
	}
}

// nextSeq numbers a new chat entry. s.mu must be held.
func (s *Sim) nextSeq() int {
	s.seq++
	return s.seq
}
