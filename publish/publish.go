package publish

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/internal/backoff"
	"github.com/wxkit/wechat/internal/wxhttp"
	"github.com/wxkit/wechat/officialaccount"
)

// Service calls the publishing APIs (发布能力). It is safe for concurrent use.
type Service struct {
	oa *officialaccount.OfficialAccount
}

// New returns the publishing service of oa.
func New(oa *officialaccount.OfficialAccount) *Service { return &Service{oa: oa} }

// ErrEmptyID is returned, before any request, for an empty media_id,
// publish_id or article_id.
var ErrEmptyID = errors.New("publish: empty id")

// explain wraps a 48001 reply so that it also matches ErrUnverified.
func explain(err error) error {
	if wechat.Code(err) == wechat.CodeAPIUnauthorized {
		return fmt.Errorf("%w: %w", ErrUnverified, err)
	}
	return err
}

// Job is a publish job WeChat accepted.
type Job struct {
	PublishID string
	MsgDataID string // joins the article statistics (datacube)
}

// Submit submits the draft draftMediaID for publishing (发布草稿) and returns
// once WeChat accepted the job, which is not yet publication: originality and
// review checks may still fail. Wait, Status or the PUBLISHJOBFINISH event tell
// the outcome. Errcodes: 48001 (ErrUnverified), 53503 the draft failed the
// publish check, 53504 publish it from the web console, 53505 save it in the
// web console first.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/public/api_freepublish_submit.html
func (s *Service) Submit(ctx context.Context, draftMediaID string) (*Job, error) {
	if draftMediaID == "" {
		return nil, ErrEmptyID
	}
	var w struct {
		PublishID string `json:"publish_id"`
		MsgDataID string `json:"msg_data_id"`
	}
	if err := s.oa.PostJSON(ctx, "/cgi-bin/freepublish/submit", nil, map[string]string{"media_id": draftMediaID}, &w); err != nil {
		return nil, explain(err)
	}
	return &Job{PublishID: w.PublishID, MsgDataID: w.MsgDataID}, nil
}

// Status returns where the job publishID stands (发布状态查询). A job that
// ended without its articles online is a Result whose Err is a *JobError; the
// error returned here is only about the call.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/public/api_freepublish_get.html
func (s *Service) Status(ctx context.Context, publishID string) (*Result, error) {
	if publishID == "" {
		return nil, ErrEmptyID
	}
	var w struct {
		PublishID     string `json:"publish_id"`
		PublishStatus Status `json:"publish_status"`
		ArticleID     string `json:"article_id"`
		ArticleDetail struct {
			Item []struct {
				Idx        int    `json:"idx"`
				ArticleURL string `json:"article_url"`
			} `json:"item"`
		} `json:"article_detail"`
		FailIdx []int `json:"fail_idx"`
	}
	if err := s.oa.PostJSON(ctx, "/cgi-bin/freepublish/get", nil, map[string]string{"publish_id": publishID}, &w); err != nil {
		return nil, explain(err)
	}
	r := &Result{PublishID: w.PublishID, Status: w.PublishStatus, ArticleID: w.ArticleID}
	if r.PublishID == "" {
		r.PublishID = publishID
	}
	for _, it := range w.ArticleDetail.Item {
		r.Articles = append(r.Articles, ArticleURL{Index: OneBased(it.Idx), URL: it.ArticleURL})
	}
	for _, i := range w.FailIdx {
		r.Failed = append(r.Failed, OneBased(i))
	}
	return r, nil
}

// WaitOption is an option of Wait.
type WaitOption func(*waitSettings)

type waitSettings struct{ first, max time.Duration }

// WithPollInterval sets Wait's first interval between status calls and the
// longest it doubles to (defaults 2 s and 30 s).
func WithPollInterval(first, max time.Duration) WaitOption {
	return func(s *waitSettings) { s.first, s.max = first, max }
}

// Wait polls the job publishID with Status (发布状态查询), at growing intervals,
// until it ends or ctx does. It returns the final Result and, when the job ended
// without its articles online, a *JobError saying which status and which
// articles (errors.As). Passing hiccups (-1, 5xx, a dropped connection) are
// polled through; other errors end the wait.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/public/api_freepublish_get.html
func (s *Service) Wait(ctx context.Context, publishID string, opts ...WaitOption) (*Result, error) {
	set := waitSettings{first: 2 * time.Second, max: 30 * time.Second}
	for _, o := range opts {
		o(&set)
	}
	poll := backoff.NewPoll(set.first, set.max)
	var last *Result
	for {
		r, err := s.Status(ctx, publishID)
		switch {
		case err == nil && r.Status.Final():
			return r, r.Err()
		case err == nil:
			last = r
		case ctx.Err() != nil:
			return stopped(publishID, last, ctx.Err())
		case !wxhttp.Retryable(ctx, err):
			return nil, err
		}
		if err := poll.Wait(ctx); err != nil {
			return stopped(publishID, last, err)
		}
	}
}

// stopped is Wait's answer when ctx ends first: the last status seen, if any.
func stopped(publishID string, last *Result, err error) (*Result, error) {
	if last != nil {
		return last, fmt.Errorf("publish: job %s still %s: %w", publishID, last.Status, err)
	}
	return nil, fmt.Errorf("publish: waiting for job %s: %w", publishID, err)
}
