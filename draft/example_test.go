package draft_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/wxkit/wechat/draft"
	"github.com/wxkit/wechat/media"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

func ExampleService_Add() {
	fake := wechattest.NewServer()
	defer fake.Close()
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// The cover is permanent material; images inside the HTML come from UploadImage.
	cover, err := media.New(oa).Permanent().Add(ctx, media.Image, "cover.jpg", strings.NewReader("\xff\xd8\xff..."))
	if err != nil {
		log.Fatal(err)
	}
	figure, err := media.New(oa).UploadImage(ctx, "figure.png", strings.NewReader("\x89PNG..."))
	if err != nil {
		log.Fatal(err)
	}

	svc := draft.New(oa)
	id, err := svc.Add(ctx, draft.Article{
		Title:        "wxkit 发布了",
		Author:       "wxkit",
		Content:      `<p>你好</p><img src="` + figure + `">`,
		ThumbMediaID: cover.MediaID,
	})
	fmt.Println(err, id != "")

	_, err = svc.Add(ctx, draft.Article{Title: "x", Content: `<img src="https://example.com/a.png">`, ThumbMediaID: cover.MediaID})
	fmt.Println(err)
	// Output:
	// <nil> true
	// draft: article 0 ("x"): images not uploaded with media.UploadImage (WeChat removes them): https://example.com/a.png
}
