package media_test

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/media"
	"github.com/wxkit/wechat/menu"
	"github.com/wxkit/wechat/wechattest"
)

func TestPermanent(t *testing.T) {
	t.Parallel()
	fake, svc := newService(t)
	perm := svc.Permanent()
	ctx := t.Context()

	img, err := perm.Add(ctx, media.Image, "cover.png", bytes.NewReader(png))
	if err != nil || img.MediaID == "" || !strings.HasPrefix(img.URL, "http://mmbiz.qpic.cn/") {
		t.Fatalf("Add(image) = %+v, %v", img, err)
	}
	var w bytes.Buffer
	got, err := perm.Get(ctx, img.MediaID, &w)
	if err != nil || !bytes.Equal(w.Bytes(), png) || got.Video != nil || got.News != nil {
		t.Fatalf("Get(image) = %+v (%d bytes), %v", got, w.Len(), err)
	}

	vid, err := perm.AddVideo(ctx, "clip.mp4", bytes.NewReader(mp4), "发布会", "2024 年发布会回放")
	if err != nil {
		t.Fatalf("AddVideo: %v", err)
	}
	w.Reset()
	got, err = perm.Get(ctx, vid.MediaID, &w)
	if err != nil || got.Video == nil || got.Video.Title != "发布会" || got.Video.Description != "2024 年发布会回放" || got.Video.DownURL == "" || w.Len() != 0 {
		t.Fatalf("Get(video) = %+v, %v; want the title, introduction and a download URL", got, err)
	}
	if _, err := perm.Add(ctx, media.Video, "clip.mp4", bytes.NewReader(mp4)); err == nil || !strings.Contains(err.Error(), "AddVideo") {
		t.Errorf("Add(video) = %v, want a pointer to AddVideo", err)
	}

	news := fake.AddNewsMaterial(wechattest.NewsItem{Title: "旧图文", Content: "<p>hi</p>"})
	got, err = perm.Get(ctx, news, io.Discard)
	if err != nil || len(got.News) != 1 || got.News[0].Title != "旧图文" {
		t.Fatalf("Get(news) = %+v, %v", got, err)
	}

	count, err := perm.Count(ctx)
	if err != nil || *count != (media.Count{Image: 1, Video: 1, News: 1}) {
		t.Errorf("Count = %+v, %v; want 1 image, 1 video, 1 news", count, err)
	}

	tmp, _ := svc.Upload(ctx, media.Image, "tmp.jpg", bytes.NewReader(jpg))
	if _, err := perm.Get(ctx, tmp.MediaID, io.Discard); wechat.Code(err) != wechat.CodeInvalidMediaID {
		t.Errorf("Get(temporary id) = %v, want 40007", err)
	}
	if err := perm.Delete(ctx, tmp.MediaID); wechat.Code(err) != wechat.CodeInvalidMediaID {
		t.Errorf("Delete(temporary id) = %v, want 40007", err)
	}

	// Material the menu sends cannot be deleted.
	if err := menu.New(fake.Account(t)).Create(ctx, menu.Menu{Buttons: []menu.Button{menu.Media("封面", img.MediaID)}}); err != nil {
		t.Fatal(err)
	}
	if err := perm.Delete(ctx, img.MediaID); wechat.Code(err) != wechat.CodeMaterialInUse {
		t.Errorf("Delete(used by the menu) = %v, want 48005", err)
	}
	if err := perm.Delete(ctx, vid.MediaID); err != nil {
		t.Fatalf("Delete(video): %v", err)
	}
	if _, err := perm.Get(ctx, vid.MediaID, io.Discard); wechat.Code(err) != wechat.CodeInvalidMediaID {
		t.Errorf("Get after Delete = %v, want 40007", err)
	}
}

func TestPermanentAll(t *testing.T) {
	t.Parallel()
	_, svc := newService(t)
	perm := svc.Permanent()
	for i := range 45 {
		if _, err := perm.Add(t.Context(), media.Image, fmt.Sprintf("img%02d.jpg", i), bytes.NewReader(jpg)); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	for it, err := range perm.All(t.Context(), media.Image) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, it.Name)
	}
	if len(names) != 45 || names[0] != "img44.jpg" || names[44] != "img00.jpg" {
		t.Errorf("All yielded %d names from %v, want 45 newest first", len(names), names[:min(3, len(names))])
	}
	page, err := perm.List(t.Context(), media.Image, 40, 20)
	if err != nil || page.Total != 45 || len(page.Items) != 5 {
		t.Errorf("List(40, 20) = %+v, %v; want 5 of 45", page, err)
	}
	for _, bad := range []struct {
		typ    media.Type
		offset int
		count  int
	}{{media.Thumb, 0, 10}, {media.Image, 0, 21}, {media.Image, -1, 5}, {media.Image, 0, 0}} {
		if _, err := perm.List(t.Context(), bad.typ, bad.offset, bad.count); err == nil {
			t.Errorf("List(%s, %d, %d) succeeded, want a local error", bad.typ, bad.offset, bad.count)
		}
	}
}
