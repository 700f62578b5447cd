// Package draft manages the draft box (草稿箱): the articles an Official Account
// publishes (package publish) or mass-sends (package mass) are drafts first.
// Articles are checked locally against WeChat's limits before they are sent,
// including images in the HTML that did not come from media.UploadImage, which
// WeChat would silently remove.
//
//	svc := draft.New(oa)
//	mediaID, err := svc.Add(ctx, draft.Article{Title: "标题", Content: html, ThumbMediaID: cover})
//	err = svc.Update(ctx, mediaID, draft.ZeroBased(0), edited) // draft indexes count from 0
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_add.html
package draft
