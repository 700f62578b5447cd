package wechattest_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/wxkit/wechat/message"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

// Testing your webhook: serve it on httptest, push to it the way WeChat does (in
// safe mode here: encrypted and signed), and read the reply as WeChat would. A
// test would compare reply.Message with what it expects instead of printing.
func ExampleServer_WebhookClient() {
	fake := wechattest.NewServer() // in a test: fake, oa := wechattest.Start(t)
	defer fake.Close()
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		log.Fatal(err)
	}

	// The bot under test.
	mux := message.NewMux()
	mux.HandleText(func(_ context.Context, m *message.Message) message.Reply {
		return message.Text("you said: " + m.Content)
	})
	mux.HandleLocation(func(_ context.Context, m *message.Message) message.Reply {
		return message.Text("you are at " + m.Label)
	})
	mux.HandleEvent(message.EventSubscribe, func(context.Context, *message.Message) message.Reply {
		return message.Text("欢迎关注")
	})
	hook := httptest.NewServer(message.NewServer(oa, mux))
	defer hook.Close()

	c := fake.WebhookClient(hook.URL+"/wechat", wechattest.ModeSafe)
	ctx := context.Background()
	if err := c.Verify(ctx); err != nil { // the console's URL check (GET with echostr)
		log.Fatal(err)
	}
	for _, push := range [][]byte{
		c.Text("oFollower", "你好"),
		c.Location("oFollower", 23.13, 113.36, 15, "广州塔"),
		c.Event("oFollower", message.EventSubscribe, ""),
	} {
		reply, err := c.Send(ctx, push)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(reply.Encrypted, reply.Message.ToUserName, reply.Message.Content)
	}
	// Output:
	// true oFollower you said: 你好
	// true oFollower you are at 广州塔
	// true oFollower 欢迎关注
}
