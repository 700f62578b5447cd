package qrcode_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"time"

	"github.com/wxkit/wechat/message"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/qrcode"
	"github.com/wxkit/wechat/wechattest"
)

// A temporary code for a channel, and the webhook reading its scene when
// someone scans it.
func ExampleService_Temporary() {
	fake := wechattest.NewServer()
	defer fake.Close()
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	code, err := qrcode.New(oa).Temporary(ctx, qrcode.String("channel-A"), 24*time.Hour)
	if err != nil {
		log.Fatal(err)
	}

	mux := message.NewMux()
	mux.HandleEvent(message.EventSubscribe, func(_ context.Context, m *message.Message) message.Reply {
		return message.Text("followed from " + m.Scene())
	})
	hook := httptest.NewServer(message.NewServer(oa, mux))
	defer hook.Close()
	c := fake.WebhookClient(hook.URL, wechattest.ModeSafe)
	scan, err := c.Scan("oNewFollower", code.Ticket) // the follower scans the code
	if err != nil {
		log.Fatal(err)
	}
	reply, err := c.Send(ctx, scan) // WeChat pushes the subscribe event
	fmt.Println(reply.Message.Content, err)
	// Output: followed from channel-A <nil>
}
