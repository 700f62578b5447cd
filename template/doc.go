// Package template sends template messages (模板消息) and manages the account's
// private templates and industry. Template messages are a capability of verified
// Service Accounts.
//
//	svc := template.New(oa)
//	msgID, err := svc.Send(ctx, template.Message{ToUser: openID, TemplateID: id,
//		Data: map[string]template.Value{"thing1": {Value: "巧克力"}}})
//
// WeChat reports the delivery later with a TEMPLATESENDJOBFINISH event, which the
// message package parses: its MsgID equals the msgid Send returned, and its Status
// stays a plain string there (services do not import each other). Convert it with
// [ParseStatus]:
//
//	if template.ParseStatus(m.Status) == template.StatusUserBlock { ... }
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html
package template
