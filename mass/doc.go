// Package mass sends articles and messages to many followers at once (群发): to
// everyone, to a tag, or to a list of OpenIDs. A send is a job: WeChat answers
// with a msg_id, delivers in the background and reports with the
// MASSSENDJOBFINISH event (FromEvent) or Status.
//
// A send to everyone may wait for an administrator: with 风险操作保护 on, an admin
// must confirm it within 30 minutes or it fails. Limits (old docs): a verified
// 订阅号 makes 1 successful mass send a day; a 服务号 makes 100 API sends a day
// but each follower receives at most 4 a month (the rest are filtered out); no
// more than 60 calls a minute. Give every send a client message id
// (WithClientMsgID): a retry after a timeout then returns the first send
// instead of sending twice.
//
//	sent, err := mass.New(oa).SendToTag(ctx, tagID, mass.MPNews(draftMediaID), mass.WithClientMsgID("order-42"))
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/notify/message/api_sendall.html
package mass
