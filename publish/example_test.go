package publish_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/wxkit/wechat/draft"
	"github.com/wxkit/wechat/media"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/publish"
	"github.com/wxkit/wechat/wechattest"
)

func ExampleService_Wait() {
	fake := wechattest.NewServer()
	defer fake.Close()
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	cover, err := media.New(oa).Permanent().Add(ctx, media.Image, "cover.jpg", strings.NewReader("\xff\xd8\xff..."))
	if err != nil {
		log.Fatal(err)
	}
	draftID, err := draft.New(oa).Add(ctx, draft.Article{Title: "你好", Content: "<p>正文</p>", ThumbMediaID: cover.MediaID})
	if err != nil {
		log.Fatal(err)
	}

	svc := publish.New(oa)
	job, err := svc.Submit(ctx, draftID) // accepted, not yet published
	if err != nil {
		log.Fatal(err)
	}
	res, err := svc.Wait(ctx, job.PublishID, publish.WithPollInterval(10*time.Millisecond, time.Second))
	var failed *publish.JobError
	switch {
	case errors.As(err, &failed):
		fmt.Println("not published:", failed.Status, failed.Failed)
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Println(res.Status, len(res.Articles), strings.HasPrefix(res.Articles[0].URL, fake.URL()))
	}
	// Output: succeeded 1 true
}
