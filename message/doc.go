// Package message is the webhook of an Official Account (消息推送): URL
// verification, signature checks, the plaintext, compatible and safe (AES)
// modes (消息加解密), every inbound message and event as one [Message], a router
// ([Mux]), passive replies (被动回复), de-duplication of WeChat's retries, the
// 5-second deadline and panic safety. [Server] is an http.Handler; mount it on any
// router, for GET (URL verification) and POST (pushes) alike:
//
//	mux := message.NewMux()
//	mux.HandleText(func(ctx context.Context, m *message.Message) message.Reply { return message.Text(m.Content) })
//	http.Handle("/wechat", message.NewServer(oa, mux))
//
// Handlers read like net/http's: a [Handler] is an interface (ServeMessage), a
// [HandlerFunc] is a plain function as a Handler, a [Middleware] wraps a Handler.
// The Mux's registrations named after a kind (HandleText, HandleEvent,
// HandleClick, …) take a plain function; [Mux.Handle] takes a Handler for a
// [Route].
//
// A server that only answers pushes needs no AppSecret: build its account from the
// AppID, Token and EncodingAESKey alone (see package officialaccount).
//
// The Server is safe by default: the 3-field signature is checked before any of
// the body is read; a push whose timestamp is more than 5 minutes off is refused
// (WithTimestampSkew); with an EncodingAESKey configured, plaintext pushes are
// refused, since their signature does not cover the body (WithAllowPlaintext
// for a console switch between modes); bodies are capped (WithBodyLimit), each
// handler is bounded by the deadline and their number by WithMaxHandlers, the
// retry window by its bounds (MemoryDedupStore), and a flood of rejected
// requests by log sampling.
//
// What a flood of pushes costs in memory: each handled message is remembered
// for the timestamp window (5 minutes) in about 90 to 130 bytes, and its reply
// (the plaintext XML) only for the 20 s in which WeChat retries, so a steady
// 600 new messages a second holds about 20 MB of keys and 4 MB of 300-byte
// replies. The default MemoryDedupStore stops at 200,000 messages and 64 MiB,
// dropping the oldest replies, then the oldest messages (whose replay would then
// run its handler again); see MemoryDedupStore for the bounds and what a retry
// is answered.
//
// The handler runs on the request's goroutine, so ServeHTTP returns when the
// handler does. When the deadline passes first, "success" is written on the
// request's ResponseWriter from another goroutine and flushed, with its
// Content-Length and Connection: close, so that WeChat has a whole answer on
// time while the handler goes on; the connection closes when it returns. This
// needs a writer that flushes: net/http's does, and gin's and echo's do when
// what they wrap does, which a middleware that buffers the response until the
// handler returns (a timeout, a body dump) does not. The Server logs it, once,
// when Flush fails or panics; gin's Flush does nothing then, unseen.
//
// What only the http.Server can bound is the connection: give the server that
// mounts the webhook read, write and idle timeouts, or a client that sends
// slowly or keeps idle connections holds them for ever. WriteTimeout must exceed
// the deadline (4.5 s):
//
//	srv := &http.Server{Addr: ":8080", Handler: webhook,
//		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
//		WriteTimeout: 15 * time.Second, IdleTimeout: 60 * time.Second, MaxHeaderBytes: 64 << 10}
//
// WeChat docs:
//   - messages (接收普通消息): https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html
//   - events (接收事件推送): https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_event_pushes.html
//   - passive replies (被动回复用户消息): https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Passive_user_reply_message.html
//   - encryption (消息加解密说明): https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Message_encryption_and_decryption_instructions.html
//   - server setup and URL verification (接入指南): https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Access_Overview.html
package message
