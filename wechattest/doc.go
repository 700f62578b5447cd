// Package wechattest is a fake WeChat platform for tests: the Official Account API
// endpoints on an httptest server with WeChat's real rules (tokens that a newer
// fetch invalidates after a grace period, daily quotas, the 48-hour customer-service
// window, API limits and error codes), a clock that tests move forward instead of
// sleeping, fault injection, and a client that pushes signed or encrypted messages to
// a webhook the way WeChat does. The web side is there too: the 网页授权 authorize
// and consent pages and /sns/* (Authorize plays the browser), the JS-SDK's
// jsapi_ticket with a jweixin.js that checks wx.config, parametric QR codes with
// real images, and short keys. So is the content side: temporary media that
// expire after three days and permanent material, the draft box, publishing and
// mass sends as jobs that finish on the fake's clock and push their events to
// the webhook SetWebhook registers (served articles included), subscription
// consent and the template library, API quotas and rid look-ups.
//
//	fake, oa := wechattest.Start(t) // closed, and its token refresher stopped, when t ends
//	err := menu.New(oa).Create(t.Context(), m)
//	got := fake.Requests("/cgi-bin/menu/create")
//
// To test a webhook, serve it (httptest.NewServer(message.NewServer(oa, mux))) and
// push to it with fake.WebhookClient(url, mode): Text, Image, Voice, Location,
// Link and Event build what WeChat sends (Scan, what it sends when a user scans a
// parametric QR code the fake issued), Send signs (and in compatible and safe
// mode encrypts) it, retries as WeChat does, and decodes the reply as WeChat would,
// refusing one WeChat would refuse (see the example of Server.WebhookClient).
//
// The follower's side, for tools that draw a chat (cmd/wxsim) and tests that
// watch what reaches a follower: Observe sees every customer-service and
// template message as the API accepts it, MenuFor is the menu a follower sees,
// ReceiveImage plays a follower sending a picture, and QRCodes, IsFollower,
// AvatarURL and Media answer what a chat shows.
//
// wxkit's own tests use it; so can the tests of programs built on wxkit.
package wechattest
