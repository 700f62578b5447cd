// Package message is the webhook of an Official Account (消息推送): URL
// verification, signature checks, the plaintext, compatible and safe (AES)
// modes, every inbound message and event as one [Message], a router ([Mux]),
// passive replies, de-duplication of WeChat's retries, the 5-second deadline and
// panic safety. [Server] is an http.Handler; mount it on any router:
//
//	mux := message.NewMux()
//	mux.HandleText(func(ctx context.Context, m *message.Message) message.Reply { return message.Text(m.Content) })
//	http.Handle("/wechat", message.NewServer(oa, mux))
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html
package message
