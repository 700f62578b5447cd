package oauth_test

import (
	"strings"
	"testing"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/oauth"
	"github.com/wxkit/wechat/wechattest"
)

// The spec's example link, byte for byte.
func TestAuthCodeURLSpecExample(t *testing.T) {
	t.Parallel()
	fake := wechattest.NewServer(wechattest.WithApp("wx520c15f417810387", "secret-of-the-example-account"))
	t.Cleanup(fake.Close)
	svc, err := oauth.New(fake.Account(t))
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.AuthCodeURL("https://example.com/cb?x=1", oauth.ScopeBase, "abc123")
	want := "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx520c15f417810387&redirect_uri=https%3A%2F%2Fexample.com%2Fcb%3Fx%3D1&response_type=code&scope=snsapi_base&state=abc123#wechat_redirect"
	if err != nil || got != want {
		t.Fatalf("AuthCodeURL = %q, %v\nwant %q", got, err, want)
	}
	got, _ = svc.AuthCodeURL("https://example.com/a b/页", oauth.ScopeUserInfo, "Z9", oauth.WithForcePopup())
	want = "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx520c15f417810387&redirect_uri=https%3A%2F%2Fexample.com%2Fa+b%2F%E9%A1%B5&response_type=code&scope=snsapi_userinfo&state=Z9&forcePopup=true#wechat_redirect"
	if got != want {
		t.Fatalf("AuthCodeURL with forcePopup = %q\nwant %q", got, want)
	}
}

func TestAuthCodeURLRefusesBadInput(t *testing.T) {
	t.Parallel()
	_, svc := newService(t, nil, oauth.WithRedirectDomain("www.example.com"))
	tests := []struct {
		name, redirect string
		scope          oauth.Scope
		state          string
		wantCode       int    // a WeChat code, or -2 for a local error
		wantIn         string // in the error text
	}{
		{"empty redirect", "", oauth.ScopeBase, "s", wechat.CodeAuthorizeRedirectEmpty, "empty"},
		{"relative", "/cb", oauth.ScopeBase, "s", -2, "absolute"},
		{"ftp", "ftp://www.example.com/cb", oauth.ScopeBase, "s", -2, "absolute"},
		{"fragment", "https://www.example.com/cb#x", oauth.ScopeBase, "s", -2, "#fragment"},
		{"empty fragment", "https://www.example.com/cb#", oauth.ScopeBase, "s", -2, "#fragment"},
		{"user info", "https://u:p@www.example.com/cb", oauth.ScopeBase, "s", -2, "user info"},
		{"other host", "https://pay.example.com/cb", oauth.ScopeBase, "s", wechat.CodeAuthorizeDomainMismatch, "网页授权域名"},
		{"parent domain", "https://example.com/cb", oauth.ScopeBase, "s", wechat.CodeAuthorizeDomainMismatch, "网页授权域名"},
		{"port", "https://www.example.com:8443/cb", oauth.ScopeBase, "s", wechat.CodeAuthorizeDomainMismatch, "no port"},
		{"bad scope", "https://www.example.com/cb", "snsapi_login", "s", -2, "scope"},
		{"empty state", "https://www.example.com/cb", oauth.ScopeBase, "", wechat.CodeAuthorizeStateEmpty, "state"},
		{"state with dash", "https://www.example.com/cb", oauth.ScopeBase, "a-b", -2, "[A-Za-z0-9]"},
		{"state too long", "https://www.example.com/cb", oauth.ScopeBase, strings.Repeat("a", 129), -2, "129 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := svc.AuthCodeURL(tt.redirect, tt.scope, tt.state)
			if err == nil || got != "" {
				t.Fatalf("AuthCodeURL(%q, %q, %q) = %q, %v; want an error", tt.redirect, tt.scope, tt.state, got, err)
			}
			if code := wechat.Code(err); code != tt.wantCode {
				t.Errorf("errcode = %d, want %d (%v)", code, tt.wantCode, err)
			}
			if !strings.Contains(err.Error(), tt.wantIn) {
				t.Errorf("error %q does not say %q", err, tt.wantIn)
			}
		})
	}
	if _, err := svc.AuthCodeURL("https://www.example.com/cb", oauth.ScopeBase, strings.Repeat("a", 128)); err != nil {
		t.Errorf("128-byte state: %v", err)
	}
}

// What AuthCodeURL accepts, the fake's authorize page accepts too (order,
// escaping, state), and it hands the state back unchanged.
func FuzzAuthCodeURL(f *testing.F) {
	f.Add("http://127.0.0.1/cb?x=1&y=%E4%BD%A0", "abc123", false)
	f.Add("http://127.0.0.1:8080/a b/页?q=1+2", "Z", true)
	f.Add("https://127.0.0.1/cb#frag", "a-b", false)
	f.Add("http://127.0.0.1/%zz", "s", true)
	fake := wechattest.NewServer()
	f.Cleanup(fake.Close)
	oa := fake.Account(f)
	svc, err := oauth.New(oa, oauth.WithAuthorizeBaseURL(fake.URL()), oauth.WithRedirectDomain(wechattest.DefaultOAuthDomain))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, redirect, state string, userinfo bool) {
		scope := oauth.ScopeBase
		if userinfo {
			scope = oauth.ScopeUserInfo
		}
		link, err := svc.AuthCodeURL(redirect, scope, state)
		if err != nil {
			return
		}
		if !strings.HasSuffix(link, "#wechat_redirect") || strings.Count(link, "#") != 1 {
			t.Fatalf("AuthCodeURL(%q, %q) = %q: want one # and #wechat_redirect last", redirect, state, link)
		}
		to, err := fake.Authorize(t.Context(), link, true)
		if err != nil {
			t.Fatalf("the authorize page refused %q: %v", link, err)
		}
		if got := to.Query().Get("state"); got != state || to.Query().Get("code") == "" {
			t.Fatalf("callback %q: state %q, want %q and a code", to, got, state)
		}
	})
}
