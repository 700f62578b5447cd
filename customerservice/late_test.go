package customerservice_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/wxkit/wechat/customerservice"
	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/message"
	"github.com/wxkit/wechat/wechattest"
)

// A handler that misses the deadline: WeChat gets "success" at once, and the
// follower gets the reply as a customer-service message when the handler is done.
func TestOnLateReplyEndToEnd(t *testing.T) {
	t.Parallel()
	fake, oa := wechattest.Start(t)
	openID := fake.AddFollower(wechattest.Follower{OpenID: "oLateFollower0000000000000001"})

	release := make(chan struct{})
	mux := message.NewMux()
	mux.HandleText(func(ctx context.Context, m *message.Message) message.Reply {
		<-release // slower than the deadline
		return message.Text("late: " + m.Content)
	})
	srv := message.NewServer(oa, mux,
		message.WithDeadline(20*time.Millisecond),
		message.WithOnLateReply(customerservice.New(oa).OnLateReply))
	web := httptest.NewServer(srv)
	t.Cleanup(web.Close)

	for _, mode := range []wechattest.Mode{wechattest.ModeCompatible, wechattest.ModeSafe} {
		client := fake.WebhookClient(web.URL, mode)
		reply, err := client.Send(t.Context(), client.Text(openID, "hello "+mode.String()))
		if err != nil {
			t.Fatal(err)
		}
		if !reply.Success {
			t.Fatalf("%v: reply = %s, want success at the deadline", mode, reply.Body)
		}
	}
	close(release)
	waitSent(t, fake, 2)
	for i, want := range []string{"late: hello " + wechattest.ModeCompatible.String(), "late: hello " + wechattest.ModeSafe.String()} {
		got := findText(fake.SentMessages(), want)
		if got == nil || got.ToUser != openID {
			t.Errorf("late reply %d: no customer-service text %q to %s in %+v", i, want, openID, fake.SentMessages())
		}
	}
}

func TestSendReplyMapsEveryReply(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		reply     message.Reply
		wantTypes []string
		wantErr   error
	}{
		{"text", message.Text("hi"), []string{"text"}, nil},
		{"image", message.Image("media1"), []string{"image"}, nil},
		{"voice", message.Voice("media1"), []string{"voice"}, nil},
		{"video", message.Video("media1", "t", "d"), []string{"video"}, nil},
		{"music", message.Music("t", "d", "http://m", "http://hq", "thumb1"), []string{"music"}, nil},
		{"news of two", message.News(
			message.Article{Title: "a", URL: "https://example.com/a"},
			message.Article{Title: "b", URL: "https://example.com/b"}), []string{"news", "news"}, nil},
		{"no reply", message.NoReply(), nil, nil},
		{"nil", nil, nil, nil},
		{"transfer", message.TransferCustomerService(""), nil, customerservice.ErrNotDeliverable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake, oa := wechattest.Start(t)
			openID := fake.AddFollower(wechattest.Follower{OpenID: "oMapFollower00000000000000001"})
			fake.OpenWindow(openID)
			err := customerservice.New(oa).SendReply(t.Context(), openID, tt.reply)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("SendReply error = %v, want %v", err, tt.wantErr)
			}
			sent := fake.SentMessages()
			if len(sent) != len(tt.wantTypes) {
				t.Fatalf("sent %d messages, want %d", len(sent), len(tt.wantTypes))
			}
			for i, m := range sent {
				if m.MsgType != tt.wantTypes[i] || m.ToUser != openID {
					t.Errorf("message %d = %s to %s, want %s to %s", i, m.MsgType, m.ToUser, tt.wantTypes[i], openID)
				}
			}
		})
	}
}

func TestSendReplyOutsideWindow(t *testing.T) {
	t.Parallel()
	fake, oa := wechattest.Start(t)
	openID := fake.AddFollower(wechattest.Follower{OpenID: "oWindowFollower000000000000001"})
	fake.OpenWindow(openID)
	fake.Advance(49 * time.Hour)
	err := customerservice.New(oa).SendReply(t.Context(), openID, message.Text("too late"))
	if !errors.Is(err, customerservice.ErrOutsideWindow) {
		t.Fatalf("SendReply 49 h later = %v, want ErrOutsideWindow", err)
	}
}

func waitSent(t *testing.T, fake *wechattest.Server, n int) {
	t.Helper()
	if !testutil.Eventually(func() bool { return len(fake.SentMessages()) >= n }) {
		t.Fatalf("sent %d customer-service messages, want %d", len(fake.SentMessages()), n)
	}
}

func findText(sent []wechattest.SentMessage, content string) *wechattest.SentMessage {
	for i := range sent {
		if sent[i].MsgType == "text" && sent[i].Content == content {
			return &sent[i]
		}
	}
	return nil
}
