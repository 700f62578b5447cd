// Package oauth is 网页授权 (web authorization, OAuth2) for H5 pages opened inside
// WeChat: the authorize link, the code exchange, the web token's refresh, the
// user's profile (nickname and avatar: since 2021-12-27 the only official source
// of both), and a login handler for net/http that does the whole flow safely.
//
//	svc, err := oauth.New(oa)
//	login, err := svc.LoginHandler(oauth.LoginConfig{CallbackURL: "https://example.com/login", Scope: oauth.ScopeUserInfo, OnLogin: onLogin})
//	http.Handle("/login", login) // /login?next=/profile starts it; WeChat comes back to it
//
// The code exchange is the one call that needs the AppSecret. A server whose
// account is built on a credential.Remote holds none: with WithTokenServer the
// exchange goes through the central token server's POST /oauth/exchange.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/Wechat_webpage_authorization.html
package oauth
