package wechattest

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wxkit/wechat/internal/wxcrypto"
)

// Paths of the fake JS-SDK: the script a page loads instead of
// https://res.wx.qq.com/open/js/jweixin-1.6.0.js, and the endpoint its wx.config
// asks, which checks the signature as the WeChat client does.
const (
	PathJSSDKScript = "/open/js/jweixin-1.6.0.js"
	PathJSSDKVerify = "/wxkit/jsapi/verify"
)

// noteTicket remembers a jsapi_ticket the platform issued, for the check of
// wx.config signatures. s.mu is held.
func (s *Server) noteTicket(typ, ticket string, expiresAt time.Time) {
	if typ == "jsapi" {
		s.web.jsTickets[ticket] = expiresAt
	}
}

func (s *Server) jsapiRoutes() {
	s.mux.HandleFunc(PathJSSDKScript, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		_, _ = io.WriteString(w, jweixinJS)
	})
	s.mux.HandleFunc(PathJSSDKVerify, s.serveJSSDKVerify)
}

// JSSDKScriptURL returns the URL of the fake jweixin.js. Its wx.config checks the
// signature with the platform (appId, the JS接口安全域名, a jsapi_ticket the
// platform issued and that has not expired, the page URL without its #fragment)
// and then calls the wx.ready or the wx.error callbacks, with WeChat's errMsg
// ("config:invalid signature", "config:invalid url domain"). No other JS API is
// there.
func (s *Server) JSSDKScriptURL() string { return s.URL() + PathJSSDKScript }

// serveJSSDKVerify answers the fake jweixin.js: {"ok":true} or {"ok":false,
// "errMsg":"..."}. The body is sent as text/plain, so no CORS preflight.
func (s *Server) serveJSSDKVerify(w http.ResponseWriter, r *http.Request) {
	s.record(r, PathJSSDKVerify)
	w.Header().Set("Access-Control-Allow-Origin", "*")
	var req struct {
		AppID     string      `json:"appId"`
		Timestamp json.Number `json:"timestamp"`
		NonceStr  string      `json:"nonceStr"`
		Signature string      `json:"signature"`
		URL       string      `json:"url"`
	}
	if r.Method != http.MethodPost || json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&req) != nil {
		writeJSON(w, map[string]any{"ok": false, "errMsg": "fail: bad request"})
		return
	}
	writeJSON(w, s.checkJSSDK(req.AppID, req.Timestamp.String(), req.NonceStr, req.Signature, req.URL))
}

func (s *Server) checkJSSDK(appID, timestamp, nonce, signature, pageURL string) map[string]any {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	fail := func(msg string) map[string]any { return map[string]any{"ok": false, "errMsg": msg} }
	if appID != s.appID {
		return fail("invalid appid")
	}
	pageURL, _, _ = strings.Cut(pageURL, "#")
	if u, err := url.Parse(pageURL); err != nil || !s.onDomain(u) {
		return fail("invalid url domain")
	}
	for ticket, exp := range s.web.jsTickets {
		if !now.Before(exp) {
			continue
		}
		want := wxcrypto.JSAPISignature(ticket, nonce, timestamp, pageURL)
		if subtle.ConstantTimeCompare([]byte(want), []byte(signature)) == 1 {
			return map[string]any{"ok": true}
		}
	}
	return fail("invalid signature")
}

// jweixinJS is the fake JS-SDK: wx.config, wx.ready, wx.error.
const jweixinJS = `/* wechattest: a fake of WeChat's jweixin.js; only wx.config, wx.ready and wx.error. */
(function () {
  var base = new URL(document.currentScript.src).origin;
  var state = null, result = null, ready = [], failed = [];
  function settle(ok, res) {
    state = ok ? "ready" : "error"; result = res;
    (ok ? ready : failed).forEach(function (f) { f(res); });
  }
  window.wx = {
    config: function (cfg) {
      var body = JSON.stringify({appId: cfg.appId, timestamp: cfg.timestamp, nonceStr: cfg.nonceStr,
        signature: cfg.signature, url: location.href.split("#")[0]});
      fetch(base + "` + PathJSSDKVerify + `", {method: "POST", headers: {"Content-Type": "text/plain"}, body: body})
        .then(function (r) { return r.json(); })
        .then(function (res) { settle(res.ok, res.ok ? {errMsg: "config:ok"} : {errMsg: "config:" + res.errMsg}); })
        .catch(function (e) { settle(false, {errMsg: "config:fail " + e}); });
    },
    ready: function (f) { if (state === "ready") f(); else ready.push(f); },
    error: function (f) { if (state === "error") f(result); else failed.push(f); }
  };
})();
`
