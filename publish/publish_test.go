package publish_test

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/draft"
	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/message"
	"github.com/wxkit/wechat/publish"
	"github.com/wxkit/wechat/wechattest"
)

func TestSubmitAndWait(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	events, _ := f.webhook(t)
	id := f.draft(t, "第一篇", "第二篇")
	job, err := f.svc.Submit(t.Context(), id)
	if err != nil || job.PublishID == "" {
		t.Fatalf("Submit = %+v, %v", job, err)
	}
	res, err := f.svc.Wait(t.Context(), job.PublishID, fast)
	if err != nil || res.Status != publish.StatusSucceeded || res.ArticleID == "" || len(res.Articles) != 2 {
		t.Fatalf("Wait = %+v, %v", res, err)
	}
	if res.Articles[1].Index != publish.OneBased(2) || res.Articles[1].URL == "" {
		t.Errorf("Articles[1] = %+v, want index 2 with a URL", res.Articles[1])
	}
	page := get(t, f.fake, res.Articles[0].URL)
	if !strings.Contains(page, "第一篇") || !strings.Contains(page, "第一篇 的正文") {
		t.Errorf("the article page does not show the article: %.300s", page)
	}
	if n, _ := draft.New(f.oa).Count(t.Context()); n != 0 {
		t.Errorf("the draft box holds %d drafts after publishing, want 0", n)
	}
	if pubs := f.fake.Published(); len(pubs) != 1 || pubs[0].DraftID != id || pubs[0].Status != 0 {
		t.Errorf("Published() = %+v", pubs)
	}

	// The PUBLISHJOBFINISH event says the same as Wait.
	m := receive(t, events)
	got, err := publish.FromEvent(m)
	if err != nil || got.PublishID != res.PublishID || got.ArticleID != res.ArticleID || len(got.Articles) != 2 || got.Articles[1] != res.Articles[1] {
		t.Errorf("FromEvent = %+v, %v; want %+v", got, err, res)
	}
	if errs := f.fake.PushErrors(); len(errs) != 0 {
		t.Errorf("push errors: %v", errs)
	}
}

func get(t *testing.T, fake *wechattest.Server, url string) string {
	t.Helper()
	resp, err := fake.Client().Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestWaitAcrossALateJob(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.fake.SetPublishDelay(time.Hour)
	job, err := f.svc.Submit(t.Context(), f.draft(t, "慢"))
	if err != nil {
		t.Fatal(err)
	}
	if r, err := f.svc.Status(t.Context(), job.PublishID); err != nil || r.Status != publish.StatusPublishing || r.Err() != nil {
		t.Fatalf("Status right after Submit = %+v, %v; want publishing", r, err)
	}
	type outcome struct {
		res *publish.Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		r, err := f.svc.Wait(t.Context(), job.PublishID, fast)
		done <- outcome{r, err}
	}()
	testutil.WaitFor(t, func() bool { return f.fake.Calls(wechattest.PathPublishGet) >= 3 }, "Wait to poll twice")
	select {
	case o := <-done:
		t.Fatalf("Wait returned %+v, %v while the job was publishing", o.res, o.err)
	default:
	}
	f.fake.Advance(time.Hour)
	o := <-done
	if o.err != nil || o.res.Status != publish.StatusSucceeded || len(o.res.Articles) != 1 {
		t.Errorf("Wait = %+v, %v; want success once the clock passed the job", o.res, o.err)
	}
}

func TestWaitOnRejectedJob(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	events, _ := f.webhook(t)
	f.fake.FailNextPublish(int(publish.StatusRejected), 2)
	job, err := f.svc.Submit(t.Context(), f.draft(t, "好", "坏"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.svc.Wait(t.Context(), job.PublishID, fast)
	var je *publish.JobError
	if !errors.As(err, &je) || je.Status != publish.StatusRejected || len(je.Failed) != 1 || je.Failed[0] != publish.OneBased(2) {
		t.Fatalf("Wait error = %v, want a JobError for review rejecting article 2", err)
	}
	if res == nil || res.Status != publish.StatusRejected || res.ArticleID != "" {
		t.Errorf("Wait result = %+v, want the rejected status", res)
	}
	if !strings.Contains(err.Error(), "rejected by the platform's review") || !strings.Contains(err.Error(), "failed articles (from 1): 2") {
		t.Errorf("error %q does not say why and which", err)
	}
	ev, err := publish.FromEvent(receive(t, events))
	if err != nil || ev.Status != publish.StatusRejected || len(ev.Failed) != 1 || ev.Failed[0].Int() != 2 {
		t.Errorf("FromEvent = %+v, %v", ev, err)
	}
	if n, _ := f.svc.List(t.Context(), 0, 20); n.Total != 0 {
		t.Errorf("a rejected job is listed: %+v", n)
	}
}

func TestWaitPollsThroughHiccups(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	job, err := f.svc.Submit(t.Context(), f.draft(t, "稳"))
	if err != nil {
		t.Fatal(err)
	}
	f.fake.FailNext(wechattest.PathPublishGet, 2, wechat.CodeSystemBusy)
	if res, err := f.svc.Wait(t.Context(), job.PublishID, fast); err != nil || res.Status != publish.StatusSucceeded {
		t.Errorf("Wait through two -1 answers = %+v, %v", res, err)
	}
	f.fake.FailNext(wechattest.PathPublishGet, 1, wechat.CodeAPIUnauthorized)
	if _, err := f.svc.Wait(t.Context(), job.PublishID, fast); !errors.Is(err, publish.ErrUnverified) {
		t.Errorf("Wait on 48001 = %v, want ErrUnverified at once", err)
	}
}

func TestWaitEndsWithContext(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.fake.SetPublishDelay(time.Hour)
	job, err := f.svc.Submit(t.Context(), f.draft(t, "等"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		testutil.WaitFor(t, func() bool { return f.fake.Calls(wechattest.PathPublishGet) >= 2 }, "two polls")
		cancel()
	}()
	res, err := f.svc.Wait(ctx, job.PublishID, fast)
	if !errors.Is(err, context.Canceled) || res == nil || res.Status != publish.StatusPublishing || !strings.Contains(err.Error(), "still publishing") {
		t.Errorf("Wait = %+v, %v; want the last status and context.Canceled", res, err)
	}
}

func TestUnverifiedAccount(t *testing.T) {
	t.Parallel()
	f := newFixture(t, wechattest.WithUnverifiedAccount())
	_, err := f.svc.Submit(t.Context(), f.draft(t, "x"))
	if !errors.Is(err, publish.ErrUnverified) || wechat.Code(err) != wechat.CodeAPIUnauthorized {
		t.Errorf("Submit on an unverified account = %v, want ErrUnverified carrying 48001", err)
	}
}

// TestArticlesReadTheFlags: the comment flags WeChat sends as 0 and 1 are
// booleans, as in draft.Article.
func TestArticlesReadTheFlags(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	job, err := f.svc.Submit(t.Context(), f.draftOf(t,
		draft.Article{Title: "开", Content: "<p>x</p>", OpenComment: true, OnlyFansCanComment: true},
		draft.Article{Title: "关", Content: "<p>y</p>"}))
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.svc.Wait(t.Context(), job.PublishID, fast)
	if err != nil {
		t.Fatal(err)
	}
	arts, err := f.svc.Articles(t.Context(), res.ArticleID)
	if err != nil || len(arts) != 2 || !arts[0].OpenComment || !arts[0].OnlyFansCanComment || arts[1].OpenComment || arts[1].OnlyFansCanComment {
		t.Fatalf("Articles = %+v, %v; want the first open to followers' comments, the second closed", arts, err)
	}
	var listed []publish.Article
	for p, err := range f.svc.All(t.Context()) {
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, p.Articles...)
	}
	if len(listed) != 2 || !listed[0].OpenComment || listed[1].OpenComment {
		t.Errorf("All's articles = %+v, want the same flags", listed)
	}
}

func TestDeleteIndexTrap(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	job, err := f.svc.Submit(t.Context(), f.draft(t, "一", "二"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.svc.Wait(t.Context(), job.PublishID, fast)
	if err != nil {
		t.Fatal(err)
	}
	// publish counts from 1: OneBased(1) is the first article.
	if err := f.svc.DeleteArticle(t.Context(), res.ArticleID, publish.OneBased(1)); err != nil {
		t.Fatalf("DeleteArticle(1): %v", err)
	}
	arts, err := f.svc.Articles(t.Context(), res.ArticleID)
	if err != nil || len(arts) != 2 || !arts[0].IsDeleted || arts[1].IsDeleted || arts[0].Title != "一" {
		t.Fatalf("Articles after deleting article 1 = %+v, %v; want the first deleted", arts, err)
	}
	if page := get(t, f.fake, res.Articles[0].URL); !strings.Contains(page, "删除") {
		t.Errorf("the deleted article's page still shows: %.200s", page)
	}

	calls := f.fake.Calls(wechattest.PathPublishDelete)
	if err := f.svc.DeleteArticle(t.Context(), res.ArticleID, publish.OneBased(0)); err == nil || !strings.Contains(err.Error(), "count from 1") {
		t.Errorf("DeleteArticle(OneBased(0)) = %v, want a local refusal (WeChat would delete everything)", err)
	}
	if err := f.svc.DeleteArticle(t.Context(), res.ArticleID, publish.Index{}); err == nil {
		t.Error("DeleteArticle(Index{}) succeeded, want a local refusal")
	}
	if n := f.fake.Calls(wechattest.PathPublishDelete); n != calls {
		t.Errorf("a refused delete reached WeChat")
	}
	if err := f.svc.DeleteArticle(t.Context(), res.ArticleID, publish.OneBased(3)); wechat.Code(err) != wechat.CodeInvalidArticleIndex {
		t.Errorf("DeleteArticle(3) of 2 = %v, want 40114", err)
	}

	if err := f.svc.Delete(t.Context(), res.ArticleID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	st, err := f.svc.Status(t.Context(), job.PublishID)
	if err != nil || st.Status != publish.StatusDeletedByUser || st.Err() == nil {
		t.Errorf("Status after deleting everything = %+v, %v; want status 5", st, err)
	}
	if _, err := f.svc.Articles(t.Context(), res.ArticleID); wechat.Code(err) != wechat.CodeInvalidArticleID {
		t.Errorf("Articles of a deleted publication = %v, want 53600", err)
	}
}

func TestListAndAll(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, title := range []string{"甲", "乙", "丙"} {
		job, err := f.svc.Submit(t.Context(), f.draft(t, title))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Wait(t.Context(), job.PublishID, fast); err != nil {
			t.Fatal(err)
		}
	}
	var titles []string
	for p, err := range f.svc.All(t.Context(), publish.WithoutContent()) {
		if err != nil {
			t.Fatal(err)
		}
		if p.Articles[0].Content != "" || p.ArticleID == "" {
			t.Errorf("publication %+v: want an id and no content", p)
		}
		titles = append(titles, p.Articles[0].Title)
	}
	if strings.Join(titles, "") != "丙乙甲" {
		t.Errorf("All titles = %v, want newest first", titles)
	}
	if _, err := f.svc.List(t.Context(), 0, 0); err == nil {
		t.Error("List(0, 0) succeeded, want a local error")
	}
}

func TestEmptyIDs(t *testing.T) {
	t.Parallel()
	svc := newFixture(t).svc
	ctx := t.Context()
	for name, err := range map[string]error{
		"Submit":   func() error { _, err := svc.Submit(ctx, ""); return err }(),
		"Status":   func() error { _, err := svc.Status(ctx, ""); return err }(),
		"Articles": func() error { _, err := svc.Articles(ctx, ""); return err }(),
		"Delete":   svc.Delete(ctx, ""),
	} {
		if !errors.Is(err, publish.ErrEmptyID) {
			t.Errorf("%s(\"\") = %v, want ErrEmptyID", name, err)
		}
	}
	if _, err := publish.FromEvent(&message.Message{Event: message.EventMassSendJobFinish}); err == nil {
		t.Error("FromEvent(MASSSENDJOBFINISH) succeeded")
	}
}

// TestFromEventSample maps the spec's PUBLISHJOBFINISH sample, pushed as
// WeChat would, to a Result.
func TestFromEventSample(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	events, url := f.webhook(t)
	sample := `<xml><ToUserName><![CDATA[gh_4d00ed8d6399]]></ToUserName><FromUserName><![CDATA[oV5CrjpxgaGXNHIQigzNlgLTnwic]]></FromUserName><CreateTime>` +
		strconv.FormatInt(f.fake.Now().Unix(), 10) + `</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[PUBLISHJOBFINISH]]></Event><PublishEventInfo><publish_id>2247503051</publish_id><publish_status>2</publish_status><fail_idx>1</fail_idx><fail_idx>2</fail_idx></PublishEventInfo></xml>`
	if _, err := f.fake.WebhookClient(url, wechattest.ModeSafe).Send(t.Context(), []byte(sample)); err != nil {
		t.Fatal(err)
	}
	res, err := publish.FromEvent(receive(t, events))
	if err != nil || res.PublishID != "2247503051" || res.Status != publish.StatusOriginalityFailed ||
		len(res.Failed) != 2 || res.Failed[0] != publish.OneBased(1) || res.Failed[1] != publish.OneBased(2) {
		t.Errorf("FromEvent(sample) = %+v, %v", res, err)
	}
}
