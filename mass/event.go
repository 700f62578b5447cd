package mass

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/wxkit/wechat/message"
)

// Result is the outcome of a mass send, as MASSSENDJOBFINISH reports it.
type Result struct {
	MsgID int64
	// Status is WeChat's: "send success", "send fail", or "err(N)" when review
	// stopped the send (ReviewCode is then N).
	Status      string
	ReviewCode  int
	TotalCount  int // followers targeted
	FilterCount int // left after filtering (monthly limit, unfollowed users)
	SentCount   int // delivered
	ErrorCount  int // failed
	Copyright   message.CopyrightCheckResult
	Articles    []ArticleURL // mpnews: each article's page
}

// ArticleURL is the page of one mass-sent article.
type ArticleURL struct {
	Index Index
	URL   string
}

// Succeeded reports whether WeChat says the send went out ("send success").
func (r *Result) Succeeded() bool { return r.Status == "send success" }

// Err returns nil for a send that went out, and a *JobError otherwise.
func (r *Result) Err() error {
	if r.Succeeded() {
		return nil
	}
	return &JobError{MsgID: r.MsgID, Status: r.Status, ReviewCode: r.ReviewCode}
}

// JobError is a mass send that did not go out.
type JobError struct {
	MsgID      int64
	Status     string
	ReviewCode int // review's reason, 0 when none
}

func (e *JobError) Error() string {
	msg := fmt.Sprintf("mass: send %d: %s", e.MsgID, e.Status)
	if why := reviewReasons[e.ReviewCode]; why != "" {
		msg += " (" + why + ")"
	}
	return msg
}

// reviewReasons are the review codes of err(N) (publishing.md §3.5; the spec
// has them from an SDK's docs).
var reviewReasons = map[int]string{
	10001: "advertising", 20001: "political content", 20002: "pornographic content",
	20004: "harmful to society", 20006: "criminal content", 20008: "fraud",
	20013: "copyright infringement", 21000: "other violation", 22000: "mutual promotion",
}

// FromEvent returns the Result a MASSSENDJOBFINISH event push reports. Any
// other message is an error.
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/notify/message/api_sendall.html
func FromEvent(m *message.Message) (*Result, error) {
	if m == nil || m.Event != message.EventMassSendJobFinish {
		return nil, fmt.Errorf("mass: not a %s event", message.EventMassSendJobFinish)
	}
	r := &Result{
		MsgID: m.MsgID, Status: m.Status, TotalCount: m.TotalCount, FilterCount: m.FilterCount,
		SentCount: m.SentCount, ErrorCount: m.ErrorCount, Copyright: m.CopyrightCheckResult,
	}
	if code, ok := strings.CutPrefix(m.Status, "err("); ok {
		r.ReviewCode, _ = strconv.Atoi(strings.TrimSuffix(code, ")"))
	}
	for _, a := range m.ArticleURLResult.ResultList {
		r.Articles = append(r.Articles, ArticleURL{Index: OneBased(a.ArticleIdx), URL: a.ArticleURL})
	}
	return r, nil
}
