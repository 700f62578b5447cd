package wechattest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/wxkit/wechat/message"
)

func authorizeLink(s *Server, redirect, scope string, extra string) string {
	return s.URL() + PathAuthorize + "?appid=" + s.AppID() + "&redirect_uri=" + url.QueryEscape(redirect) +
		"&response_type=code&scope=" + scope + "&state=abc" + extra + "#wechat_redirect"
}

// The authorize page refuses what WeChat's does, on its own page.
func TestAuthorizePageChecks(t *testing.T) {
	t.Parallel()
	s := NewServer(WithOAuthDomain("www.example.com"))
	t.Cleanup(s.Close)
	tests := []struct {
		name, link, want string
	}{
		{"other host", authorizeLink(s, "https://pay.example.com/cb", "snsapi_base", ""), "10003"},
		{"parent domain", authorizeLink(s, "https://example.com/cb", "snsapi_base", ""), "10003"},
		{"port", authorizeLink(s, "https://www.example.com:8443/cb", "snsapi_base", ""), "10003"},
		{"empty scope", authorizeLink(s, "https://www.example.com/cb", "", ""), "10010"},
		{"unknown scope", authorizeLink(s, "https://www.example.com/cb", "snsapi_login", ""), "10005"},
		{"wrong order", s.URL() + PathAuthorize + "?redirect_uri=" + url.QueryEscape("https://www.example.com/cb") + "&appid=" + s.AppID() + "&response_type=code&scope=snsapi_base&state=a", "顺序"},
		{"empty redirect", s.URL() + PathAuthorize + "?appid=" + s.AppID() + "&redirect_uri=&response_type=code&scope=snsapi_base&state=a", "10011"},
		{"bad state", authorizeLink(s, "https://www.example.com/cb", "snsapi_base", "-x"), "state"},
	}
	for _, tt := range tests {
		_, err := s.Authorize(t.Context(), tt.link, true)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want the page to say %s", tt.name, err, tt.want)
		}
	}
	// The exact host passes, with later parameters after state, and the code is
	// appended to the query redirect_uri has.
	to, err := s.Authorize(t.Context(), authorizeLink(s, "https://www.example.com/cb?x=1", "snsapi_base", "&forcePopup=true"), true)
	if err != nil || to.Host != "www.example.com" || to.Query().Get("x") != "1" || to.Query().Get("code") == "" || to.Query().Get("state") != "abc" {
		t.Fatalf("good link: %v, %v", to, err)
	}
}

// A scan pushes subscribe with qrscene_ to a non-follower (who then follows),
// and SCAN to a follower, both with the ticket; message reads the scene.
func TestScan(t *testing.T) {
	t.Parallel()
	s := NewServer()
	t.Cleanup(s.Close)
	oa := s.Account(t)
	var (
		mu  sync.Mutex
		got []string
	)
	note := func(_ context.Context, m *message.Message) message.Reply {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, string(m.Event)+" "+m.Scene()+" "+m.Ticket)
		return nil
	}
	mux := message.NewMux()
	mux.HandleEvent(message.EventSubscribe, note)
	mux.HandleEvent(message.EventScan, note)
	hook := httptest.NewServer(message.NewServer(oa, mux))
	t.Cleanup(hook.Close)

	err := oa.PostJSON(t.Context(), PathQRCodeCreate, nil, map[string]any{"expire_seconds": 60, "action_name": "QR_SCENE", "action_info": map[string]any{"scene": map[string]any{"scene_id": 42}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ticket string
	s.mu.Lock()
	for tk := range s.web.qrcodes {
		ticket = tk
	}
	s.mu.Unlock()
	c := s.WebhookClient(hook.URL, ModeSafe)
	for range 2 {
		scan, err := c.Scan("oNew", ticket)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Send(t.Context(), scan); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	want := []string{"subscribe 42 " + ticket, "SCAN 42 " + ticket}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("events = %q, want %q", got, want)
	}
	mu.Unlock()
	var after Follower // a copy, read under the lock
	s.mu.Lock()
	follows := s.isFollower("oNew")
	if u := s.users.users["oNew"]; u != nil {
		after = u.Follower
	}
	s.mu.Unlock()
	if !follows || after.SubscribeScene != "ADD_SCENE_QR_CODE" || after.QRScene != 42 {
		t.Errorf("after the scan: following %v, %+v", follows, after)
	}
	if _, err := c.Scan("oNew", "unknown"); err == nil {
		t.Error("Scan of an unknown ticket: no error")
	}
	resp, err := http.Get(s.URL() + PathShowQRCode + "?ticket=unknown")
	if err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("showqrcode of an unknown ticket: %v %v", resp, err)
	}
	resp.Body.Close()
}
