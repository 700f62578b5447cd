package main

import (
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
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = target.Host
		},
		Transport: s.fake.Client().Transport,
		ModifyResponse: func(resp *http.Response) error {
			s.noticeAPI(resp.Request.URL.Path)
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			writeError(w, http.StatusBadGateway, err)
		},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A declared length over the bound is refused before anything is sent:
		// the fake may answer (an invalid token, say) before reading the body to
		// where MaxBytesReader would stop it. A body of unknown length is cut
		// there.
		if r.ContentLength > maxProxyBody {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Errorf("wxsim: a %d-byte request body is over the simulator's %d-byte bound", r.ContentLength, maxProxyBody))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxProxyBody)
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
