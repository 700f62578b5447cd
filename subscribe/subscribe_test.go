package subscribe_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/message"
	"github.com/wxkit/wechat/subscribe"
	"github.com/wxkit/wechat/wechattest"
)

// orderShipped is the fake library's public template 99 (订单发货通知) with
// keywords 1 thing, 2 character_string, 3 time, 5 amount.
func orderShipped(t *testing.T, svc *subscribe.Service) string {
	t.Helper()
	id, err := svc.Templates().Add(t.Context(), 99, []int{1, 2, 3, 5}, "发货提醒")
	if err != nil {
		t.Fatal(err)
	}
	return id
}

var shipped = map[string]string{"thing1": "iPhone 15", "character_string2": "SO20240101", "time3": "2024年1月1日 12:00", "amount5": "¥5999.00"}

func TestSendNeedsConsent(t *testing.T) {
	t.Parallel()
	fake, oa := wechattest.Start(t)
	svc := subscribe.New(oa)
	events := make(chan *message.Message, 4)
	mux := message.NewMux()
	mux.Default(func(_ context.Context, m *message.Message) message.Reply { events <- m; return nil })
	hook := httptest.NewServer(message.NewServer(oa, mux, message.WithClock(fake.Now)))
	t.Cleanup(hook.Close)
	fake.SetWebhook(hook.URL, wechattest.ModeSafe)

	openID := fake.AddFollower(wechattest.Follower{})
	tid := orderShipped(t, svc)
	msg := subscribe.Message{ToUser: openID, TemplateID: tid, Data: shipped, Page: "https://example.com/orders/1"}

	err := svc.Send(t.Context(), msg)
	if !errors.Is(err, subscribe.ErrNoConsent) || wechat.Code(err) != wechat.CodeUserRefused {
		t.Fatalf("Send without consent = %v, want ErrNoConsent carrying 43101", err)
	}

	fake.AcceptSubscription(openID, tid, false) // one-time: one message
	if m := next(t, events); m.Event != message.EventSubscribeMsgPopup || m.SubscribeMsgs[0].TemplateID != tid || m.SubscribeMsgs[0].SubscribeStatusString != "accept" {
		t.Errorf("popup event = %+v", m)
	}
	if err := svc.Send(t.Context(), msg); err != nil {
		t.Fatalf("Send after consent: %v", err)
	}
	if m := next(t, events); m.Event != message.EventSubscribeMsgSent || m.SubscribeMsgs[0].ErrorCode != 0 {
		t.Errorf("sent event = %+v", m)
	}
	if err := svc.Send(t.Context(), msg); !errors.Is(err, subscribe.ErrNoConsent) {
		t.Errorf("a second Send on a one-time consent = %v, want ErrNoConsent", err)
	}
	sent := fake.SubscribeMessages()
	if len(sent) != 1 || sent[0].Data["thing1"] != "iPhone 15" || sent[0].Page != msg.Page {
		t.Errorf("SubscribeMessages = %+v", sent)
	}

	fake.AcceptSubscription(openID, tid, true) // long-term: any number
	for range 3 {
		if err := svc.Send(t.Context(), msg); err != nil {
			t.Fatalf("Send on a long-term consent: %v", err)
		}
	}
	fake.WithdrawSubscription(openID, tid)
	if err := svc.Send(t.Context(), msg); !errors.Is(err, subscribe.ErrNoConsent) {
		t.Errorf("Send after withdrawal = %v, want ErrNoConsent", err)
	}
}

func next(t *testing.T, events <-chan *message.Message) *message.Message {
	t.Helper()
	select {
	case m := <-events:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10 s")
		return nil
	}
}

func TestSendErrors(t *testing.T) {
	t.Parallel()
	fake, oa := wechattest.Start(t)
	svc := subscribe.New(oa)
	openID := fake.AddFollower(wechattest.Follower{})
	tid := orderShipped(t, svc)
	fake.AcceptSubscription(openID, tid, true)
	tests := []struct {
		name     string
		msg      subscribe.Message
		wantCode int
		wantErr  string
	}{
		{"thing too long", subscribe.Message{ToUser: openID, TemplateID: tid, Data: with("thing1", strings.Repeat("长", 21))}, wechat.CodeNotWeChat, "data.thing1"},
		{"bad amount", subscribe.Message{ToUser: openID, TemplateID: tid, Data: with("amount5", "五千")}, wechat.CodeNotWeChat, "data.amount5"},
		{"no openid", subscribe.Message{TemplateID: tid, Data: shipped}, wechat.CodeNotWeChat, "empty openid"},
		{"missing keyword", subscribe.Message{ToUser: openID, TemplateID: tid, Data: without("time3")}, wechat.CodeArgumentInvalid, "data.time3"},
		{"unknown template", subscribe.Message{ToUser: openID, TemplateID: "nope", Data: shipped}, wechat.CodeInvalidTemplateID, ""},
		{"unknown user", subscribe.Message{ToUser: "nobody", TemplateID: tid, Data: shipped}, wechat.CodeInvalidOpenID, ""},
		{"bad page", subscribe.Message{ToUser: openID, TemplateID: tid, Data: shipped, Page: "ftp://x"}, wechat.CodeInvalidPage, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := svc.Send(t.Context(), tt.msg)
			if code := wechat.Code(err); code != tt.wantCode || !strings.Contains(errString(err), tt.wantErr) {
				t.Errorf("Send = %v (errcode %d), want errcode %d containing %q", err, code, tt.wantCode, tt.wantErr)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func with(k, v string) map[string]string {
	m := without("")
	m[k] = v
	return m
}

func without(k string) map[string]string {
	m := map[string]string{}
	for key, v := range shipped {
		if key != k {
			m[key] = v
		}
	}
	return m
}

func TestTemplateLibrary(t *testing.T) {
	t.Parallel()
	_, oa := wechattest.Start(t)
	svc := subscribe.New(oa)
	ctx := t.Context()

	cats, err := svc.Categories(ctx)
	if err != nil || len(cats) == 0 {
		t.Fatalf("Categories = %v, %v", cats, err)
	}
	var titles []subscribe.Title
	for ti, err := range svc.Library().All(ctx, []int{2}) {
		if err != nil {
			t.Fatal(err)
		}
		titles = append(titles, ti)
	}
	if len(titles) != 41 || titles[0].TID != 99 || titles[0].Type != subscribe.OneTime {
		t.Fatalf("All(category 2) = %d titles starting %+v, want the fake's 41", len(titles), titles[0])
	}
	kws, err := svc.Library().Keywords(ctx, 99)
	if err != nil || len(kws) < 5 || kws[0].Rule != "thing" {
		t.Fatalf("Keywords(99) = %+v, %v", kws, err)
	}

	id, err := svc.Templates().Add(ctx, 99, []int{1, 3}, "发货")
	if err != nil {
		t.Fatal(err)
	}
	tpls, err := svc.Templates().List(ctx)
	if err != nil || len(tpls) != 1 || tpls[0].ID != id || !strings.Contains(tpls[0].Content, "{{thing1.DATA}}") || !strings.Contains(tpls[0].Content, "{{time3.DATA}}") {
		t.Fatalf("Templates = %+v, %v", tpls, err)
	}
	if err := svc.Templates().Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	if tpls, _ := svc.Templates().List(ctx); len(tpls) != 0 {
		t.Errorf("Templates after delete = %+v", tpls)
	}

	for name, tt := range map[string]struct {
		tid      int
		kids     []int
		scene    string
		wantCode int
	}{
		"one keyword":    {99, []int{1}, "", wechat.CodeNotWeChat},
		"long scene":     {99, []int{1, 2}, strings.Repeat("场", 16), wechat.CodeNotWeChat},
		"unknown tid":    {1, []int{1, 2}, "", wechat.CodeLibraryInvalidTID},
		"unknown kid":    {99, []int{1, 42}, "", wechat.CodeLibraryInvalidKids},
		"repeated kid":   {99, []int{1, 1}, "", wechat.CodeLibraryInvalidKids},
		"six keywords":   {99, []int{1, 2, 3, 4, 5, 6}, "", wechat.CodeNotWeChat},
		"scene of 15 ok": {99, []int{1, 2}, strings.Repeat("场", 15), 0},
	} {
		if _, err := svc.Templates().Add(ctx, tt.tid, tt.kids, tt.scene); wechat.Code(err) != tt.wantCode {
			t.Errorf("%s: Templates().Add = %v, want errcode %d", name, err, tt.wantCode)
		}
	}
	if _, err := svc.Library().List(ctx, nil, 0, 10); err == nil {
		t.Error("List without categories succeeded")
	}
	if _, err := svc.Library().List(ctx, []int{2}, 0, 31); err == nil {
		t.Error("List(limit 31) succeeded")
	}
}
