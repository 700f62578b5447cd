// Package subscribe sends subscription notifications (订阅通知, 服务号) and
// manages their templates. A follower must accept a template first, in an H5
// page (<wx-open-subscribe>) or an article: a one-time consent allows one
// message, a long-term one (government, public services, medical) any number.
// Keyword values are checked locally against their keyword's rule (thing ≤ 20
// characters, number ≤ 32 digits, …) and the error names the key.
//
//	err := subscribe.New(oa).Send(ctx, subscribe.Message{ToUser: openID, TemplateID: tid,
//		Data: map[string]string{"thing1": "订单已发货", "time2": "2024年1月1日 12:00"}})
//	if errors.Is(err, subscribe.ErrNoConsent) { … ask again … }
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/notify/notify/api_sendnewsubscribemsg.html
package subscribe
