package wechattest

import (
	"html/template"
	"net/http"
)

// The authorize page's HTML: what a WeChat user sees, in a fake's simple dress.
var (
	consentTmpl = template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>微信授权</title>
<style>body{font-family:sans-serif;max-width:420px;margin:40px auto;padding:0 16px;color:#333}
.who{display:flex;align-items:center;gap:12px;margin:24px 0}.who img{width:48px;height:48px;border-radius:6px}
button{display:block;width:100%;padding:12px;margin:10px 0;font-size:16px;border-radius:6px;border:0}
#allow{background:#07c160;color:#fff}#deny{background:#f2f2f2;color:#333}.note{color:#888;font-size:13px}</style></head>
<body>
<h1 id="account">{{.Account}}</h1>
<p>申请获得以下权限：</p>
<ul><li>获得你的公开信息（昵称、头像等）</li></ul>
<div class="who"><img id="avatar" src="{{.Avatar}}" alt=""><span id="nickname">{{.Nickname}}</span></div>
<form method="post" action="{{.Action}}">
<input type="hidden" name="id" value="{{.ID}}">
<button id="allow" name="action" value="allow" type="submit">允许</button>
<button id="deny" name="action" value="deny" type="submit">拒绝</button>
</form>
<p class="note">wechattest: a fake of WeChat's 网页授权 consent page.</p>
</body></html>`))

	errorTmpl = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>微信授权错误</title></head>
<body style="font-family:sans-serif;max-width:420px;margin:40px auto;padding:0 16px">
<h1>Oops! Something went wrong:(</h1>
<p id="error">{{if .Code}}{{.Code}} {{end}}{{.Message}}</p>
<p style="color:#888;font-size:13px">wechattest: WeChat shows this page itself; nothing reaches redirect_uri.</p>
</body></html>`))
)

// consentPage shows 允许 / 拒绝 for the pending authorization id. s.mu is held.
func (s *Server) consentPage(w http.ResponseWriter, id string, u *fakeUser) {
	nick := u.Nickname
	if nick == "" {
		nick = "微信用户"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = consentTmpl.Execute(w, map[string]string{
		"Account": s.web.accountName, "Avatar": s.avatarURL(u), "Nickname": nick,
		"Action": PathAuthorizeConsent, "ID": id,
	})
}

// errorPage is the authorize page's error, with WeChat's code when it has one.
// WeChat answers such pages with HTTP 200; the fake says 400 so tests can tell.
func (s *Server) errorPage(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	_ = errorTmpl.Execute(w, map[string]any{"Code": code, "Message": msg})
}
