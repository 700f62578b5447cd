// Package officialaccount is the shared context of an Official Account (公众号):
// its configuration, the access_token provider, the HTTP client and the logger, and
// the one API core every service goes through.
//
//	oa, err := officialaccount.New(officialaccount.Config{AppID: id, AppSecret: secret})
//	err = oa.Start()          // renews the access_token in the background
//	defer oa.Shutdown(ctx)
//	err = menu.New(oa).Create(ctx, m)
//	err = oa.GetJSON(ctx, "/cgi-bin/get_current_autoreply_info", nil, &reply) // an API not wrapped yet
//
// The core adds the access_token, sends, reads errcode, and returns *wechat.Error
// for a non-zero one. When WeChat says the token went bad (40001, 40014, 42001) it
// asks the provider for a new one, naming the rejected token, and resends the same
// request exactly once.
//
// An account that only answers pushes (a webhook replica) needs no AppSecret:
// officialaccount.New(officialaccount.Config{AppID: id, Token: tok, EncodingAESKey: key})
// is enough for message.NewServer; its API calls return ErrNoCredential.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Overview.html
package officialaccount
