package message

import (
	"context"
	"strings"
	"testing"
)

func TestMuxRouting(t *testing.T) {
	t.Parallel()
	mux := NewMux()
	named := func(name string) Handler {
		return func(context.Context, *Message) Reply { return Text(name) }
	}
	mux.HandleText(named("text"))
	mux.HandleImage(named("image"))
	mux.HandleVoice(named("voice"))
	mux.HandleVideo(named("video"))
	mux.HandleShortVideo(named("shortvideo"))
	mux.HandleLocation(named("location"))
	mux.HandleLink(named("link"))
	mux.HandleEvent(EventSubscribe, named("subscribe"))
	mux.HandleEvent(EventClick, named("any click"))
	mux.HandleClick("V1001", named("click V1001"))
	mux.HandleView("https://a/b", named("view a/b"))
	mux.HandleEventKey(EventScan, "42", named("scan 42"))
	mux.Default(func(_ context.Context, m *Message) Reply { return Text("default " + m.Field("debug_str")) })

	tests := []struct {
		m    Message
		want string
	}{
		{Message{MsgType: MsgTypeText}, "text"},
		{Message{MsgType: MsgTypeImage}, "image"},
		{Message{MsgType: MsgTypeVoice}, "voice"},
		{Message{MsgType: MsgTypeVideo}, "video"},
		{Message{MsgType: MsgTypeShortVideo}, "shortvideo"},
		{Message{MsgType: MsgTypeLocation}, "location"},
		{Message{MsgType: MsgTypeLink}, "link"},
		{Message{MsgType: MsgTypeEvent, Event: EventSubscribe, EventKey: "qrscene_1"}, "subscribe"},
		{Message{MsgType: MsgTypeEvent, Event: EventClick, EventKey: "V1001"}, "click V1001"},
		{Message{MsgType: MsgTypeEvent, Event: EventClick, EventKey: "other"}, "any click"},
		{Message{MsgType: MsgTypeEvent, Event: EventView, EventKey: "https://a/b"}, "view a/b"},
		{Message{MsgType: MsgTypeEvent, Event: EventScan, EventKey: "42"}, "scan 42"},
		{Message{MsgType: MsgTypeEvent, Event: EventView, EventKey: "https://other"}, "default "},
		{Message{MsgType: MsgTypeEvent, Event: "debug_demo", Raw: []byte("<xml><debug_str>hi</debug_str></xml>")}, "default hi"},
		{Message{MsgType: "hologram"}, "default "},
	}
	for _, tt := range tests {
		got := mux.Dispatch(context.Background(), &tt.m)
		if tr, ok := got.(TextReply); !ok || tr.Content != tt.want {
			t.Errorf("Dispatch(%s/%s/%s) = %#v, want %q", tt.m.MsgType, tt.m.Event, tt.m.EventKey, got, tt.want)
		}
	}
}

func TestMuxZeroValueAndNoDefault(t *testing.T) {
	t.Parallel()
	var mux Mux
	if r := mux.Dispatch(context.Background(), &Message{MsgType: MsgTypeText}); r != nil {
		t.Errorf("zero Mux answered %#v, want nil", r)
	}
}

func TestMuxMiddlewareOrder(t *testing.T) {
	t.Parallel()
	var trace []string
	mw := func(name string) Middleware {
		return func(next Handler) Handler {
			return func(ctx context.Context, m *Message) Reply {
				trace = append(trace, name+">")
				r := next(ctx, m)
				trace = append(trace, "<"+name)
				return r
			}
		}
	}
	mux := NewMux()
	mux.Use(mw("a"))
	mux.Use(mw("b"))
	mux.HandleText(func(context.Context, *Message) Reply { trace = append(trace, "h"); return nil })
	mux.Dispatch(context.Background(), &Message{MsgType: MsgTypeText})
	mux.Dispatch(context.Background(), &Message{MsgType: "unknown"}) // middleware sees the default too
	if got := strings.Join(trace, " "); got != "a> b> h <b <a a> b> <b <a" {
		t.Errorf("trace = %q", got)
	}
}
