// Package customerservice wraps WeChat's customer-service APIs (客服消息): sending a
// message to a follower who wrote to the account in the last 48 hours, optionally
// as a named kf account; the typing indicator; and the kf accounts themselves.
//
//	svc := customerservice.New(oa)
//	err := svc.Send(ctx, openID, customerservice.Text{Content: "Hello"})
//	if errors.Is(err, customerservice.ErrOutsideWindow) { /* use a template message */ }
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Service_Center_messages.html
package customerservice
