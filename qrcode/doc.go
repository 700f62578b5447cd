// Package qrcode makes parametric QR codes (带参数二维码): a follower who scans
// one sends the account a subscribe event (EventKey "qrscene_<scene>") or, when
// already following, a SCAN event (EventKey "<scene>"); message.Message.Scene
// reads the scene from either. It also keeps short keys (短key托管), data behind
// a 15-character key, for the same "carry data through a link" need.
//
//	code, err := qrcode.New(oa).Temporary(ctx, qrcode.String("invite-42"), 24*time.Hour)
//	img, err := qrcode.New(oa).Image(ctx, code.Ticket) // a JPEG; or render code.URL yourself
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Account_Management/Generating_a_Parametric_QR_Code.html
package qrcode
