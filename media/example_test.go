package media_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/wxkit/wechat/media"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

func ExampleService_Upload() {
	fake := wechattest.NewServer()
	defer fake.Close()
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		log.Fatal(err)
	}
	ctx, svc := context.Background(), media.New(oa)

	// Any io.Reader; an *os.File is streamed rather than read into memory.
	photo := bytes.NewReader([]byte("\xff\xd8\xff...a JPEG..."))
	m, err := svc.Upload(ctx, media.Image, "photo.jpg", photo)
	fmt.Println(err, m.Type, m.MediaID != "") // m.MediaID goes into message.Image(…) for 3 days

	_, err = svc.Upload(ctx, media.Voice, "note.wav", strings.NewReader("RIFF"))
	fmt.Println(err)
	// Output:
	// <nil> image true
	// media: voice "note.wav": the name must end in .amr, .mp3 (WeChat goes by the extension), got .wav
}

func ExampleService_UploadImage() {
	fake := wechattest.NewServer()
	defer fake.Close()
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		log.Fatal(err)
	}
	url, err := media.New(oa).UploadImage(context.Background(), "chart.png", strings.NewReader("\x89PNG..."))
	fmt.Println(err, strings.HasPrefix(url, "http://mmbiz.qpic.cn/")) // <img src="…"> in a draft
	// Output: <nil> true
}
