package draft_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/draft"
	"github.com/wxkit/wechat/media"
	"github.com/wxkit/wechat/wechattest"
)

// setup starts a fake with a permanent cover image and an article image.
func setup(t *testing.T) (fake *wechattest.Server, svc *draft.Service, cover, img string) {
	t.Helper()
	fake, oa := wechattest.Start(t)
	m := media.New(oa)
	added, err := m.Permanent().Add(t.Context(), media.Image, "cover.jpg", bytes.NewReader([]byte("\xff\xd8\xffcover")))
	if err != nil {
		t.Fatal(err)
	}
	img, err = m.UploadImage(t.Context(), "fig.png", bytes.NewReader([]byte("\x89PNGfig")))
	if err != nil {
		t.Fatal(err)
	}
	return fake, draft.New(oa), added.MediaID, img
}

func news(title, cover, img string) draft.Article {
	return draft.Article{Title: title, Author: "wxkit", Content: `<p>正文</p><img src="` + img + `">`, ThumbMediaID: cover, OpenComment: true}
}

func TestAddGetUpdateDelete(t *testing.T) {
	t.Parallel()
	fake, svc, cover, img := setup(t)
	ctx := t.Context()
	id, err := svc.Add(ctx, news("第一篇", cover, img), news("第二篇", cover, img))
	if err != nil || id == "" {
		t.Fatalf("Add = %q, %v", id, err)
	}
	got, err := svc.Get(ctx, id)
	if err != nil || len(got) != 2 || got[0].Title != "第一篇" || got[1].Title != "第二篇" {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if a := got[0]; a.Type != draft.News || !a.OpenComment || a.OnlyFansCanComment || a.ThumbMediaID != cover || !strings.Contains(a.Content, img) || a.URL == "" {
		t.Errorf("Get()[0] = %+v, want the article as added, with a preview URL", a)
	}
	if n, err := svc.Count(ctx); n != 1 || err != nil {
		t.Errorf("Count = %d, %v; want 1", n, err)
	}

	// The index trap: draft/update counts from 0, so ZeroBased(1) is the second article.
	if err := svc.Update(ctx, id, draft.ZeroBased(1), news("第二篇（改）", cover, img)); err != nil {
		t.Fatalf("Update(1): %v", err)
	}
	stored := fake.Drafts()[id]
	if stored[0].Title != "第一篇" || stored[1].Title != "第二篇（改）" {
		t.Errorf("after Update(ZeroBased(1)) the titles are %q, %q; want the second changed", stored[0].Title, stored[1].Title)
	}
	if err := svc.Update(ctx, id, draft.ZeroBased(2), news("x", cover, img)); wechat.Code(err) != wechat.CodeInvalidArticleIndex {
		t.Errorf("Update(ZeroBased(2)) of a 2-article draft = %v, want 40114", err)
	}
	if err := svc.Update(ctx, id, draft.ZeroBased(-1), news("x", cover, img)); err == nil || wechat.Code(err) != wechat.CodeNotWeChat {
		t.Errorf("Update(ZeroBased(-1)) = %v, want a local error", err)
	}

	if err := svc.Delete(ctx, id); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := svc.Get(ctx, id); wechat.Code(err) != wechat.CodeInvalidMediaID {
		t.Errorf("Get after Delete = %v, want 40007", err)
	}
	for _, call := range []func() error{
		func() error { _, err := svc.Get(ctx, ""); return err },
		func() error { return svc.Delete(ctx, "") },
		func() error { return svc.Update(ctx, "", draft.ZeroBased(0), news("x", cover, img)) },
	} {
		if err := call(); !errors.Is(err, draft.ErrEmptyMediaID) {
			t.Errorf("empty media_id: %v, want ErrEmptyMediaID", err)
		}
	}
}

func TestNewsPic(t *testing.T) {
	t.Parallel()
	_, svc, cover, _ := setup(t)
	a := draft.Article{Type: draft.NewsPic, Title: "九宫格", Content: "今日照片", Images: []string{cover, cover},
		CoverCrops: []draft.CoverCrop{{Ratio: "1_1", X1: "0.1", Y1: "0", X2: "0.9", Y2: "1"}}}
	id, err := svc.Add(t.Context(), a)
	if err != nil {
		t.Fatalf("Add(newspic): %v", err)
	}
	got, err := svc.Get(t.Context(), id)
	if err != nil || got[0].Type != draft.NewsPic || len(got[0].Images) != 2 || got[0].CoverCrops[0] != a.CoverCrops[0] {
		t.Errorf("Get(newspic) = %+v, %v", got, err)
	}
}

func TestAddRefusedLocally(t *testing.T) {
	t.Parallel()
	fake, svc, cover, img := setup(t)
	ok := news("标题", cover, img)
	tests := []struct {
		name    string
		mutate  func(*draft.Article)
		wantErr string
	}{
		{"no title", func(a *draft.Article) { a.Title = "" }, "title is empty"},
		{"title 33 characters", func(a *draft.Article) { a.Title = strings.Repeat("标", 33) }, "title is 33 characters, the limit is 32"},
		{"author 17", func(a *draft.Article) { a.Author = strings.Repeat("a", 17) }, "author is 17 characters"},
		{"digest 129", func(a *draft.Article) { a.Digest = strings.Repeat("字", 129) }, "digest is 129 characters"},
		{"no content", func(a *draft.Article) { a.Content = "  " }, "content is empty"},
		{"content 20000", func(a *draft.Article) { a.Content = strings.Repeat("字", 20000) }, "must be under 20000"},
		{"bad source URL", func(a *draft.Article) { a.ContentSourceURL = "javascript:alert(1)" }, "not an http(s) URL"},
		{"no cover", func(a *draft.Article) { a.ThumbMediaID = "" }, "needs a cover"},
		{"bad crop", func(a *draft.Article) { a.PicCrop11 = "0_0_1" }, "pic crop 1:1"},
		{"unknown type", func(a *draft.Article) { a.Type = "video" }, `type is "video"`},
		{"external images", func(a *draft.Article) {
			a.Content = `<p><img src="https://example.com/a.png"><IMG SRC='./b.png'/><img src="` + img + `"><img src="https://example.com/a.png"></p>`
		}, "https://example.com/a.png, ./b.png"},
		{"newspic without images", func(a *draft.Article) { a.Type = draft.NewsPic }, "needs 1 to 20 Images"},
		{"newspic with 21", func(a *draft.Article) {
			a.Type, a.Images = draft.NewsPic, strings.Split(strings.Repeat("x,", 20)+"x", ",")
		}, "has 21 images"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := ok
			tt.mutate(&a)
			_, err := svc.Add(t.Context(), a)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Add error = %v, want %q", err, tt.wantErr)
			}
		})
	}
	_, err := svc.Add(t.Context(), ok, draft.Article{Title: "bad"})
	if err == nil || !strings.Contains(err.Error(), `article 1 ("bad")`) {
		t.Errorf("Add(ok, bad) = %v, want the second article named", err)
	}
	var ext = ok
	ext.Content = `<img src="http://x.test/p.png">`
	if _, err := svc.Add(t.Context(), ext); !errors.Is(err, draft.ErrExternalImage) {
		t.Errorf("Add(external image) = %v, want ErrExternalImage", err)
	}
	if n := fake.Calls(wechattest.PathDraftAdd); n != 0 {
		t.Errorf("%d requests reached WeChat, want none", n)
	}
}

func TestAddErrorsFromWeChat(t *testing.T) {
	t.Parallel()
	_, svc, _, img := setup(t)
	// A temporary image is not a cover: WeChat answers 40007.
	_, err := svc.Add(t.Context(), news("标题", "not-a-permanent-id", img))
	if code := wechat.Code(err); code != wechat.CodeInvalidMediaID {
		t.Errorf("Add with a bad cover: errcode %d, want 40007 (err %v)", code, err)
	}
}

func TestListAndAll(t *testing.T) {
	t.Parallel()
	_, svc, cover, img := setup(t)
	for i := range 25 {
		if _, err := svc.Add(t.Context(), news(fmt.Sprintf("第%d篇", i), cover, img)); err != nil {
			t.Fatal(err)
		}
	}
	var titles []string
	for d, err := range svc.All(t.Context(), draft.WithoutContent()) {
		if err != nil {
			t.Fatal(err)
		}
		if d.Articles[0].Content != "" || d.MediaID == "" || d.UpdateTime.IsZero() {
			t.Fatalf("draft %+v: want no content, an id and a time", d)
		}
		titles = append(titles, d.Articles[0].Title)
	}
	if len(titles) != 25 || titles[0] != "第24篇" {
		t.Errorf("All yielded %d drafts starting %q, want 25 newest first", len(titles), titles[0])
	}
	p, err := svc.List(t.Context(), 20, 20)
	if err != nil || p.Total != 25 || len(p.Drafts) != 5 || p.Drafts[0].Articles[0].Content == "" {
		t.Errorf("List(20, 20) = %d of %d, %v; want 5 of 25 with content", len(p.Drafts), p.Total, err)
	}
	if _, err := svc.List(t.Context(), 0, 21); err == nil {
		t.Error("List(0, 21) succeeded, want a local error")
	}
}
