// Package publish publishes drafts (发布能力, freepublish): a draft becomes
// permanent article pages, without a push to followers (mass send, package mass,
// pushes). Publishing is a job: Submit returns once WeChat accepted it, Wait
// polls until it ends, and the PUBLISHJOBFINISH event (FromEvent) says the same.
// Verified 公众号 and 服务号 only; others get 48001 (ErrUnverified).
//
//	svc := publish.New(oa)
//	job, err := svc.Submit(ctx, draftMediaID)
//	res, err := svc.Wait(ctx, job.PublishID) // res.Articles[0].URL
//	err = svc.DeleteArticle(ctx, res.ArticleID, publish.OneBased(2)) // publish indexes count from 1
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/public/api_freepublish_submit.html
package publish
