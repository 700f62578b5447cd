package customerservice_test

import (
	"context"
	"testing"
	"time"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/customerservice"
	"github.com/wxkit/wechat/wechattest"
)

func TestServiceTyping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		setup      func(ctx context.Context, fake *wechattest.Server, svc *customerservice.Service)
		cancel     bool
		wantCode   int
		wantTyping bool
	}{
		{"just wrote", func(_ context.Context, f *wechattest.Server, _ *customerservice.Service) { f.OpenWindow("o1") }, false, 0, true},
		{"wrote 31 s ago", func(_ context.Context, f *wechattest.Server, _ *customerservice.Service) {
			f.OpenWindow("o1")
			f.Advance(31 * time.Second)
		}, false, wechat.CodeTypingNoInteraction, false},
		{"already typing", func(ctx context.Context, f *wechattest.Server, s *customerservice.Service) {
			f.OpenWindow("o1")
			_ = s.Typing(ctx, "o1")
		}, false, wechat.CodeTypingAlreadyTyping, true},
		{"typing ended after 15 s", func(ctx context.Context, f *wechattest.Server, s *customerservice.Service) {
			f.OpenWindow("o1")
			_ = s.Typing(ctx, "o1")
			f.Advance(16 * time.Second)
		}, false, 0, true},
		{"cancel", func(ctx context.Context, f *wechattest.Server, s *customerservice.Service) {
			f.OpenWindow("o1")
			_ = s.Typing(ctx, "o1")
		}, true, 0, false},
		{"a message ends typing", func(ctx context.Context, f *wechattest.Server, s *customerservice.Service) {
			f.OpenWindow("o1")
			_ = s.Typing(ctx, "o1")
			_ = s.Send(ctx, "o1", customerservice.Text{Content: "done"})
		}, true, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake, svc := newService(t)
			fake.AddFollower(wechattest.Follower{OpenID: "o1"})
			tt.setup(t.Context(), fake, svc)
			call := svc.Typing
			if tt.cancel {
				call = svc.CancelTyping
			}
			err := call(t.Context(), "o1")
			if code := wechat.Code(err); code != tt.wantCode {
				t.Fatalf("errcode = %d, want %d (err: %v)", code, tt.wantCode, err)
			}
			if got := fake.IsTyping("o1"); got != tt.wantTyping {
				t.Errorf("IsTyping = %v, want %v", got, tt.wantTyping)
			}
		})
	}
}

func TestFakeTypingChecks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, to, command string
		wantCode          int
	}{
		{"bad command", "o1", "typing", wechat.CodeTypingInvalidCommand},
		{"unknown openid", "nobody", "Typing", wechat.CodeInvalidOpenID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := wechattest.NewServer()
			t.Cleanup(fake.Close)
			fake.AddFollower(wechattest.Follower{OpenID: "o1"})
			fake.OpenWindow("o1")
			err := fake.Account(t).PostJSON(t.Context(), "/cgi-bin/message/custom/typing", nil, map[string]string{"touser": tt.to, "command": tt.command}, nil)
			if code := wechat.Code(err); code != tt.wantCode {
				t.Errorf("errcode = %d, want %d (err: %v)", code, tt.wantCode, err)
			}
		})
	}
}
