package message_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"time"

	"github.com/wxkit/wechat/message"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

// push sends msg through srv in-process the way WeChat would, in mode, and
// returns what WeChat would read from the answer.
func push(srv *message.Server, c *wechattest.WebhookClient, msg []byte) *wechattest.WebhookReply {
	req, err := c.NewRequest(context.Background(), msg)
	if err != nil {
		log.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	reply, err := c.DecodeReply(rec.Code, rec.Body.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	return reply
}

func ExampleNewServer() {
	fake := wechattest.NewServer()
	defer fake.Close()
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		log.Fatal(err)
	}
	mux := message.NewMux()
	mux.HandleText(func(ctx context.Context, m *message.Message) message.Reply {
		return message.Text("you said: " + m.Content)
	})
	srv := message.NewServer(oa, mux) // an http.Handler: gin.WrapH(srv), http.Handle("/wechat", srv)

	// Safe mode: the push is encrypted, so is the reply.
	c := fake.WebhookClient("http://example.com/wechat", wechattest.ModeSafe)
	reply := push(srv, c, c.Text("oFollower", "你好 ]]> <&>"))
	fmt.Println(reply.Encrypted, reply.Message.ToUserName, reply.Message.Content)
	// Output:
	// true oFollower you said: 你好 ]]> <&>
}

func ExampleMux() {
	fake := wechattest.NewServer()
	defer fake.Close()
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		log.Fatal(err)
	}
	mux := message.NewMux()
	mux.HandleEvent(message.EventSubscribe, func(ctx context.Context, m *message.Message) message.Reply {
		if scene := m.Scene(); scene != "" {
			return message.Text("welcome, from QR scene " + scene)
		}
		return message.Text("welcome")
	})
	mux.HandleClick("V1001_TODAY_MUSIC", func(ctx context.Context, m *message.Message) message.Reply {
		return message.News(message.Article{Title: "Today's song", URL: "https://example.com/song"})
	})
	mux.Default(func(ctx context.Context, m *message.Message) message.Reply {
		return message.Text("unhandled " + string(m.MsgType) + "/" + string(m.Event))
	})
	srv := message.NewServer(oa, mux)

	c := fake.WebhookClient("http://example.com/wechat", wechattest.ModeSafe)
	fmt.Println(push(srv, c, c.Event("o1", "subscribe", "qrscene_42")).Message.Content)
	fmt.Println(push(srv, c, c.Event("o1", "CLICK", "V1001_TODAY_MUSIC")).Message.Articles[0].Title)
	fmt.Println(push(srv, c, c.Event("o1", "unsubscribe", "")).Message.Content)
	// Output:
	// welcome, from QR scene 42
	// Today's song
	// unhandled event/unsubscribe
}

func ExampleWithOnLateReply() {
	fake := wechattest.NewServer()
	defer fake.Close()
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		log.Fatal(err)
	}
	release := make(chan struct{})
	slow := message.HandlerFunc(func(ctx context.Context, m *message.Message) message.Reply {
		<-release // a slow call, still running when WeChat must be answered
		return message.Text("sorry for the wait")
	})
	late := make(chan message.Reply, 1)
	srv := message.NewServer(oa, slow,
		message.WithDeadline(10*time.Millisecond),
		message.WithOnLateReply(func(ctx context.Context, m *message.Message, r message.Reply) {
			late <- r // in production: send it with the customer-service API
		}))

	// Over HTTP, as WeChat calls: the answer leaves at the deadline, while the
	// handler, on the request's goroutine, is still running.
	web := httptest.NewServer(srv)
	defer web.Close()
	c := fake.WebhookClient(web.URL+"/wechat", wechattest.ModeSafe)
	reply, err := c.Send(context.Background(), c.Text("o1", "hi"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("WeChat got success:", reply.Success)
	close(release)
	fmt.Printf("late reply: %+v\n", <-late)
	// Output:
	// WeChat got success: true
	// late reply: {Content:sorry for the wait}
}
