package customerservice_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/customerservice"
	"github.com/wxkit/wechat/wechattest"
)

func TestServiceSend(t *testing.T) {
	t.Parallel()
	link := customerservice.MiniProgramLink("点击跳小程序", "http://www.qq.com/?a=1&b=2", "wxapp123", "pages/index/index")
	tests := []struct {
		name     string
		msg      customerservice.Message
		opts     []customerservice.SendOption
		wantBody string // the whole JSON body sent
	}{
		{"text", customerservice.Text{Content: "Hello World"}, nil,
			`{"touser":"o1","msgtype":"text","text":{"content":"Hello World"}}`},
		{"text with mini-program link", customerservice.Text{Content: "go " + link}, nil,
			`{"touser":"o1","msgtype":"text","text":{"content":"go <a href=\"http://www.qq.com/?a=1&b=2\" data-miniprogram-appid=\"wxapp123\" data-miniprogram-path=\"pages/index/index\">点击跳小程序</a>"}}`},
		{"as kf account", customerservice.Text{Content: "hi"}, []customerservice.SendOption{customerservice.As("kf1@test")},
			`{"touser":"o1","msgtype":"text","text":{"content":"hi"},"customservice":{"kf_account":"kf1@test"}}`},
		{"image", customerservice.Image{MediaID: "M1"}, nil,
			`{"touser":"o1","msgtype":"image","image":{"media_id":"M1"}}`},
		{"voice", customerservice.Voice{MediaID: "M2"}, nil,
			`{"touser":"o1","msgtype":"voice","voice":{"media_id":"M2"}}`},
		{"video", customerservice.Video{MediaID: "M3", ThumbMediaID: "T3", Title: "t", Description: "d"}, nil,
			`{"touser":"o1","msgtype":"video","video":{"media_id":"M3","thumb_media_id":"T3","title":"t","description":"d"}}`},
		{"music", customerservice.Music{Title: "t", Description: "d", MusicURL: "http://m", HQMusicURL: "http://hq", ThumbMediaID: "T"}, nil,
			`{"touser":"o1","msgtype":"music","music":{"title":"t","description":"d","musicurl":"http://m","hqmusicurl":"http://hq","thumb_media_id":"T"}}`},
		{"news", customerservice.News{Title: "t", Description: "d", URL: "http://u/?x=1&y=2", PicURL: "http://p"}, nil,
			`{"touser":"o1","msgtype":"news","news":{"articles":[{"title":"t","description":"d","url":"http://u/?x=1&y=2","picurl":"http://p"}]}}`},
		{"mpnews", customerservice.MPNews{MediaID: "M4"}, nil,
			`{"touser":"o1","msgtype":"mpnews","mpnews":{"media_id":"M4"}}`},
		{"mpnewsarticle", customerservice.MPNewsArticle{ArticleID: "A1"}, nil,
			`{"touser":"o1","msgtype":"mpnewsarticle","mpnewsarticle":{"article_id":"A1"}}`},
		{"msgmenu", customerservice.MsgMenu{Head: "您对本次服务是否满意呢? ", Items: []customerservice.MenuItem{{ID: "101", Content: "满意"}, {ID: "102", Content: "不满意"}}, Tail: "欢迎再次光临"}, nil,
			`{"touser":"o1","msgtype":"msgmenu","msgmenu":{"head_content":"您对本次服务是否满意呢? ","list":[{"id":"101","content":"满意"},{"id":"102","content":"不满意"}],"tail_content":"欢迎再次光临"}}`},
		{"wxcard", customerservice.WxCard{CardID: "123dsdajkasd231jhksad"}, nil,
			`{"touser":"o1","msgtype":"wxcard","wxcard":{"card_id":"123dsdajkasd231jhksad"}}`},
		{"miniprogrampage", customerservice.MiniProgramPage{Title: "title", AppID: "appid", PagePath: "pagepath", ThumbMediaID: "thumb"}, nil,
			`{"touser":"o1","msgtype":"miniprogrampage","miniprogrampage":{"title":"title","appid":"appid","pagepath":"pagepath","thumb_media_id":"thumb"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake, svc := newService(t)
			fake.AddFollower(wechattest.Follower{OpenID: "o1"})
			fake.OpenWindow("o1")
			if err := svc.AddAccount(t.Context(), "kf1@test", "客服1"); err != nil {
				t.Fatal(err)
			}
			if err := svc.Send(t.Context(), "o1", tt.msg, tt.opts...); err != nil {
				t.Fatalf("Send(%s): %v", tt.msg.MsgType(), err)
			}
			sent := fake.SentMessages()
			if len(sent) != 1 {
				t.Fatalf("the platform recorded %d messages, want 1", len(sent))
			}
			if m := sent[0]; m.ToUser != "o1" || m.MsgType != string(tt.msg.MsgType()) || !sameJSON(t, m.Body, []byte(tt.wantBody)) {
				t.Errorf("sent %s %s: %s\nwant %s", m.ToUser, m.MsgType, m.Body, tt.wantBody)
			}
			if bytes.Contains(sent[0].Body, []byte(`\u00`)) {
				t.Errorf("body has escapes: %s", sent[0].Body)
			}
		})
	}
}

func TestServiceSendLocalErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		to     string
		msg    customerservice.Message
		errHas string
	}{
		{"empty openid", "", customerservice.Text{Content: "x"}, "empty openid"},
		{"nil message", "o1", nil, "nil message"},
		{"empty text", "o1", customerservice.Text{}, "text: empty content"},
		{"image without media", "o1", customerservice.Image{}, "image: empty media id"},
		{"video without media", "o1", customerservice.Video{Title: "t"}, "video"},
		{"music without thumb", "o1", customerservice.Music{MusicURL: "http://m"}, "music"},
		{"news without url", "o1", customerservice.News{Title: "t"}, "news"},
		{"mpnewsarticle without id", "o1", customerservice.MPNewsArticle{}, "mpnewsarticle"},
		{"msgmenu without items", "o1", customerservice.MsgMenu{Head: "h"}, "msgmenu: no items"},
		{"msgmenu item without id", "o1", customerservice.MsgMenu{Items: []customerservice.MenuItem{{Content: "a"}}}, "items[0]"},
		{"wxcard without id", "o1", customerservice.WxCard{}, "wxcard"},
		{"miniprogrampage without appid", "o1", customerservice.MiniProgramPage{PagePath: "p", ThumbMediaID: "t"}, "miniprogrampage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake, svc := newService(t)
			err := svc.Send(t.Context(), tt.to, tt.msg)
			if err == nil || !strings.Contains(err.Error(), tt.errHas) || wechat.Code(err) != wechat.CodeNotWeChat {
				t.Fatalf("Send = %v, want a local error mentioning %q", err, tt.errHas)
			}
			if tt.to == "" && !errors.Is(err, customerservice.ErrEmptyOpenID) {
				t.Errorf("Send to \"\" = %v, want ErrEmptyOpenID", err)
			}
			if n := fake.Calls("/cgi-bin/message/custom/send"); n != 0 {
				t.Errorf("Send sent %d requests, want none", n)
			}
		})
	}
}

func TestServiceSendWindow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		setup      func(fake *wechattest.Server)
		to         string
		opts       []customerservice.SendOption
		wantCode   int
		wantWindow bool // errors.Is(err, ErrOutsideWindow)
	}{
		{"wrote just now", func(f *wechattest.Server) { f.OpenWindow("o1") }, "o1", nil, 0, false},
		{"wrote 47 hours ago", func(f *wechattest.Server) { f.OpenWindow("o1"); f.Advance(47 * time.Hour) }, "o1", nil, 0, false},
		{"wrote 49 hours ago", func(f *wechattest.Server) { f.OpenWindow("o1"); f.Advance(49 * time.Hour) }, "o1", nil, wechat.CodeReplyWindowExpired, true},
		{"never wrote", func(*wechattest.Server) {}, "o1", nil, wechat.CodeReplyWindowExpired, true},
		{"unfollowed", func(f *wechattest.Server) { f.OpenWindow("o1"); f.Unfollow("o1") }, "o1", nil, wechat.CodeReplyWindowExpired, true},
		{"unknown openid", func(*wechattest.Server) {}, "nobody", nil, wechat.CodeInvalidOpenID, false},
		{"unknown kf account", func(f *wechattest.Server) { f.OpenWindow("o1") }, "o1", []customerservice.SendOption{customerservice.As("ghost@test")}, wechat.CodeInvalidKfAccount, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake, svc := newService(t)
			fake.AddFollower(wechattest.Follower{OpenID: "o1"})
			tt.setup(fake)
			err := svc.Send(t.Context(), tt.to, customerservice.Text{Content: "hi"}, tt.opts...)
			if code := wechat.Code(err); code != tt.wantCode {
				t.Fatalf("Send errcode = %d, want %d (err: %v)", code, tt.wantCode, err)
			}
			if got := errors.Is(err, customerservice.ErrOutsideWindow); got != tt.wantWindow {
				t.Fatalf("errors.Is(%v, ErrOutsideWindow) = %v, want %v", err, got, tt.wantWindow)
			}
			if tt.wantWindow && !strings.Contains(err.Error(), "template message") {
				t.Errorf("error %q does not say what to do", err)
			}
			if n := len(fake.SentMessages()); (n == 1) != (tt.wantCode == 0) {
				t.Errorf("the platform recorded %d messages", n)
			}
		})
	}
}

func TestServiceSendBlacklisted(t *testing.T) {
	t.Parallel()
	fake, svc := newService(t)
	oa := fake.Account(t)
	fake.AddFollower(wechattest.Follower{OpenID: "o1"})
	fake.OpenWindow("o1")
	if err := oa.PostJSON(t.Context(), "/cgi-bin/tags/members/batchblacklist", nil, map[string]any{"openid_list": []string{"o1"}}, nil); err != nil {
		t.Fatal(err)
	}
	err := svc.Send(t.Context(), "o1", customerservice.Text{Content: "hi"})
	if code := wechat.Code(err); code != wechat.CodeBlacklisted {
		t.Errorf("Send to a blocked user errcode = %d, want %d (err: %v)", code, wechat.CodeBlacklisted, err)
	}
}

// TestFakeSendChecks sends bodies the typed API cannot build, to check the
// platform's own validation.
func TestFakeSendChecks(t *testing.T) {
	t.Parallel()
	article := map[string]string{"title": "t", "url": "http://u"}
	tests := []struct {
		name     string
		body     map[string]any
		wantCode int
	}{
		{"two news articles", map[string]any{"touser": "o1", "msgtype": "news", "news": map[string]any{"articles": []any{article, article}}}, wechat.CodeTooManyArticles},
		{"no news articles", map[string]any{"touser": "o1", "msgtype": "news", "news": map[string]any{"articles": []any{}}}, wechat.CodeNewsEmpty},
		{"unknown msgtype", map[string]any{"touser": "o1", "msgtype": "hologram", "hologram": map[string]any{}}, wechat.CodeInvalidMessageType},
		{"empty text", map[string]any{"touser": "o1", "msgtype": "text", "text": map[string]any{"content": ""}}, wechat.CodeTextEmpty},
		{"missing text", map[string]any{"touser": "o1", "msgtype": "text"}, wechat.CodeTextEmpty},
		{"image without media", map[string]any{"touser": "o1", "msgtype": "image", "image": map[string]any{}}, wechat.CodeInvalidMediaID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := wechattest.NewServer()
			t.Cleanup(fake.Close)
			fake.AddFollower(wechattest.Follower{OpenID: "o1"})
			fake.OpenWindow("o1")
			err := fake.Account(t).PostJSON(t.Context(), "/cgi-bin/message/custom/send", nil, tt.body, nil)
			if code := wechat.Code(err); code != tt.wantCode {
				t.Errorf("errcode = %d, want %d (err: %v)", code, tt.wantCode, err)
			}
		})
	}
}

// TestServiceSendAfterPush checks that a message pushed through the platform's
// webhook client opens the window, as a follower writing does.
func TestServiceSendAfterPush(t *testing.T) {
	t.Parallel()
	fake, svc := newService(t)
	fake.AddFollower(wechattest.Follower{OpenID: "o1"})
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("success"))
	}))
	t.Cleanup(hook.Close)

	if err := svc.Send(t.Context(), "o1", customerservice.Text{Content: "before"}); !errors.Is(err, customerservice.ErrOutsideWindow) {
		t.Fatalf("Send before any message = %v, want ErrOutsideWindow", err)
	}
	client := fake.WebhookClient(hook.URL, wechattest.ModePlaintext)
	if _, err := client.Send(t.Context(), client.Text("o1", "hello")); err != nil {
		t.Fatalf("push: %v", err)
	}
	if err := svc.Send(t.Context(), "o1", customerservice.Text{Content: "after"}); err != nil {
		t.Errorf("Send after the follower wrote: %v", err)
	}
}
