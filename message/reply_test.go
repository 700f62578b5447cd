package message

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wxkit/wechat/wechattest"
)

func TestReplies(t *testing.T) {
	t.Parallel()
	one := Article{Title: "t1", Description: "d1", PicURL: "https://p/1.jpg", URL: "https://u/1?a=1&b=2"}
	two := Article{Title: "t2", URL: "https://u/2"}
	tests := []struct {
		name  string
		event bool // answer an event instead of a text message
		reply Reply
		check func(r wechattest.ReplyMessage) bool
	}{
		{"text", false, Text("hello\nworld"), func(r wechattest.ReplyMessage) bool {
			return r.MsgType == "text" && r.Content == "hello\nworld"
		}},
		{"image", false, Image("m-img"), func(r wechattest.ReplyMessage) bool {
			return r.MsgType == "image" && r.Image.MediaID == "m-img"
		}},
		{"voice", false, Voice("m-voice"), func(r wechattest.ReplyMessage) bool {
			return r.MsgType == "voice" && r.Voice.MediaID == "m-voice"
		}},
		{"video", false, Video("m-video", "标题", "说明"), func(r wechattest.ReplyMessage) bool {
			return r.MsgType == "video" && r.Video.MediaID == "m-video" && r.Video.Title == "标题" && r.Video.Description == "说明"
		}},
		{"music", false, Music("song", "desc", "http://m/1.mp3", "http://m/1hq.mp3", "thumb"), func(r wechattest.ReplyMessage) bool {
			m := r.Music
			return r.MsgType == "music" && m.Title == "song" && m.Description == "desc" && m.MusicURL == "http://m/1.mp3" &&
				m.HQMusicURL == "http://m/1hq.mp3" && m.ThumbMediaID == "thumb"
		}},
		{"news one article", false, News(one), func(r wechattest.ReplyMessage) bool {
			return r.MsgType == "news" && r.ArticleCount == 1 && len(r.Articles) == 1 && r.Articles[0].Title == "t1" &&
				r.Articles[0].Description == "d1" && r.Articles[0].PicURL == one.PicURL && r.Articles[0].URL == one.URL
		}},
		{"news two articles to an event", true, News(one, two), func(r wechattest.ReplyMessage) bool {
			return r.MsgType == "news" && r.ArticleCount == 2 && len(r.Articles) == 2 && r.Articles[1].URL == "https://u/2"
		}},
		{"transfer to any agent", false, TransferCustomerService(""), func(r wechattest.ReplyMessage) bool {
			return r.MsgType == "transfer_customer_service" && r.TransInfo.KfAccount == ""
		}},
		{"transfer to one agent", false, TransferCustomerService("test1@test"), func(r wechattest.ReplyMessage) bool {
			return r.MsgType == "transfer_customer_service" && r.TransInfo.KfAccount == "test1@test"
		}},
	}
	for _, tt := range tests {
		for _, mode := range modes {
			t.Run(tt.name+"/"+mode.String(), func(t *testing.T) {
				t.Parallel()
				hs := newHarness(t, HandlerFunc(func(context.Context, *Message) Reply { return tt.reply }))
				c := hs.client(mode)
				msg := c.Text("o-user", "hi")
				if tt.event {
					msg = c.Event("o-user", "subscribe", "")
				}
				got := hs.push(t, mode, msg).Message
				if !tt.check(got) {
					t.Errorf("reply = %+v", got)
				}
				if got.ToUserName != "o-user" || got.FromUserName != wechattest.SandboxOriginalID {
					t.Errorf("reply ids = to %q from %q, want swapped", got.ToUserName, got.FromUserName)
				}
			})
		}
	}
}

// TestInvalidRepliesAnswerSuccess: a reply WeChat would refuse is logged and
// replaced by "success", so the follower never sees an error.
func TestInvalidRepliesAnswerSuccess(t *testing.T) {
	t.Parallel()
	nine := make([]Article, 9)
	tests := []struct {
		name  string
		event bool
		reply Reply
	}{
		{"two articles to a message", false, News(Article{Title: "a"}, Article{Title: "b"})},
		{"nine articles to an event", true, News(nine...)},
		{"no articles", true, News()},
		{"music without thumb", false, Music("t", "d", "u", "hq", "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hs := newHarness(t, HandlerFunc(func(context.Context, *Message) Reply { return tt.reply }))
			c := hs.client(wechattest.ModePlaintext)
			msg := c.Text("o1", "hi")
			if tt.event {
				msg = c.Event("o1", "CLICK", "k")
			}
			if reply := hs.push(t, wechattest.ModePlaintext, msg); !reply.Success {
				t.Errorf("answer = %q, want success", reply.Body)
			}
			if !strings.Contains(hs.logs.String(), "reply not sent") {
				t.Errorf("log = %q, want the invalid reply logged", hs.logs)
			}
		})
	}
	if err := validate(News(nine[:8]...), &Message{MsgType: MsgTypeEvent}); err != nil {
		t.Errorf("validate(8 articles to an event) = %v, want nil", err)
	}
	if err := validate(News(nine...), &Message{MsgType: MsgTypeEvent}); !errors.Is(err, ErrInvalidReply) {
		t.Errorf("validate(9 articles) = %v, want ErrInvalidReply", err)
	}
}

// TestReplyTextEscaping: whatever a follower typed, echoing it yields a reply
// WeChat can parse, in every mode.
func TestReplyTextEscaping(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"cdata end", "a]]>b", "a]]>b"},
		{"cdata end twice", "]]>]]>", "]]>]]>"},
		{"brackets", "]] ] ]>", "]] ] ]>"},
		{"markup", "<b>&amp;</b> & <", "<b>&amp;</b> & <"},
		{"cjk and emoji", "价格 😀👍", "价格 😀👍"},
		{"invalid utf-8", "a\xffb\xc3", "a\uFFFDb\uFFFD"},
		{"control characters", "a\x00b\x07c\td\ne\x1b", "ab" + "c\td\ne"},
		{"non-characters", "a\uFFFEb\uFFFF", "ab"},
		{"control character inside ]]>", "]]\x00>0", "]]>0"},
	}
	for _, tt := range tests {
		for _, mode := range modes {
			t.Run(tt.name+"/"+mode.String(), func(t *testing.T) {
				t.Parallel()
				hs := newHarness(t, HandlerFunc(func(context.Context, *Message) Reply { return Text(tt.in) }))
				c := hs.client(mode)
				got := hs.push(t, mode, c.Text("o1", "x")).Message.Content
				if got != tt.want {
					t.Errorf("echo of %q = %q, want %q", tt.in, got, tt.want)
				}
			})
		}
	}
}

// TestEchoRoundTrip: a follower's text comes back unchanged, ]]> and all.
func TestEchoRoundTrip(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, HandlerFunc(func(_ context.Context, m *Message) Reply { return Text(m.Content) }))
	for _, mode := range modes {
		c := hs.client(mode)
		for _, s := range []string{"价格<100元 & 包邮 ]]> 下单吧 😀👍", "多行\n文本", " lead and trail "} {
			if got := hs.push(t, mode, c.Text("o1", s)).Message.Content; got != s {
				t.Errorf("%s: echo = %q, want %q", mode, got, s)
			}
		}
	}
}

func TestAppendCDATAAllocs(t *testing.T) {
	b := make([]byte, 0, 256)
	if n := testing.AllocsPerRun(100, func() { b = appendCDATA(b[:0], "价格 ]]> 😀") }); n != 0 {
		t.Errorf("appendCDATA allocates %.0f times, want 0", n)
	}
}

func TestContentTypes(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, HandlerFunc(func(context.Context, *Message) Reply { return Text("x") }))
	c := hs.client(wechattest.ModeSafe)
	req, _ := c.NewRequest(context.Background(), c.Text("o1", "x"))
	rec := httptest.NewRecorder()
	hs.srv.ServeHTTP(rec, req)
	if ct := rec.Header().Get("Content-Type"); rec.Code != http.StatusOK || ct != "text/xml; charset=utf-8" {
		t.Errorf("reply = %d %q, want 200 text/xml", rec.Code, ct)
	}
}
