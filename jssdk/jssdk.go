package jssdk

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/internal/wxcrypto"
)

// Sign returns the wx.config signature (签名算法, JS-SDK 附录1): the lowercase hex
// SHA-1 of "jsapi_ticket=…&noncestr=…&timestamp=…&url=…", the keys in ASCII
// order and every value raw — no URL or HTML escaping. pageURL is the page's full
// URL; anything from '#' on is dropped, as WeChat wants.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/JS-SDK.html
func Sign(ticket, nonceStr string, timestamp int64, pageURL string) string {
	return wxcrypto.JSAPISignature(ticket, nonceStr, strconv.FormatInt(timestamp, 10), pageURL)
}

// Config is the object the page passes to wx.config; it marshals to exactly the
// JSON WeChat documents (appId, timestamp, nonceStr, signature, jsApiList,
// openTagList). Set Debug for the client's alerts.
type Config struct {
	Debug       bool     `json:"debug"`
	AppID       string   `json:"appId"`
	Timestamp   int64    `json:"timestamp"`
	NonceStr    string   `json:"nonceStr"`
	Signature   string   `json:"signature"`
	JSAPIList   []string `json:"jsApiList"`
	OpenTagList []string `json:"openTagList,omitempty"`
}

// Signer makes wx.config objects with the account's jsapi_ticket. It is safe for
// concurrent use.
type Signer struct {
	tickets credential.Provider
	appID   string
	now     func() time.Time
}

// Option configures a Signer.
type Option func(*Signer)

// WithAppID sets the AppID that wx.config carries beside the signature. It is
// needed only when tickets cannot say it: a credential.NewTicket provider (a
// *credential.Manager) knows its account's AppID.
func WithAppID(appID string) Option { return func(s *Signer) { s.appID = appID } }

// WithClock sets the clock the timestamp is read from; nil means time.Now.
func WithClock(now func() time.Time) Option {
	return func(s *Signer) {
		if now != nil {
			s.now = now
		}
	}
}

// ErrNoAppID is returned by Config when the Signer knows no AppID: tickets is not
// a credential.NewTicket provider and WithAppID was not given.
var ErrNoAppID = errors.New("jssdk: no AppID for wx.config: pass a credential.NewTicket provider or jssdk.WithAppID")

// New returns a Signer that signs with the jsapi_ticket from tickets (a
// credential.NewTicket provider of type credential.TicketJSAPI: cached and
// renewed like the access_token). wx.config also needs the AppID: New takes it
// from tickets when tickets has an AppID method (credential.Manager does), or
// from WithAppID.
func New(tickets credential.Provider, opts ...Option) *Signer {
	s := &Signer{tickets: tickets, now: time.Now}
	if a, ok := tickets.(interface{ AppID() string }); ok {
		s.appID = a.AppID()
	}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	return s
}

// maxPageURL bounds the URL signed; browsers' own limits are near this.
const maxPageURL = 8 << 10

// Config signs pageURL (the page's location.href; the #fragment is dropped) with
// a fresh nonce from crypto/rand and the current time, and returns what the page
// passes to wx.config. apis may be empty when only open tags are used.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/JS-SDK.html
func (s *Signer) Config(ctx context.Context, pageURL string, apis []string, openTags []string) (*Config, error) {
	page, _, _ := strings.Cut(pageURL, "#")
	u, err := url.Parse(page)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return nil, fmt.Errorf("jssdk: the page URL must be an absolute http(s) URL, got %q", pageURL)
	case len(page) > maxPageURL:
		return nil, fmt.Errorf("jssdk: the page URL is %d bytes, the limit is %d", len(page), maxPageURL)
	case strings.Contains(page, "&amp;"):
		return nil, errors.New(`jssdk: the page URL holds "&amp;": sign the URL the browser shows, not HTML-escaped text`)
	}
	if s.appID == "" {
		return nil, ErrNoAppID
	}
	ticket, err := s.tickets.Token(ctx)
	if err != nil {
		return nil, fmt.Errorf("jssdk: the jsapi_ticket: %w", err)
	}
	nonce := newNonce()
	ts := s.now().Unix()
	if apis == nil {
		apis = []string{}
	}
	return &Config{
		AppID: s.appID, Timestamp: ts, NonceStr: nonce,
		Signature: Sign(ticket, nonce, ts, page), JSAPIList: apis, OpenTagList: openTags,
	}, nil
}

// Refresh tells the Signer that WeChat refused a signature made with the
// current ticket although the URL was right (wx.error "invalid signature"): the
// ticket provider fetches a new jsapi_ticket (获取jsapi_ticket), naming the
// current one as rejected, as an API call does with a rejected access_token.
// Its passive-refresh limit keeps a page reporting errors in a loop from
// burning the ticket quota.
//
// Refresh renews whatever ticket is current when it runs: a report that
// arrives after another page's has renewed the ticket renews it again.
// [Signer.RefreshFor] names the refused config and renews only the ticket that
// signed it.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/JS-SDK.html
func (s *Signer) Refresh(ctx context.Context) error { return s.refresh(ctx, nil) }

// refresh renews the current ticket, naming it as rejected, when signed
// (if any) says it made the refused signature; ErrNotCurrent otherwise.
func (s *Signer) refresh(ctx context.Context, signed func(ticket string) bool) error {
	ticket, err := s.tickets.Token(ctx)
	if err != nil {
		return fmt.Errorf("jssdk: the jsapi_ticket: %w", err)
	}
	if signed != nil && !signed(ticket) {
		return ErrNotCurrent
	}
	if _, err := s.tickets.Refresh(ctx, ticket); err != nil {
		return fmt.Errorf("jssdk: refreshing the jsapi_ticket: %w", err)
	}
	return nil
}

// ErrNotCurrent is returned by RefreshFor when the refused config was not
// signed with the current jsapi_ticket for the page URL given: the ticket has
// been renewed since (the page should sign again with Config), or the page
// signed another URL than the one it reports, which a new ticket would not
// mend. The ticket was not renewed.
var ErrNotCurrent = errors.New("jssdk: the refused wx.config was not signed with the current jsapi_ticket for that page URL, so it was not renewed: sign again with Config, and check that the page signs location.href.split('#')[0]")

// RefreshFor is Refresh for one refused wx.config: cfg as Config returned it
// (or as the page sends it back) and the URL of the page that used it. The
// ticket is renewed, naming it as rejected, only when it is the current one
// and signs cfg for pageURL; otherwise RefreshFor returns ErrNotCurrent and
// renews nothing (reading the current ticket may fetch one, as Config does,
// when none is valid). Many pages reporting the same refused ticket, at once or
// one after another, renew it once.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/JS-SDK.html
func (s *Signer) RefreshFor(ctx context.Context, cfg *Config, pageURL string) error {
	if cfg == nil || cfg.Signature == "" {
		return errors.New("jssdk: RefreshFor needs the refused wx.config, with its signature")
	}
	got := []byte(strings.ToLower(cfg.Signature))
	return s.refresh(ctx, func(ticket string) bool {
		want := Sign(ticket, cfg.NonceStr, cfg.Timestamp, pageURL)
		return subtle.ConstantTimeCompare([]byte(want), got) == 1
	})
}

// newNonce returns 16 characters of [0-9A-Za-z] from crypto/rand.
func newNonce() string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
