// Package openapi holds the operator's tools (接口管理, 网络检测): an API's daily
// quota and its reset, what WeChat recorded about a failed call (its rid), the
// reset of every quota with or without an access_token, WeChat's IP lists, and
// the check of the webhook's network path. An operator whose calls fail with
// 45009 can see the quota and clear it from code:
//
//	svc := openapi.New(oa)
//	q, err := svc.Quota(ctx, "/cgi-bin/message/custom/send") // q.Used, q.DailyLimit
//	err = svc.ClearAPIQuota(ctx, "/cgi-bin/message/custom/send")
//
// Tokens and the AppSecret are kept out of what these calls return and of
// their errors.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/apimanage/api_getapiquota.html
package openapi
