// Package jssdk signs the JS-SDK's wx.config (JS-SDK 使用权限签名): the
// signature over the jsapi_ticket, a nonce, a timestamp and the page's URL.
//
//	tickets := credential.NewTicket(oa.Credential(), oa.AppID(), credential.TicketJSAPI)
//	cfg, err := jssdk.New(tickets).Config(ctx, pageURL, []string{"updateAppMessageShareData"}, nil)
//	// hand cfg to the page as JSON: wx.config(cfg)
//
// The classic "invalid signature" comes from signing another URL than the one
// the page shows: sign location.href.split('#')[0] exactly — the scheme the
// browser sees behind a proxy, the page rather than the signing endpoint, no
// HTML escaping (&amp;). Sign drops the #fragment itself. A config refused
// although its URL was right (the ticket went bad) goes back to
// Signer.RefreshFor, with the page's URL: the ticket that signed it is renewed
// once, however many pages report it, and the page signs again.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/JS-SDK.html
package jssdk
