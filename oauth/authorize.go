package oauth

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/wxkit/wechat"
)

// maxState is the longest state WeChat echoes back (bytes).
const maxState = 128

// AuthCodeOption adds an optional parameter to the authorize link.
type AuthCodeOption func(*authCodeSettings)

type authCodeSettings struct{ forcePopup bool }

// WithForcePopup adds forcePopup=true: WeChat shows the consent popup even where
// it would authorize silently (a follower coming from the account's menu), unless
// a special silent scenario applies.
func WithForcePopup() AuthCodeOption { return func(s *authCodeSettings) { s.forcePopup = true } }

// AuthCodeURL returns the link that sends the browser to WeChat's authorize page
// (用户同意授权，获取code). WeChat matches the link with a strict pattern, so it is
// written literally in WeChat's order — appid, redirect_uri, response_type, scope,
// state, then optional parameters — and ends in #wechat_redirect.
//
// redirectURI must be an absolute http(s) URL without a #fragment, on the
// account's 网页授权域名; it is escaped as url.QueryEscape does. state must be 1
// to 128 bytes of [A-Za-z0-9] (WeChat echoes it back unchanged; use it against
// CSRF, as LoginHandler does). A bad input is an error, never a broken link.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/Wechat_webpage_authorization.html
func (s *Service) AuthCodeURL(redirectURI string, scope Scope, state string, opts ...AuthCodeOption) (string, error) {
	if err := s.checkRedirect(redirectURI); err != nil {
		return "", err
	}
	if scope != ScopeBase && scope != ScopeUserInfo {
		return "", fmt.Errorf("oauth: scope must be %s or %s, got %q", ScopeBase, ScopeUserInfo, scope)
	}
	if err := checkState(state); err != nil {
		return "", err
	}
	var o authCodeSettings
	for _, opt := range opts {
		opt(&o)
	}
	var b strings.Builder
	b.Grow(len(s.authorize) + len(redirectURI)*3/2 + len(state) + 128)
	b.WriteString(s.authorize)
	b.WriteString(pathAuthorize)
	b.WriteString("?appid=")
	b.WriteString(url.QueryEscape(s.oa.AppID()))
	b.WriteString("&redirect_uri=")
	b.WriteString(url.QueryEscape(redirectURI))
	b.WriteString("&response_type=code&scope=")
	b.WriteString(string(scope))
	b.WriteString("&state=")
	b.WriteString(state)
	if o.forcePopup {
		b.WriteString("&forcePopup=true")
	}
	b.WriteString("#wechat_redirect")
	return b.String(), nil
}

// checkRedirect refuses what WeChat's page would refuse, or what would break the
// link: a relative URL, another scheme, a #fragment (it would swallow
// #wechat_redirect), and with WithRedirectDomain another host or a port (10003).
func (s *Service) checkRedirect(redirectURI string) error {
	if redirectURI == "" {
		return &wechat.Error{Code: wechat.CodeAuthorizeRedirectEmpty, Message: "redirect URI is empty", API: pathAuthorize}
	}
	u, err := url.Parse(redirectURI)
	switch {
	case err != nil:
		return fmt.Errorf("oauth: redirect URI %q does not parse: %w", redirectURI, errors.Unwrap(err))
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "", u.Opaque != "":
		return fmt.Errorf("oauth: redirect URI %q must be an absolute http or https URL", redirectURI)
	case strings.Contains(redirectURI, "#"):
		return fmt.Errorf("oauth: redirect URI %q has a #fragment; WeChat's link must end in #wechat_redirect", redirectURI)
	case u.User != nil:
		return fmt.Errorf("oauth: redirect URI %q carries user info", redirectURI)
	}
	if s.domain == "" {
		return nil
	}
	if !strings.EqualFold(u.Hostname(), s.domain) || (u.Port() != "" && !isLoopback(u.Hostname())) {
		return &wechat.Error{Code: wechat.CodeAuthorizeDomainMismatch, API: pathAuthorize,
			Message: fmt.Sprintf("redirect URI host %q is not the 网页授权域名 %q (WeChat wants the exact host, no port)", u.Host, s.domain)}
	}
	return nil
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// checkState: 1 to 128 bytes of [A-Za-z0-9], what WeChat echoes back unchanged.
func checkState(state string) error {
	if state == "" {
		return &wechat.Error{Code: wechat.CodeAuthorizeStateEmpty, API: pathAuthorize, Message: "state is empty; pass a random value and check it in the callback (CSRF)"}
	}
	if len(state) > maxState {
		return fmt.Errorf("oauth: state is %d bytes, the limit is %d", len(state), maxState)
	}
	for i := 0; i < len(state); i++ {
		if c := state[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return fmt.Errorf("oauth: state byte %d is %q; WeChat accepts only [A-Za-z0-9]", i, c)
		}
	}
	return nil
}
