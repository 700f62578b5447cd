package oauth

import (
	"errors"
	"html/template"
	"net/http"

	"github.com/wxkit/wechat"
)

var loginErrorTmpl = template.Must(template.New("login-error").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}}</title></head>
<body style="font-family:sans-serif;max-width:480px;margin:40px auto;padding:0 16px;color:#333">
<h1 id="login-error-title">{{.Title}}</h1>
<p id="login-error">{{.Message}}</p>
<p style="color:#888">{{.English}}</p>
<p><a id="login-retry" href="{{.Retry}}">重新登录 / Sign in again</a></p>
</body></html>`))

// LoginErrorStatus returns the HTTP status the default error page answers err
// with: 403 for ErrStateMismatch, ErrLoginDenied and ErrSnapshotUser (which an
// OnLogin may return), 400 for ErrLoginExpired, ErrLoginUsed and for a code
// WeChat refused (expired, reused), 502 for the rest (WeChat or the token
// server failed).
func LoginErrorStatus(err error) int {
	switch {
	case errors.Is(err, ErrStateMismatch), errors.Is(err, ErrLoginDenied), errors.Is(err, ErrSnapshotUser):
		return http.StatusForbidden
	case errors.Is(err, ErrLoginExpired), errors.Is(err, ErrLoginUsed):
		return http.StatusBadRequest
	}
	switch wechat.Code(err) {
	case wechat.CodeInvalidOAuthCode, wechat.CodeOAuthCodeUsed, wechat.CodeOAuthCodeExpired, wechat.CodeOAuthCodeMissing:
		return http.StatusBadRequest
	}
	return http.StatusBadGateway
}

// errorPage is the default OnError.
func (h *loginHandler) errorPage(w http.ResponseWriter, r *http.Request, err error) {
	page := map[string]string{"Retry": h.path}
	switch {
	case errors.Is(err, ErrLoginDenied):
		page["Title"], page["Message"] = "你拒绝了授权", "没有你的授权，无法登录。想登录时请重新开始。"
		page["English"] = "You declined the authorization, so you are not signed in."
	case errors.Is(err, ErrStateMismatch):
		page["Title"], page["Message"] = "登录请求无效", "这个登录链接不是从这个浏览器发起的（state 不匹配），可能来自别的网站。为了安全，登录已被拒绝。"
		page["English"] = "This sign-in did not start in this browser (state mismatch), so it was refused."
	case errors.Is(err, ErrSnapshotUser):
		page["Title"], page["Message"] = "需要完整授权", "你正在快照页模式下浏览，拿不到你的资料。请点击页面下方的「使用完整服务」，再重新登录。"
		page["English"] = "WeChat shows this page in snapshot mode: tap 使用完整服务 (use the full service), then sign in again."
	case errors.Is(err, ErrLoginExpired):
		page["Title"], page["Message"] = "登录已过期", "登录开始太久了，请重新登录。"
		page["English"] = "The sign-in started too long ago."
	case errors.Is(err, ErrLoginUsed), wechat.Code(err) == wechat.CodeOAuthCodeUsed:
		page["Title"], page["Message"] = "登录链接已用过", "这个授权码已经用过了：刷新或重复打开登录回调页会再次使用它。请重新登录。"
		page["English"] = "This authorization code was already used (a reload of the callback page reuses it)."
	case LoginErrorStatus(err) == http.StatusBadRequest:
		page["Title"], page["Message"] = "登录链接已失效", "授权码无效或已过期：它只能用一次，5 分钟内有效。请重新登录。"
		page["English"] = "The authorization code is invalid or expired: it is single-use and lives 5 minutes."
	default:
		page["Title"], page["Message"] = "暂时无法登录", "微信暂时没有完成登录，请稍后再试。"
		page["English"] = "WeChat could not complete the sign-in; try again later."
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(LoginErrorStatus(err))
	_ = loginErrorTmpl.Execute(w, page)
}
