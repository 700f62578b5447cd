package main

import (
	"net/http"
	"testing"

	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/oauth"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

// A business server with no AppSecret — its token from a credential.Remote, its
// code exchanges through POST /oauth/exchange — signs a user in end to end.
func TestOAuthExchangeEndToEnd(t *testing.T) {
	t.Parallel()
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	fake.AddFollower(wechattest.Follower{OpenID: "oDan", Nickname: "Dan"})
	fake.AuthorizeAs("oDan")
	s := start(t, map[string]string{
		"WECHAT_APPID": fake.AppID(), "WECHAT_APPSECRET": fake.AppSecret(),
		"WECHAT_API_BASE_URL": fake.URL(), "TOKEN_SERVER_KEY": testKey,
	})
	remote, err := credential.NewRemote(s.url, testKey)
	if err != nil {
		t.Fatal(err)
	}
	oa, err := officialaccount.New(officialaccount.Config{AppID: fake.AppID(), BaseURL: fake.URL(), Credential: remote})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := oauth.New(oa, oauth.WithTokenServer(s.url, testKey), oauth.WithAuthorizeBaseURL(fake.URL()))
	if err != nil {
		t.Fatal(err)
	}
	link, err := svc.AuthCodeURL("http://127.0.0.1/cb", oauth.ScopeUserInfo, "e2e")
	if err != nil {
		t.Fatal(err)
	}
	to, err := fake.Authorize(t.Context(), link, true)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := svc.Exchange(t.Context(), to.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	info, err := svc.UserInfo(t.Context(), tok, "")
	if err != nil || info.Nickname != "Dan" {
		t.Fatalf("UserInfo = %+v, %v", info, err)
	}
	if status, body := get(t, http.MethodPost, s.url+"/oauth/exchange", "", `{"code":"x"}`); status != http.StatusUnauthorized {
		t.Errorf("POST /oauth/exchange without the key: %d %v", status, body)
	}
	if n := fake.Calls("/sns/oauth2/access_token"); n != 1 {
		t.Errorf("exchanges at WeChat = %d, want 1 (from the token server)", n)
	}
}
