package publish

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Status is the state of a publish job (publish_status).
type Status int

// The publish statuses (publishing.md §2).
const (
	StatusSucceeded         Status = 0 // 发布成功
	StatusPublishing        Status = 1 // 发布中
	StatusOriginalityFailed Status = 2 // 原创失败: the originality check failed
	StatusFailed            Status = 3 // 常规失败
	StatusRejected          Status = 4 // 平台审核不通过: rejected by review
	StatusDeletedByUser     Status = 5 // published, then every article deleted by the account
	StatusBanned            Status = 6 // published, then every article banned by the platform
)

// Final reports whether the job has ended: every status but StatusPublishing.
func (s Status) Final() bool { return s != StatusPublishing }

func (s Status) String() string {
	switch s {
	case StatusSucceeded:
		return "succeeded"
	case StatusPublishing:
		return "publishing"
	case StatusOriginalityFailed:
		return "originality check failed (原创校验未通过)"
	case StatusFailed:
		return "publishing failed (常规失败)"
	case StatusRejected:
		return "rejected by the platform's review (平台审核不通过)"
	case StatusDeletedByUser:
		return "every article was deleted by the account"
	case StatusBanned:
		return "every article was banned by the platform"
	}
	return "status " + strconv.Itoa(int(s))
}

// Index is the number of an article in a publication, counted from 1 as
// WeChat's publishing APIs count (fail_idx, article_detail.idx and delete's
// index): the first article is OneBased(1). It is a struct, not an int, so that
// a bare number, which draft.Update counts from 0, cannot be passed here by
// mistake. The zero Index is no article.
type Index struct{ n int }

// OneBased returns the index of the n-th article, the first being 1.
func OneBased(n int) Index { return Index{n} }

// Int returns the index counted from 1.
func (i Index) Int() int { return i.n }

// ArticleURL is the page of one published article.
type ArticleURL struct {
	Index Index
	URL   string
}

// Result is where a publish job stands, from Status, Wait or FromEvent.
type Result struct {
	PublishID string
	Status    Status
	ArticleID string       // on success: for Articles, Delete, customer-service mpnewsarticle messages
	Articles  []ArticleURL // on success: every article's page
	Failed    []Index      // StatusOriginalityFailed, StatusRejected: the articles that failed
}

// Err returns nil while the job runs or after it succeeded, and a *JobError
// saying what failed otherwise.
func (r *Result) Err() error {
	if r.Status == StatusSucceeded || r.Status == StatusPublishing {
		return nil
	}
	return &JobError{PublishID: r.PublishID, Status: r.Status, Failed: r.Failed}
}

// JobError is a publish job that ended without its articles online.
type JobError struct {
	PublishID string
	Status    Status
	Failed    []Index // the articles that failed, when WeChat says which
}

func (e *JobError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "publish: job %s: %s", e.PublishID, e.Status)
	if len(e.Failed) > 0 {
		b.WriteString("; failed articles (from 1):")
		for _, i := range e.Failed {
			b.WriteString(" " + strconv.Itoa(i.n))
		}
	}
	return b.String()
}

// ErrUnverified matches a 48001 answer: the account may not publish by API.
// Publishing needs a verified 公众号 or a 服务号; an unverified or personal
// account publishes from the web console only.
var ErrUnverified = errors.New("publish: the account may not publish by API (48001): publishing needs a verified 公众号 or a 服务号")
