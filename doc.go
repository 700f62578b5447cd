// Package wechat holds what every wxkit package shares and nothing that does I/O:
// the API error type [Error], WeChat's error codes as named constants, and the
// helpers [Code] and [IsTokenInvalid].
//
// The SDK itself lives in the sub-packages: credential owns the access_token,
// officialaccount is the shared context the API services are built from, message is
// the webhook, and menu, user, customerservice and template wrap their APIs.
//
//	oa, err := officialaccount.New(officialaccount.Config{AppID: id, AppSecret: secret})
//	info, err := user.New(oa).Info(ctx, openID)
//	if wechat.Code(err) == wechat.CodeInvalidOpenID { ... }
package wechat

// DefaultBaseURL is the host of WeChat's Official Account APIs.
const DefaultBaseURL = "https://api.weixin.qq.com"
