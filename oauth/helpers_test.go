package oauth_test

import (
	"net/url"
	"testing"

	"github.com/wxkit/wechat/oauth"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

// newService starts a fake and returns it with an oauth service on its account
// and clock, the authorize page served by the fake.
func newService(t testing.TB, fakeOpts []wechattest.Option, opts ...oauth.Option) (*wechattest.Server, *oauth.Service) {
	t.Helper()
	fake, oa := wechattest.Start(t, fakeOpts...)
	return fake, service(t, fake, oa, opts...)
}

func service(t testing.TB, fake *wechattest.Server, oa *officialaccount.OfficialAccount, opts ...oauth.Option) *oauth.Service {
	t.Helper()
	opts = append([]oauth.Option{oauth.WithAuthorizeBaseURL(fake.URL()), oauth.WithClock(fake.Now)}, opts...)
	svc, err := oauth.New(oa, opts...)
	if err != nil {
		t.Fatalf("oauth.New: %v", err)
	}
	return svc
}

// codeFor runs the authorize step as the fake's browser user and returns the
// code handed to the callback.
func codeFor(t *testing.T, fake *wechattest.Server, svc *oauth.Service, scope oauth.Scope) string {
	t.Helper()
	link, err := svc.AuthCodeURL("http://127.0.0.1/cb", scope, "s1")
	if err != nil {
		t.Fatal(err)
	}
	to, err := fake.Authorize(t.Context(), link, true)
	if err != nil {
		t.Fatal(err)
	}
	code := to.Query().Get("code")
	if code == "" || to.Query().Get("state") != "s1" {
		t.Fatalf("callback %s: want code and state s1", to)
	}
	return code
}

func mustParse(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
