package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
)

// proxy passes the bot's API calls to the fake platform: the simulator's URL is
// the bot's WECHAT_API_BASE_URL. The target is the fake alone, so the simulator
// is no open proxy. A call that changes the menu or makes a QR code tells the
// pages, which draw the menu and list the codes again.
func (s *Sim) proxy() http.Handler {
	target, _ := url.Parse(s.fake.URL()) // httptest's URL always parses
	return boundedProxy(target, s.fake.Client().Transport, maxProxyBody, s.noticeAPI)
}

// boundedProxy passes requests to target through transport, refusing a body
// over limit bytes with 413, and calls notice with the path of each call the
// target answered.
func boundedProxy(target *url.URL, transport http.RoundTripper, limit int64, notice func(path string)) http.Handler {
	tooLarge := fmt.Errorf("wxsim: the request body is over the simulator's %d-byte bound", limit)
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = target.Host
		},
		Transport: transport,
		ModifyResponse: func(resp *http.Response) error {
			notice(resp.Request.URL.Path)
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			if errors.As(err, new(*http.MaxBytesError)) { // a body of unknown length, cut at the bound
				writeError(w, http.StatusRequestEntityTooLarge, tooLarge)
				return
			}
			writeError(w, http.StatusBadGateway, err)
		},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A declared length over the bound is refused before anything is sent:
		// the target may answer (an invalid token, say) before reading the body
		// to where MaxBytesReader would stop it. A body of unknown length is cut
		// there, and the transport's error is answered 413 too.
		if r.ContentLength > limit {
			writeError(w, http.StatusRequestEntityTooLarge, tooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		rp.ServeHTTP(w, r)
	})
}

// noticeAPI tells the pages about an API call that changes what they draw.
func (s *Sim) noticeAPI(path string) {
	switch {
	case strings.HasPrefix(path, "/cgi-bin/menu/"), strings.HasPrefix(path, "/cgi-bin/tags/members/"):
		s.hub.publish("menu", path)
	case path == "/cgi-bin/qrcode/create":
		s.hub.publish("qrcodes", path)
	}
}
