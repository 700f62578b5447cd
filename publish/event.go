package publish

import (
	"fmt"

	"github.com/wxkit/wechat/message"
)

// FromEvent returns the Result a PUBLISHJOBFINISH event push reports: the same
// type Wait returns, so one code path can handle either. Any other message is
// an error.
//
//	mux.HandleEvent(message.EventPublishJobFinish, func(ctx context.Context, m *message.Message) message.Reply {
//		res, _ := publish.FromEvent(m)
//		if err := res.Err(); err != nil { … }
//		return nil
//	})
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/public/api_freepublish_submit.html
func FromEvent(m *message.Message) (*Result, error) {
	if m == nil || m.Event != message.EventPublishJobFinish {
		return nil, fmt.Errorf("publish: not a %s event", message.EventPublishJobFinish)
	}
	info := m.PublishEventInfo
	r := &Result{PublishID: info.PublishID, Status: Status(info.PublishStatus), ArticleID: info.ArticleID}
	for _, a := range info.ArticleDetail {
		r.Articles = append(r.Articles, ArticleURL{Index: OneBased(a.Idx), URL: a.ArticleURL})
	}
	for _, i := range info.FailIdx {
		r.Failed = append(r.Failed, OneBased(i))
	}
	return r, nil
}
