package wechattest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/internal/wxcrypto"
	"github.com/wxkit/wechat/message"
)

// TestWebhookClientModes pushes to a real message.Server over loopback in
// every mode.
func TestWebhookClientModes(t *testing.T) {
	t.Parallel()
	fake, oa := Start(t)
	mux := message.NewMux()
	mux.HandleText(func(_ context.Context, m *message.Message) message.Reply { return message.Text(m.Content) })
	mux.HandleEvent(message.EventSubscribe, func(context.Context, *message.Message) message.Reply { return message.Text("welcome") })
	// All three modes to one server, as during a console switch between them.
	hook := httptest.NewServer(message.NewServer(oa, mux, message.WithAllowPlaintext()))
	t.Cleanup(hook.Close)

	for _, mode := range []Mode{ModePlaintext, ModeCompatible, ModeSafe} {
		c := fake.WebhookClient(hook.URL+"/wechat", mode)
		ctx := context.Background()
		if err := c.Verify(ctx); err != nil {
			t.Errorf("%s: Verify: %v", mode, err)
		}
		openID := "o-" + mode.String()
		reply, err := c.Send(ctx, c.Text(openID, "你好 ]]> <&>"))
		if err != nil {
			t.Fatalf("%s: Send: %v", mode, err)
		}
		if reply.Message.Content != "你好 ]]> <&>" || reply.Message.ToUserName != openID || reply.Encrypted != (mode != ModePlaintext) {
			t.Errorf("%s: reply = %+v (encrypted %v)", mode, reply.Message, reply.Encrypted)
		}
		if reply, err := c.Send(ctx, c.Event(openID, "subscribe", "")); err != nil || reply.Message.Content != "welcome" {
			t.Errorf("%s: subscribe reply = %+v, %v", mode, reply, err)
		}
		fake.mu.Lock()
		_, opened := fake.inbound[openID]
		fake.mu.Unlock()
		if !opened {
			t.Errorf("%s: delivering a message did not open %s's customer-service window", mode, openID)
		}
	}
}

// TestWebhookClientRetries: an attempt that times out is sent again, as WeChat
// does, up to Attempts. The transport decides which attempt hangs (until the
// client gives up) and answers the others at once, so the outcome does not
// depend on how fast a busy machine serves a request.
func TestWebhookClientRetries(t *testing.T) {
	t.Parallel()
	var attempts atomic.Int32
	hanging := &http.Client{Transport: testutil.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
		if attempts.Add(1) == 1 {
			<-r.Context().Done() // the first attempt gets no answer in time
			return nil, r.Context().Err()
		}
		return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("success")), Header: http.Header{}, Request: r}, nil
	})}
	cfg := WebhookConfig{URL: "http://webhook.test/wechat", AppID: SandboxAppID, Token: SandboxToken,
		Timeout: 50 * time.Millisecond, Attempts: 3, HTTPClient: hanging}
	c, err := NewWebhookClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	reply, err := c.Send(context.Background(), c.Text("o1", "x"))
	if err != nil || !reply.Success || attempts.Load() != 2 {
		t.Errorf("Send = %+v, %v after %d attempts; want success on the 2nd", reply, err, attempts.Load())
	}

	attempts.Store(0)
	cfg.Attempts = 1
	c, _ = NewWebhookClient(cfg)
	if _, err := c.Send(context.Background(), c.Text("o1", "x")); !errors.Is(err, context.DeadlineExceeded) || attempts.Load() != 1 {
		t.Errorf("Send without retries = %v after %d attempts, want DeadlineExceeded after 1", err, attempts.Load())
	}
}

func TestDecodeReplyRejects(t *testing.T) {
	t.Parallel()
	c, err := NewWebhookClient(WebhookConfig{URL: "http://x", AppID: SandboxAppID, Token: SandboxToken,
		EncodingAESKey: SandboxEncodingAESKey, Mode: ModeSafe})
	if err != nil {
		t.Fatal(err)
	}
	plainReply := []byte("<xml><ToUserName>o</ToUserName><MsgType>text</MsgType><Content>x</Content></xml>")
	key, _ := wxcrypto.DecodeAESKey(SandboxEncodingAESKey)
	ci, _ := wxcrypto.NewCipher(key)
	enc, _ := ci.Encrypt(plainReply, SandboxAppID)
	env := func(sig string) []byte {
		return []byte("<xml><Encrypt><![CDATA[" + string(enc) + "]]></Encrypt><MsgSignature>" + sig +
			"</MsgSignature><TimeStamp>1</TimeStamp><Nonce>2</Nonce></xml>")
	}
	good := wxcrypto.Signature(SandboxToken, "1", "2", string(enc))
	if r, err := c.DecodeReply(200, env(good)); err != nil || r.Message.Content != "x" {
		t.Fatalf("DecodeReply(good) = %+v, %v", r, err)
	}
	var se *StatusError
	if _, err := c.DecodeReply(500, nil); !errors.As(err, &se) || se.StatusCode != 500 {
		t.Errorf("DecodeReply(500) = %v, want a StatusError", err)
	}
	for name, body := range map[string][]byte{
		"plain reply in safe mode": plainReply,
		"wrong MsgSignature":       env(wxcrypto.Signature("other", "1", "2", string(enc))),
		"JSON":                     []byte(`{"Content":"x"}`),
	} {
		if _, err := c.DecodeReply(200, body); !errors.Is(err, ErrBadReply) {
			t.Errorf("DecodeReply(%s) = %v, want ErrBadReply", name, err)
		}
	}
}

// TestWebhookClientKinds: every builder makes a push that message parses into
// the fields it was given.
func TestWebhookClientKinds(t *testing.T) {
	t.Parallel()
	fake, oa := Start(t)
	seen := make(chan *message.Message, 1)
	srv := message.NewServer(oa, message.HandlerFunc(func(_ context.Context, m *message.Message) message.Reply {
		seen <- m
		return nil
	}))
	hook := httptest.NewServer(srv)
	t.Cleanup(hook.Close)
	c := fake.WebhookClient(hook.URL, ModeSafe)
	tests := []struct {
		name  string
		msg   []byte
		check func(m *message.Message) bool
	}{
		{"image", c.Image("o1", "http://mmbiz.qpic.cn/x.jpg", "media-1"), func(m *message.Message) bool {
			return m.MsgType == message.MsgTypeImage && m.PicURL == "http://mmbiz.qpic.cn/x.jpg" && m.MediaID == "media-1" && m.MsgID != 0
		}},
		{"voice", c.Voice("o1", "media-2", "amr", "你好"), func(m *message.Message) bool {
			return m.MsgType == message.MsgTypeVoice && m.MediaID == "media-2" && m.Format == "amr" && m.Recognition == "你好"
		}},
		{"location", c.Location("o1", 23.134521, 113.358803, 20, "广州塔"), func(m *message.Message) bool {
			return m.MsgType == message.MsgTypeLocation && m.LocationX == 23.134521 && m.LocationY == 113.358803 && m.Scale == 20 && m.Label == "广州塔"
		}},
		{"link", c.Link("o1", "标题", "描述 <&>", "https://example.com/a?b=1&c=2"), func(m *message.Message) bool {
			return m.MsgType == message.MsgTypeLink && m.Title == "标题" && m.Description == "描述 <&>" && m.URL == "https://example.com/a?b=1&c=2"
		}},
		{"event constant", c.Event("o1", message.EventClick, "V1001"), func(m *message.Message) bool {
			return m.MsgType == message.MsgTypeEvent && m.Event == message.EventClick && m.EventKey == "V1001"
		}},
	}
	for _, tt := range tests {
		if _, err := c.Send(context.Background(), tt.msg); err != nil {
			t.Fatalf("%s: Send: %v", tt.name, err)
		}
		if m := <-seen; !tt.check(m) || m.FromUserName != "o1" {
			t.Errorf("%s: the handler saw %+v", tt.name, m)
		}
	}
}
