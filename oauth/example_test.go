package oauth_test

import (
	"context"
	"fmt"
	"log"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/oauth"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

func ExampleService_AuthCodeURL() {
	fake := wechattest.NewServer(wechattest.WithApp("wx520c15f417810387", "example-secret"))
	defer fake.Close()
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		log.Fatal(err)
	}
	svc, err := oauth.New(oa)
	if err != nil {
		log.Fatal(err)
	}
	link, err := svc.AuthCodeURL("https://example.com/cb?x=1", oauth.ScopeBase, "abc123")
	fmt.Println(link, err)
	_, err = svc.AuthCodeURL("https://example.com/cb#top", oauth.ScopeBase, "abc123")
	fmt.Println(err)
	// Output:
	// https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx520c15f417810387&redirect_uri=https%3A%2F%2Fexample.com%2Fcb%3Fx%3D1&response_type=code&scope=snsapi_base&state=abc123#wechat_redirect <nil>
	// oauth: redirect URI "https://example.com/cb#top" has a #fragment; WeChat's link must end in #wechat_redirect
}

func ExampleService_Exchange() {
	fake := wechattest.NewServer()
	defer fake.Close()
	fake.AddFollower(wechattest.Follower{OpenID: "oAnn", Nickname: "安妮"})
	fake.AuthorizeAs("oAnn") // the WeChat user of the browser
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		log.Fatal(err)
	}
	svc, err := oauth.New(oa, oauth.WithAuthorizeBaseURL(fake.URL()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	link, _ := svc.AuthCodeURL("http://127.0.0.1/callback", oauth.ScopeUserInfo, "s1")
	callback, _ := fake.Authorize(ctx, link, true) // the browser taps 允许
	code := callback.Query().Get("code")

	tok, err := svc.Exchange(ctx, code)
	fmt.Println("exchange:", tok.OpenID, tok.IsSnapshotUser, err)
	info, err := svc.UserInfo(ctx, tok, "")
	fmt.Println("userinfo:", info.Nickname, err)
	_, err = svc.Exchange(ctx, code) // the callback page reloaded
	fmt.Println("again:", wechat.Code(err) == wechat.CodeOAuthCodeUsed)
	// Output:
	// exchange: oAnn false <nil>
	// userinfo: 安妮 <nil>
	// again: true
}
