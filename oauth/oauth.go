package oauth

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/wxkit/wechat/internal/account"
	"github.com/wxkit/wechat/internal/central"
	"github.com/wxkit/wechat/officialaccount"
)

// Scope is what the user is asked to grant (授权作用域).
type Scope string

const (
	// ScopeBase (snsapi_base) is silent and yields only the OpenID.
	ScopeBase Scope = "snsapi_base"
	// ScopeUserInfo (snsapi_userinfo) shows a consent page; its token can read the
	// user's nickname and avatar, follower or not.
	ScopeUserInfo Scope = "snsapi_userinfo"
)

// DefaultAuthorizeBaseURL is the host of WeChat's authorize page.
const DefaultAuthorizeBaseURL = "https://open.weixin.qq.com"

// pathAuthorize is the authorize page's path on the authorize host.
const pathAuthorize = "/connect/oauth2/authorize"

// Service does 网页授权 for one account. It is safe for concurrent use. It holds
// no AppSecret: the exchange reads the account's when it sends it.
type Service struct {
	oa        *officialaccount.OfficialAccount
	authorize string          // authorize host, without a trailing slash
	exchanger *central.Client // the token server; nil: the exchange goes to WeChat with the account's AppSecret
	domain    string
	now       func() time.Time
}

// Option configures New.
type Option func(*settings)

type settings struct {
	authorize   string
	serverURL   string
	serverKey   string
	domain      string
	now         func() time.Time
	tokenServer bool
}

// WithAuthorizeBaseURL sets the host of the authorize page (default
// https://open.weixin.qq.com; "" means the default). Tests point it at
// wechattest, which serves the page too.
func WithAuthorizeBaseURL(u string) Option { return func(s *settings) { s.authorize = u } }

// WithTokenServer sends the code exchange to the central token server (中控服务器)
// at baseURL, as POST /oauth/exchange with "Authorization: Bearer <key>", instead
// of to WeChat with the AppSecret. Use it where the account is built on a
// credential.Remote: this server then never holds the AppSecret. The other calls
// (refresh, userinfo, auth) need no secret and go to WeChat directly.
func WithTokenServer(baseURL, key string) Option {
	return func(s *settings) { s.serverURL, s.serverKey, s.tokenServer = baseURL, key, true }
}

// WithRedirectDomain names the account's 网页授权域名 (a bare host, as set in the
// Official Account console): AuthCodeURL then refuses, with errcode 10003 as
// WeChat's page would, a redirect URI on another host or with a port (a port on a
// loopback host is let through, as wechattest does, for tests).
func WithRedirectDomain(host string) Option { return func(s *settings) { s.domain = host } }

// WithClock sets the clock token expiry is computed with (default time.Now; nil
// means the default); tests pass wechattest's.
func WithClock(now func() time.Time) Option { return func(s *settings) { s.now = now } }

// New returns the 网页授权 service of oa. The code exchange needs the AppSecret:
// an account built without one (on a credential.Remote) needs WithTokenServer,
// and New says so.
func New(oa *officialaccount.OfficialAccount, opts ...Option) (*Service, error) {
	if oa == nil {
		return nil, errors.New("oauth: New needs an *officialaccount.OfficialAccount")
	}
	var st settings
	for _, o := range opts {
		o(&st)
	}
	if st.authorize == "" {
		st.authorize = DefaultAuthorizeBaseURL
	}
	svc := &Service{oa: oa, now: st.now, domain: strings.ToLower(st.domain)}
	if svc.now == nil {
		svc.now = time.Now
	}
	u, err := url.Parse(st.authorize)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("oauth: the authorize base URL must be an absolute http(s) URL without query or fragment, got %q", st.authorize)
	}
	svc.authorize = strings.TrimRight(st.authorize, "/")
	if st.tokenServer {
		if svc.exchanger, err = central.New("oauth", st.serverURL, st.serverKey, oa.HTTPClient()); err != nil {
			return nil, err
		}
		return svc, nil
	}
	if account.Of(oa).AppSecret == "" {
		return nil, errors.New("oauth: the account has no AppSecret (it is built on a credential.Remote, or webhook-only): " +
			"pass oauth.WithTokenServer(url, key) so that the central token server exchanges codes")
	}
	return svc, nil
}
