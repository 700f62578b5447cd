package wechattest

import (
	"net/http"
	"strings"
	"time"
)

// Defaults of the web side of the fake.
const (
	// DefaultOAuthDomain is the 网页授权域名 (and JS接口安全域名) of the sandbox
	// account: pages on loopback may use 网页授权 and the JS-SDK.
	DefaultOAuthDomain = "127.0.0.1"
	// DefaultAccountName is the account's name on the consent page.
	DefaultAccountName = "wxkit 沙盒公众号"
	// DefaultBrowserUser is the WeChat user the authorize page acts for until
	// AuthorizeAs names another.
	DefaultBrowserUser = "o_wxkit_browser_user"
)

// webState is the platform's web side: 网页授权 codes and tokens, JS-SDK tickets,
// parametric QR codes and short keys. Guarded by Server.mu.
type webState struct {
	domain      string // 网页授权域名, a bare host
	accountName string
	browserUser string
	snapshot    bool
	snapSeq     int

	codes    map[string]*authCode
	tokens   map[string]*webToken // web access_tokens
	refresh  map[string]*webToken // refresh_tokens
	consents map[string]*consent
	avatars  map[string]string // avatar id -> OpenID

	jsTickets map[string]time.Time // jsapi ticket -> expiry

	qrcodes   map[string]*fakeQR // by ticket
	permanent map[string]string  // scene key -> ticket of the permanent code
	shortKeys map[string]*shortEntry
}

// newWebState returns the web side of a new platform, before options.
func newWebState() *webState {
	return &webState{
		domain: DefaultOAuthDomain, accountName: DefaultAccountName, browserUser: DefaultBrowserUser,
		codes: map[string]*authCode{}, tokens: map[string]*webToken{}, refresh: map[string]*webToken{},
		consents: map[string]*consent{}, avatars: map[string]string{}, jsTickets: map[string]time.Time{},
		qrcodes: map[string]*fakeQR{}, permanent: map[string]string{}, shortKeys: map[string]*shortEntry{},
	}
}

// WithOAuthDomain sets the account's 网页授权域名, a bare host such as
// "www.example.com" (default 127.0.0.1). The authorize page answers 10003 for a
// redirect_uri on any other host, and for one with a port unless the host is a
// loopback address (tests cannot listen on port 80; WeChat refuses every port).
// It is also the JS接口安全域名 the fake's jweixin.js checks.
func WithOAuthDomain(host string) Option {
	return func(s *Server) { s.web.domain = strings.ToLower(host) }
}

// WithAccountName sets the account name the consent page shows.
func WithAccountName(name string) Option {
	return func(s *Server) { s.web.accountName = name }
}

// AuthorizeAs makes openID the WeChat user the authorize page acts for, as if
// the browser were WeChat logged in as that user (default DefaultBrowserUser). A
// user the platform does not know is added as a non-follower: 网页授权 works for
// anyone, follower or not.
func (s *Server) AuthorizeAs(openID string) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.web.browserUser = openID
	s.knownUser(openID, now)
}

// SetSnapshotMode switches snapshot mode (快照页) on or off: while on, an
// snsapi_userinfo authorization shows no consent page and hands out a code of a
// virtual user, whose exchange says is_snapshotuser 1 and whose /sns/userinfo
// answers 48001 (as field reports describe).
func (s *Server) SetSnapshotMode(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.web.snapshot = on
}

// UserChangedPassword plays the user openID changing their WeChat password: their
// web access tokens and refresh tokens stop working (42007).
func (s *Server) UserChangedPassword(openID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.web
	for _, t := range w.tokens {
		if t.openID == openID {
			t.revoked = true
		}
	}
	for _, t := range w.refresh {
		if t.openID == openID {
			t.revoked = true
		}
	}
}

// knownUser returns the user openID, adding a non-follower when unknown. s.mu
// must be held.
func (s *Server) knownUser(openID string, now time.Time) *fakeUser {
	st := &s.users
	if u := st.users[openID]; u != nil {
		return u
	}
	u := &fakeUser{Follower: Follower{OpenID: openID, SubscribeTime: now}}
	st.users[openID] = u
	st.order = append(st.order, openID)
	return u
}

func (s *Server) webRoutes() {
	s.oauthRoutes()
	s.qrcodeRoutes()
	s.shortKeyRoutes()
	s.jsapiRoutes()
	s.mux.HandleFunc("/mmopen/", s.serveAvatar)
}

// record notes a call to a page that is not a JSON API (the authorize page, the
// QR image), so that Calls and Requests see it too.
func (s *Server) record(r *http.Request, path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.note(path, Request{Method: r.Method, Path: path, Query: r.URL.Query(), At: s.Now()})
}
