package message

import (
	"context"
	"strings"
	"testing"
)

func TestMuxRouting(t *testing.T) {
	t.Parallel()
	mux := NewMux()
	named := func(name string) HandlerFunc {
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
		got := mux.ServeMessage(context.Background(), &tt.m)
		if tr, ok := got.(TextReply); !ok || tr.Content != tt.want {
			t.Errorf("ServeMessage(%s/%s/%s) = %#v, want %q", tt.m.MsgType, tt.m.Event, tt.m.EventKey, got, tt.want)
		}
	}
}

func TestMuxZeroValueAndNoDefault(t *testing.T) {
	t.Parallel()
	var mux Mux
	if r := mux.ServeMessage(context.Background(), &Message{MsgType: MsgTypeText}); r != nil {
		t.Errorf("zero Mux answered %#v, want nil", r)
	}
}

func TestMuxMiddlewareOrder(t *testing.T) {
	t.Parallel()
	var trace []string
	mw := func(name string) Middleware {
		return func(next Handler) Handler {
			return HandlerFunc(func(ctx context.Context, m *Message) Reply {
				trace = append(trace, name+">")
				r := next.ServeMessage(ctx, m)
				trace = append(trace, "<"+name)
				return r
			})
		}
	}
	mux := NewMux()
	mux.Use(mw("a"))
	mux.Use(mw("b"))
	mux.HandleText(func(context.Context, *Message) Reply { trace = append(trace, "h"); return nil })
	mux.ServeMessage(context.Background(), &Message{MsgType: MsgTypeText})
	mux.ServeMessage(context.Background(), &Message{MsgType: "unknown"}) // middleware sees the default too
	if got := strings.Join(trace, " "); got != "a> b> h <b <a a> b> <b <a" {
		t.Errorf("trace = %q", got)
	}
}

// Handle takes any Handler for any Route: another Mux, a middleware-wrapped
// handler, a keyed event.
func TestMuxHandleTakesHandlers(t *testing.T) {
	t.Parallel()
	inner := NewMux()
	inner.HandleText(func(_ context.Context, m *Message) Reply { return Text("inner " + m.Content) })
	upper := func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, m *Message) Reply {
			r := next.ServeMessage(ctx, m)
			if tr, ok := r.(TextReply); ok {
				return Text(strings.ToUpper(tr.Content))
			}
			return r
		})
	}
	mux := NewMux()
	mux.Handle(Route{MsgType: MsgTypeText}, inner)
	mux.Handle(Route{Event: EventSubscribe}, upper(HandlerFunc(func(context.Context, *Message) Reply { return Text("welcome") })))
	mux.Handle(Route{Event: EventScan, EventKey: "7"}, HandlerFunc(func(context.Context, *Message) Reply { return Text("scene 7") }))
	mux.HandleFunc(Route{MsgType: MsgTypeImage}, func(context.Context, *Message) Reply { return Text("image") })
	tests := []struct {
		m    Message
		want string
	}{
		{Message{MsgType: MsgTypeText, Content: "hi"}, "inner hi"},
		{Message{MsgType: MsgTypeEvent, Event: EventSubscribe}, "WELCOME"},
		{Message{MsgType: MsgTypeEvent, Event: EventScan, EventKey: "7"}, "scene 7"},
		{Message{MsgType: MsgTypeImage}, "image"},
	}
	for _, tt := range tests {
		got := mux.ServeMessage(context.Background(), &tt.m)
		if tr, ok := got.(TextReply); !ok || tr.Content != tt.want {
			t.Errorf("ServeMessage(%s/%s/%s) = %#v, want %q", tt.m.MsgType, tt.m.Event, tt.m.EventKey, got, tt.want)
		}
	}
	if r := mux.ServeMessage(context.Background(), &Message{MsgType: MsgTypeEvent, Event: EventScan, EventKey: "8"}); r != nil {
		t.Errorf("a SCAN of another scene got %#v, want nil: no route and no default", r)
	}
}

// Mistakes in the routing panic when the program sets it up, as net/http's
// conflicting patterns and chi's late middleware do.
func TestMuxRefusesMistakes(t *testing.T) {
	t.Parallel()
	nop := func(context.Context, *Message) Reply { return nil }
	mw := func(h Handler) Handler { return h }
	tests := []struct {
		name  string
		setup func(mux *Mux)
		want  string
	}{
		{"text twice", func(mux *Mux) { mux.HandleText(nop); mux.HandleText(nop) }, "text messages is already registered"},
		{"Handle after HandleText", func(mux *Mux) { mux.HandleText(nop); mux.Handle(Route{MsgType: MsgTypeText}, HandlerFunc(nop)) }, "already registered"},
		{"event twice", func(mux *Mux) { mux.HandleEvent(EventSubscribe, nop); mux.HandleEvent(EventSubscribe, nop) }, "event subscribe"},
		{"click twice", func(mux *Mux) { mux.HandleClick("K", nop); mux.HandleEventKey(EventClick, "K", nop) }, `EventKey "K"`},
		{"default twice", func(mux *Mux) { mux.Default(nop); mux.Default(nop) }, "default handler is already registered"},
		{"Use after a route", func(mux *Mux) { mux.HandleText(nop); mux.Use(mw) }, "before any route"},
		{"Use after the default", func(mux *Mux) { mux.Default(nop); mux.Use(mw) }, "before any route"},
		{"nil handler", func(mux *Mux) { mux.Handle(Route{MsgType: MsgTypeText}, nil) }, "nil"},
		{"empty route", func(mux *Mux) { mux.Handle(Route{}, HandlerFunc(nop)) }, "empty Route"},
		{"type and event", func(mux *Mux) { mux.Handle(Route{MsgType: MsgTypeText, Event: EventClick}, HandlerFunc(nop)) }, "not both"},
		{"nil func", func(mux *Mux) { mux.HandleText(nil) }, "nil"},
		{"events by MsgTypeEvent", func(mux *Mux) { mux.Handle(Route{MsgType: MsgTypeEvent}, HandlerFunc(nop)) }, "by their Event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			defer func() {
				p := recover()
				if msg, _ := p.(string); !strings.Contains(msg, tt.want) {
					t.Errorf("panic = %v, want one saying %q", p, tt.want)
				}
			}()
			tt.setup(NewMux())
		})
	}
	// Keys of one event are distinct routes, and so are the same key on two events.
	mux := NewMux()
	mux.HandleClick("A", nop)
	mux.HandleClick("B", nop)
	mux.HandleEventKey(EventScanCodePush, "A", nop)
	mux.HandleEvent(EventClick, nop)
}
