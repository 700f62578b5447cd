package wechattest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wxkit/wechat"
)

// Paths of 网页授权 (web authorization).
const (
	PathAuthorize        = "/connect/oauth2/authorize"         // the authorize page (open.weixin.qq.com)
	PathAuthorizeConsent = "/connect/oauth2/authorize/consent" // the fake's consent form posts here
	PathSNSAccessToken   = "/sns/oauth2/access_token"
	PathSNSRefreshToken  = "/sns/oauth2/refresh_token"
	PathSNSUserInfo      = "/sns/userinfo"
	PathSNSAuth          = "/sns/auth"
)

// Lifetimes WeChat documents.
const (
	codeLife         = 5 * time.Minute
	webTokenLife     = 7200 * time.Second
	refreshTokenLife = 30 * 24 * time.Hour
)

// authCode is a code handed to redirect_uri: single-use, five minutes.
type authCode struct {
	openID   string
	scope    string
	issued   time.Time
	used     bool
	snapshot bool
}

// webToken is what a user granted: a web access_token (网页授权 access_token,
// unrelated to the account's access_token, 2 hours) or its refresh_token (30
// days). The spec leaves open whether a refresh restarts the refresh_token's
// window; the fake does not, and hands back the same refresh_token.
type webToken struct {
	openID    string
	scope     string
	expiresAt time.Time
	snapshot  bool
	revoked   bool // the user changed their password
}

// consent is an snsapi_userinfo authorization waiting for 允许 or 拒绝.
type consent struct {
	redirect, state, scope, openID string
}

func (s *Server) oauthRoutes() {
	s.mux.HandleFunc(PathAuthorize, s.serveAuthorize)
	s.mux.HandleFunc(PathAuthorizeConsent, s.serveConsent)
	s.route(http.MethodGet, PathSNSAccessToken, false, s.snsAccessToken)
	s.route(http.MethodGet, PathSNSRefreshToken, false, s.snsRefreshToken)
	s.route(http.MethodGet, PathSNSUserInfo, false, s.snsUserInfo)
	s.route(http.MethodGet, PathSNSAuth, false, s.snsAuth)
}

// authorizeOrder is the order WeChat's link check wants; later parameters
// (forcePopup, connect_redirect) may follow.
var authorizeOrder = []string{"appid", "redirect_uri", "response_type", "scope", "state"}

// serveAuthorize is open.weixin.qq.com's authorize page: the checks WeChat makes
// on the link (an error page with WeChat's code), then a silent redirect for
// snsapi_base or the consent page for snsapi_userinfo.
func (s *Server) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	s.record(r, PathAuthorize)
	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.URL.Query()
	code, msg := s.checkAuthorize(r.URL.RawQuery, q)
	if msg != "" {
		s.errorPage(w, code, msg)
		return
	}
	web := s.web
	redirect, scope, state := q.Get("redirect_uri"), q.Get("scope"), q.Get("state")
	switch {
	case scope == "snsapi_userinfo" && web.snapshot:
		web.snapSeq++
		virtual := fmt.Sprintf("o_wxkit_snapshot_%06d", web.snapSeq)
		http.Redirect(w, r, withCode(redirect, s.issueCode(virtual, scope, now, true), state), http.StatusFound)
	case scope == "snsapi_userinfo":
		id := randomHex(16)
		web.consents[id] = &consent{redirect: redirect, state: state, scope: scope, openID: web.browserUser}
		u := s.knownUser(web.browserUser, now)
		s.consentPage(w, id, u)
	default:
		s.knownUser(web.browserUser, now)
		http.Redirect(w, r, withCode(redirect, s.issueCode(web.browserUser, scope, now, false), state), http.StatusFound)
	}
}

// checkAuthorize returns the error the authorize page shows for the link, or
// "" when it is good. s.mu is held.
func (s *Server) checkAuthorize(rawQuery string, q url.Values) (int, string) {
	var keys []string
	for _, kv := range strings.Split(rawQuery, "&") {
		k, _, _ := strings.Cut(kv, "=")
		keys = append(keys, k)
	}
	for i, want := range authorizeOrder {
		if want == "state" && (i >= len(keys) || keys[i] != "state") {
			break // state is optional (spec §2)
		}
		if i >= len(keys) || keys[i] != want {
			return 0, "链接参数顺序错误：WeChat wants appid, redirect_uri, response_type, scope, state in this order"
		}
	}
	redirect := q.Get("redirect_uri")
	switch {
	case q.Get("appid") == "":
		return wechat.CodeAuthorizeAppIDEmpty, "appid 参数为空"
	case q.Get("appid") != s.appID:
		return wechat.CodeInvalidAppID, "invalid appid"
	case redirect == "":
		return wechat.CodeAuthorizeRedirectEmpty, "redirect_uri 参数为空"
	case !s.redirectAllowed(redirect):
		return wechat.CodeAuthorizeDomainMismatch, "redirect_uri 域名与后台配置不一致"
	case q.Get("response_type") != "code":
		return 0, "response_type 参数错误：must be code"
	case q.Get("scope") == "":
		return wechat.CodeAuthorizeScopeEmpty, "scope 参数为空"
	case q.Get("scope") != "snsapi_base" && q.Get("scope") != "snsapi_userinfo":
		return wechat.CodeAuthorizeNoScope, "该公众号没有授权 scope " + q.Get("scope") + " 的权限"
	case !validState(q.Get("state")):
		return 0, "state 参数错误：only [a-zA-Z0-9], at most 128 bytes"
	}
	return 0, ""
}

// redirectAllowed checks a redirect_uri: an http(s) URL without a fragment, on
// the 网页授权域名.
func (s *Server) redirectAllowed(redirect string) bool {
	u, err := url.Parse(redirect)
	if err != nil || u.Fragment != "" {
		return false
	}
	return s.onDomain(u)
}

// onDomain reports whether u is an http(s) URL on the 网页授权域名 (also the
// JS接口安全域名): the exact host, no port (except on loopback, where tests run).
func (s *Server) onDomain(u *url.URL) bool {
	if (u.Scheme != "http" && u.Scheme != "https") || !strings.EqualFold(u.Hostname(), s.web.domain) {
		return false
	}
	if u.Port() != "" {
		ip := net.ParseIP(u.Hostname())
		return u.Hostname() == "localhost" || (ip != nil && ip.IsLoopback())
	}
	return true
}

func validState(st string) bool {
	if len(st) > 128 {
		return false
	}
	for i := 0; i < len(st); i++ {
		c := st[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// withCode appends code (when not "") and state to redirect's query, after what
// it already has, as WeChat does.
func withCode(redirect, code, state string) string {
	add := url.Values{}
	if code != "" {
		add.Set("code", code)
	}
	add.Set("state", state)
	sep := "?"
	if strings.Contains(redirect, "?") {
		sep = "&"
	}
	// code before state, as WeChat writes them; Encode would sort them the same.
	return redirect + sep + add.Encode()
}

func (s *Server) issueCode(openID, scope string, now time.Time, snapshot bool) string {
	code := randomHex(16)
	s.web.codes[code] = &authCode{openID: openID, scope: scope, issued: now, snapshot: snapshot}
	return code
}

// serveConsent takes the answer of the consent page: 允许 redirects with a code,
// 拒绝 without one.
func (s *Server) serveConsent(w http.ResponseWriter, r *http.Request) {
	s.record(r, PathAuthorizeConsent)
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	web := s.web
	c := web.consents[r.PostForm.Get("id")]
	if c == nil {
		s.errorPage(w, 0, "授权请求已失效，请重新进入页面")
		return
	}
	delete(web.consents, r.PostForm.Get("id"))
	code := ""
	if r.PostForm.Get("action") == "allow" {
		code = s.issueCode(c.openID, c.scope, now, false)
	}
	http.Redirect(w, r, withCode(c.redirect, code, c.state), http.StatusFound)
}

// snsAccessToken exchanges a code: single-use, five minutes, this account's.
func (s *Server) snsAccessToken(c *call) (any, error) {
	q := c.query
	switch {
	case q.Get("appid") == "":
		return nil, apiError(wechat.CodeAppIDMissing, "appid missing")
	case q.Get("secret") == "":
		return nil, apiError(wechat.CodeSecretMissing, "appsecret missing")
	case q.Get("code") == "":
		return nil, apiError(wechat.CodeOAuthCodeMissing, "missing code")
	case q.Get("grant_type") != "authorization_code":
		return nil, apiError(wechat.CodeInvalidGrantType, "invalid grant_type")
	case q.Get("appid") != s.appID:
		return nil, apiError(wechat.CodeInvalidAppID, "invalid appid")
	case q.Get("secret") != s.secret:
		return nil, apiError(wechat.CodeInvalidAppSecret, "invalid appsecret")
	}
	web := s.web
	code := web.codes[q.Get("code")]
	switch {
	case code == nil:
		return nil, apiError(wechat.CodeInvalidOAuthCode, "invalid code")
	case code.used:
		return nil, apiError(wechat.CodeOAuthCodeUsed, "code been used")
	case !c.now.Before(code.issued.Add(codeLife)):
		// The spec: 40029 covers expired codes; 42003 is in the global table only.
		return nil, apiError(wechat.CodeInvalidOAuthCode, "invalid code")
	}
	code.used = true
	access, refresh := randomHex(44), randomHex(44)
	web.tokens[access] = &webToken{openID: code.openID, scope: code.scope, expiresAt: c.now.Add(webTokenLife), snapshot: code.snapshot}
	web.refresh[refresh] = &webToken{openID: code.openID, scope: code.scope, expiresAt: c.now.Add(refreshTokenLife), snapshot: code.snapshot}
	reply := map[string]any{
		"access_token": access, "expires_in": int(webTokenLife / time.Second), "refresh_token": refresh,
		"openid": code.openID, "scope": code.scope,
	}
	switch u := s.users.users[code.openID]; {
	case code.snapshot:
		reply["is_snapshotuser"] = 1
		reply["unionid"] = "o_wxkit_snapshot_union" // virtual, unlike the real one
	case u != nil && u.UnionID != "" && code.scope == "snsapi_userinfo":
		reply["unionid"] = u.UnionID
	}
	return reply, nil
}

func (s *Server) snsRefreshToken(c *call) (any, error) {
	q := c.query
	switch {
	case q.Get("appid") == "":
		return nil, apiError(wechat.CodeAppIDMissing, "appid missing")
	case q.Get("grant_type") != "refresh_token":
		return nil, apiError(wechat.CodeInvalidGrantType, "invalid grant_type")
	case q.Get("refresh_token") == "":
		return nil, apiError(wechat.CodeRefreshTokenMissing, "refresh_token missing")
	case q.Get("appid") != s.appID:
		return nil, apiError(wechat.CodeInvalidAppID, "invalid appid")
	}
	web := s.web
	rt := web.refresh[q.Get("refresh_token")]
	switch {
	case rt == nil:
		return nil, apiError(wechat.CodeInvalidRefreshToken, "invalid refresh_token")
	case rt.revoked:
		return nil, apiError(wechat.CodeUserPasswordChanged, "user changed password, access_token and refresh_token revoked")
	case !c.now.Before(rt.expiresAt):
		return nil, apiError(wechat.CodeRefreshTokenExpired, "refresh_token expired")
	}
	access := randomHex(44)
	web.tokens[access] = &webToken{openID: rt.openID, scope: rt.scope, expiresAt: c.now.Add(webTokenLife), snapshot: rt.snapshot}
	return map[string]any{
		"access_token": access, "expires_in": int(webTokenLife / time.Second),
		"refresh_token": q.Get("refresh_token"), "openid": rt.openID, "scope": rt.scope,
	}, nil
}

// checkWebToken checks a web access_token and the openid it is used with.
func (s *Server) checkWebToken(c *call) (*webToken, error) {
	value, openID := c.query.Get("access_token"), c.query.Get("openid")
	t := s.web.tokens[value]
	switch {
	case value == "":
		return nil, apiError(wechat.CodeAccessTokenMissing, "access_token missing")
	case t == nil:
		return nil, apiError(wechat.CodeInvalidCredential, "invalid credential, access_token is invalid or not latest")
	case t.revoked:
		return nil, apiError(wechat.CodeUserPasswordChanged, "user changed password, access_token and refresh_token revoked")
	case !c.now.Before(t.expiresAt):
		return nil, apiError(wechat.CodeAccessTokenExpired, "access_token expired")
	case openID == "":
		return nil, apiError(wechat.CodeOpenIDMissing, "openid missing")
	case openID != t.openID:
		return nil, apiError(wechat.CodeInvalidOpenID, "invalid openid")
	}
	return t, nil
}

// snsUserInfo answers the profile of an snsapi_userinfo token. Since 2021 sex is
// 0 and the region fields are empty (the keys stay). The spec documents no
// errcode for an unknown lang; the fake accepts any.
func (s *Server) snsUserInfo(c *call) (any, error) {
	t, err := s.checkWebToken(c)
	if err != nil {
		return nil, err
	}
	if t.scope != "snsapi_userinfo" || t.snapshot {
		return nil, apiError(wechat.CodeAPIUnauthorized, "api unauthorized")
	}
	u := s.knownUser(t.openID, c.now)
	nick := u.Nickname
	if nick == "" {
		nick = "微信用户"
	}
	reply := map[string]any{
		"openid": t.openID, "nickname": nick, "sex": 0, "province": "", "city": "", "country": "",
		"headimgurl": s.avatarURL(u), "privilege": []string{},
	}
	if u.UnionID != "" {
		reply["unionid"] = u.UnionID
	}
	return reply, nil
}

// snsAuth checks a web token: errcode 0 when it is good for openid.
func (s *Server) snsAuth(c *call) (any, error) {
	if _, err := s.checkWebToken(c); err != nil {
		return nil, err
	}
	return ok(), nil
}

// avatarURL is u's HeadImgURL, or the fake's own drawing of an avatar for u.
func (s *Server) avatarURL(u *fakeUser) string {
	if u.HeadImgURL != "" {
		return u.HeadImgURL
	}
	sum := sha256.Sum256([]byte(u.OpenID))
	id := hex.EncodeToString(sum[:12])
	s.web.avatars[id] = u.OpenID
	return s.URL() + "/mmopen/" + id + "/132"
}
