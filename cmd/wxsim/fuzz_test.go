package main

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/message"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

// FuzzJudge feeds the reply judge what a bot might answer: it must never
// panic, always conclude, and draw something exactly when it says "reply".
func FuzzJudge(f *testing.F) {
	sim, err := New(Config{Webhook: "http://127.0.0.1:1/wechat"})
	if err != nil {
		f.Fatal(err)
	}
	testutil.Shutdown(f, sim)
	// A real encrypted reply, and plain ones of each type.
	oa, err := officialaccount.New(officialaccount.Config{AppID: wechattest.SandboxAppID, Token: wechattest.SandboxToken,
		EncodingAESKey: wechattest.SandboxEncodingAESKey})
	if err != nil {
		f.Fatal(err)
	}
	mux := message.NewMux()
	mux.HandleText(func(_ context.Context, m *message.Message) message.Reply { return message.Text(m.Content) })
	c := sim.fake.WebhookClient("http://127.0.0.1:1/wechat", wechattest.ModeSafe)
	req, err := c.NewRequest(context.Background(), c.Text("o1", "hi"))
	if err != nil {
		f.Fatal(err)
	}
	rec := httptest.NewRecorder()
	message.NewServer(oa, mux).ServeHTTP(rec, req)
	f.Add(rec.Body.Bytes(), uint8(2), false)
	for _, body := range []string{
		"success", "", `{"errcode":0}`, "<xml><Encrypt>abc</Encrypt></xml>",
		"<xml><ToUserName>o1</ToUserName><FromUserName>gh</FromUserName><MsgType>text</MsgType><Content>x</Content></xml>",
		"<xml><ToUserName>o1</ToUserName><MsgType>news</MsgType><ArticleCount>1</ArticleCount><Articles><item><Title>t</Title></item></Articles></xml>",
		"<xml><ToUserName>o1</ToUserName><MsgType>image</MsgType><Image><MediaId>m</MediaId></Image></xml>",
		`<!DOCTYPE x [<!ENTITY a "b">]><xml><ToUserName>o1</ToUserName><MsgType>text</MsgType></xml>`,
	} {
		f.Add([]byte(body), uint8(0), true)
	}
	clients := []*wechattest.WebhookClient{
		sim.fake.WebhookClient("http://127.0.0.1:1/wechat", wechattest.ModePlaintext),
		sim.fake.WebhookClient("http://127.0.0.1:1/wechat", wechattest.ModeCompatible),
		c,
	}
	f.Fuzz(func(t *testing.T, body []byte, mode uint8, event bool) {
		m := wechattest.Mode(mode % 3)
		ex := &exchange{OpenID: "o1", Mode: m.String(), Sent: sent{Type: "text"}, Attempts: []attempt{{N: 1, Status: 200}}}
		if event {
			ex.Sent.Type = "event"
		}
		j := sim.judge(clients[m], ex, result{status: 200, body: body})
		switch j.outcome {
		case "reply":
			if len(j.bubbles) != 1 || j.problem != "" {
				t.Errorf("reply with %d bubbles and problem %q", len(j.bubbles), j.problem)
			}
		case "silent", "fallback":
			if len(j.bubbles) != 0 || (j.outcome == "fallback") != (j.problem != "") {
				t.Errorf("%s with %d bubbles and problem %q", j.outcome, len(j.bubbles), j.problem)
			}
		default:
			t.Errorf("outcome %q", j.outcome)
		}
		for _, v := range j.verdicts {
			if !strings.Contains("ok fail warn info", v.State) || v.Name == "" {
				t.Errorf("verdict %+v", v)
			}
		}
	})
}
