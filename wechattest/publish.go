package wechattest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wxkit/wechat"
)

// Paths of the publishing APIs (发布能力, freepublish) the fake serves.
const (
	PathPublishSubmit     = "/cgi-bin/freepublish/submit"
	PathPublishGet        = "/cgi-bin/freepublish/get"
	PathPublishDelete     = "/cgi-bin/freepublish/delete"
	PathPublishGetArticle = "/cgi-bin/freepublish/getarticle"
	PathPublishList       = "/cgi-bin/freepublish/batchget"
)

// Publication is one publish job as the platform holds it: what Published
// returns for a test to inspect.
type Publication struct {
	PublishID string
	DraftID   string // the draft submitted
	Status    int    // publish_status: 1 publishing, 0 success, 2-6 failures (publishing.md §2)
	ArticleID string // set on success
	Articles  []Article
	FailIdx   []int // 1-based, for status 2 and 4
	Submitted time.Time
}

// publishJob is a Publication with the fake's bookkeeping.
type publishJob struct {
	Publication
	doneAt  time.Time
	outcome publishOutcome
	deleted []bool // per article, after success
}

type publishOutcome struct {
	status  int
	failIdx []int
}

type publishState struct {
	jobs      map[string]*publishJob
	order     []*publishJob
	byArticle map[string]*publishJob
	delay     time.Duration
	next      []publishOutcome // queued by FailNextPublish
	seq       int64
}

func (s *Server) publishRoutes() {
	s.content.publish = publishState{jobs: map[string]*publishJob{}, byArticle: map[string]*publishJob{}, seq: 2247503050}
	s.api(http.MethodPost, PathPublishSubmit, s.publishSubmit)
	s.api(http.MethodPost, PathPublishGet, s.publishGet)
	s.api(http.MethodPost, PathPublishDelete, s.publishDelete)
	s.api(http.MethodPost, PathPublishGetArticle, s.publishGetArticle)
	s.api(http.MethodPost, PathPublishList, s.publishList)
}

// SetPublishDelay sets how long, on the platform's clock, a publish job stays
// at status 1 (publishing) before it ends and PUBLISHJOBFINISH is pushed
// (default 0: at once, right after submit answers). Advance moves jobs along.
func (s *Server) SetPublishDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.content.publish.delay = d
}

// FailNextPublish makes the next publish job end with status instead of 0:
// 2 originality check failed or 4 rejected by review (failIdx: the 1-based
// articles that failed), 3 general failure.
func (s *Server) FailNextPublish(status int, failIdx ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.content.publish.next = append(s.content.publish.next, publishOutcome{status, failIdx})
}

// Published returns every publish job so far, oldest first, with its status
// now: what a test checks after publishing.
func (s *Server) Published() []Publication {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Publication, 0, len(s.content.publish.order))
	for _, j := range s.content.publish.order {
		s.finishDue(j, now)
		p := j.Publication
		p.Articles = append([]Article(nil), p.Articles...)
		out = append(out, p)
	}
	return out
}

// checkVerified answers 48001 for an unverified account, as publishing and mass
// sending do.
func (s *Server) checkVerified() error {
	if s.content.unverified {
		return apiError(wechat.CodeAPIUnauthorized, "api unauthorized: the account is not verified")
	}
	return nil
}

func (s *Server) publishSubmit(c *call) (any, error) {
	if err := s.checkVerified(); err != nil {
		return nil, err
	}
	var req struct {
		MediaID string `json:"media_id"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	d, err := s.draftOf(req.MediaID)
	if err != nil {
		return nil, err
	}
	st := &s.content.publish
	st.seq++
	j := &publishJob{Publication: Publication{
		PublishID: strconv.FormatInt(st.seq, 10), DraftID: d.id, Status: 1,
		Articles: append([]Article(nil), d.articles...), Submitted: c.now,
	}, doneAt: c.now.Add(st.delay)}
	if len(st.next) > 0 {
		j.outcome, st.next = st.next[0], st.next[1:]
	}
	st.jobs[j.PublishID] = j
	st.order = append(st.order, j)
	s.later(j.doneAt, func(now time.Time) { s.finishDue(j, now) })
	return map[string]any{"errcode": 0, "errmsg": "ok", "publish_id": j.PublishID, "msg_data_id": strconv.FormatInt(st.seq+1000, 10)}, nil
}

// finishDue ends j if its time has come: the articles get their pages (on
// success), the draft leaves the box, PUBLISHJOBFINISH is pushed.
func (s *Server) finishDue(j *publishJob, now time.Time) {
	if j.Status != 1 || now.Before(j.doneAt) {
		return
	}
	j.Status, j.FailIdx = j.outcome.status, j.outcome.failIdx
	if j.Status == 0 {
		j.ArticleID = "wxkit_" + randomHex(16)
		j.deleted = make([]bool, len(j.Articles))
		for i := range j.Articles {
			j.Articles[i].URL = s.articleURL(j.ArticleID, i+1)
		}
		s.content.publish.byArticle[j.ArticleID] = j
		s.removeDraft(j.DraftID)
	}
	s.push("mphelper", "PUBLISHJOBFINISH", publishEventXML(j))
}

func (s *Server) articleURL(articleID string, idx int) string {
	return s.URL() + "/s/" + articleID + "/" + strconv.Itoa(idx)
}

func publishEventXML(j *publishJob) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<PublishEventInfo><publish_id>%s</publish_id><publish_status>%d</publish_status>", j.PublishID, j.Status)
	if j.Status == 0 {
		fmt.Fprintf(&b, "%s<article_detail><count>%d</count>", elem("article_id", j.ArticleID), len(j.Articles))
		for i, a := range j.Articles {
			fmt.Fprintf(&b, "<item><idx>%d</idx>%s</item>", i+1, elem("article_url", a.URL))
		}
		b.WriteString("</article_detail>")
	}
	for _, i := range j.FailIdx {
		fmt.Fprintf(&b, "<fail_idx>%d</fail_idx>", i)
	}
	b.WriteString("</PublishEventInfo>")
	return b.String()
}

func (s *Server) publishGet(c *call) (any, error) {
	if err := s.checkVerified(); err != nil {
		return nil, err
	}
	var req struct {
		PublishID string `json:"publish_id"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	j, ok := s.content.publish.jobs[req.PublishID]
	if !ok {
		// Not documented; 47003 is WeChat's "argument invalid" with the field named.
		return nil, apiError(wechat.CodeArgumentInvalid, "argument invalid! publish_id")
	}
	s.finishDue(j, c.now)
	reply := map[string]any{"publish_id": j.PublishID, "publish_status": j.status(), "fail_idx": append([]int{}, j.FailIdx...)}
	if j.Status == 0 {
		items := []map[string]any{}
		for i, a := range j.Articles {
			items = append(items, map[string]any{"idx": i + 1, "article_url": a.URL})
		}
		reply["article_id"] = j.ArticleID
		reply["article_detail"] = map[string]any{"count": len(items), "item": items}
	}
	return reply, nil
}

// status is j's publish_status now: 5 once every article of a success was deleted.
func (j *publishJob) status() int {
	if j.Status != 0 || len(j.deleted) == 0 {
		return j.Status
	}
	for _, d := range j.deleted {
		if !d {
			return 0
		}
	}
	return 5
}

// publication returns the successful job of articleID: 53600 otherwise.
func (s *Server) publication(articleID string) (*publishJob, error) {
	j, ok := s.content.publish.byArticle[articleID]
	if !ok || j.status() != 0 {
		return nil, apiError(wechat.CodeInvalidArticleID, "invalid article_id")
	}
	return j, nil
}

func (s *Server) publishDelete(c *call) (any, error) {
	if err := s.checkVerified(); err != nil {
		return nil, err
	}
	var req struct {
		ArticleID string `json:"article_id"`
		Index     int    `json:"index"` // 1-based; 0 or missing: every article
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	j, err := s.publication(req.ArticleID)
	if err != nil {
		return nil, err
	}
	switch {
	case req.Index == 0:
		for i := range j.deleted {
			j.deleted[i] = true
		}
	case req.Index < 0 || req.Index > len(j.deleted) || j.deleted[req.Index-1]:
		return nil, apiError(wechat.CodeInvalidArticleIndex, "invalid index")
	default:
		j.deleted[req.Index-1] = true
	}
	return ok(), nil
}

func (s *Server) publishGetArticle(c *call) (any, error) {
	if err := s.checkVerified(); err != nil {
		return nil, err
	}
	var req struct {
		ArticleID string `json:"article_id"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	j, err := s.publication(req.ArticleID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"news_item": publishedItems(j, false)}, nil
}

func publishedItems(j *publishJob, noContent bool) []map[string]any {
	items := make([]map[string]any, len(j.Articles))
	for i, a := range j.Articles {
		if noContent {
			a.Content = ""
		}
		items[i] = map[string]any{
			"title": a.Title, "author": a.Author, "digest": a.Digest, "content": a.Content,
			"content_source_url": a.ContentSourceURL, "thumb_media_id": a.ThumbMediaID, "thumb_url": a.ThumbURL,
			"need_open_comment": a.NeedOpenComment, "only_fans_can_comment": a.OnlyFansCanComment,
			"url": a.URL, "is_deleted": j.deleted[i],
		}
	}
	return items
}

func (s *Server) publishList(c *call) (any, error) {
	if err := s.checkVerified(); err != nil {
		return nil, err
	}
	var req page
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	if err := req.check(); err != nil {
		return nil, err
	}
	var done []*publishJob // newest first
	for i := len(s.content.publish.order) - 1; i >= 0; i-- {
		j := s.content.publish.order[i]
		s.finishDue(j, c.now)
		if j.status() == 0 {
			done = append(done, j)
		}
	}
	items := []map[string]any{}
	for _, j := range of(req, done) {
		items = append(items, map[string]any{
			"article_id": j.ArticleID, "update_time": j.doneAt.Unix(),
			"content": map[string]any{"news_item": publishedItems(j, req.NoContent == 1)},
		})
	}
	return map[string]any{"total_count": len(done), "item_count": len(items), "item": items}, nil
}
