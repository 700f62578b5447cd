package message

import (
	"context"
	"fmt"
)

// Handler answers one message or event, as an http.Handler answers a request.
// ctx ends at the reply deadline (see [WithDeadline]); a Handler still running
// then gets no say in the response, and its reply goes to the [WithOnLateReply]
// hook. A [*Mux] is a Handler; so is any function, as a [HandlerFunc].
type Handler interface {
	ServeMessage(ctx context.Context, m *Message) Reply
}

// HandlerFunc lets an ordinary function be a Handler, as http.HandlerFunc does.
type HandlerFunc func(ctx context.Context, m *Message) Reply

// ServeMessage calls f(ctx, m).
func (f HandlerFunc) ServeMessage(ctx context.Context, m *Message) Reply { return f(ctx, m) }

// Middleware wraps a Handler, in the net/http shape: logging, metrics, checks.
type Middleware func(Handler) Handler

// A Route is what a [Mux] matches a message against: follower messages of one
// MsgType, events of one Event, or, with EventKey too, the events of one kind
// that carry one EventKey (a menu button's key, a VIEW button's link, a QR
// scene), which take precedence over the route of their Event:
//
//	mux.Handle(message.Route{MsgType: message.MsgTypeText}, h)
//	mux.Handle(message.Route{Event: message.EventSubscribe}, h)
//	mux.Handle(message.Route{Event: message.EventClick, EventKey: "V1001"}, h)
type Route struct {
	MsgType  MsgType // a follower message type; not MsgTypeEvent (use Event)
	Event    Event
	EventKey string // with Event: only the events carrying this key
}

// String names the route, as the Mux's panics do.
func (r Route) String() string {
	switch {
	case r.EventKey != "":
		return fmt.Sprintf("event %s with EventKey %q", r.Event, r.EventKey)
	case r.Event != "":
		return "event " + string(r.Event)
	default:
		return string(r.MsgType) + " messages"
	}
}

// check panics on a Route that names nothing, or two things.
func (r Route) check() {
	switch {
	case r.MsgType == MsgTypeEvent:
		panic("message: Mux: route events by their Event (Route{Event: …}, HandleEvent), not by MsgTypeEvent")
	case r.MsgType != "" && (r.Event != "" || r.EventKey != ""):
		panic("message: Mux: a Route names a MsgType or an Event, not both")
	case r.MsgType == "" && r.Event == "":
		panic("message: Mux: an empty Route")
	}
}

// Mux routes messages by MsgType, events by Event, and menu events by their
// EventKey too. Like http.ServeMux it panics on a second registration of a route,
// and like chi it panics on Use after a route: both are mistakes in the program,
// found at its start. Register everything before serving; after that a Mux is safe
// for concurrent use. The zero Mux is ready to use and answers everything with
// "success".
//
// The registrations named after a message kind (HandleText, HandleEvent,
// HandleClick, Default, …) take a plain function, as http.HandleFunc does;
// [Mux.Handle] takes any Handler (another Mux, a type with ServeMessage, a Handler
// wrapped in middleware) for any Route.
type Mux struct {
	routes map[Route]Handler
	keyed  bool // some route has a key: look keys up first
	def    Handler
	mws    []Middleware
	chain  Handler // the middlewares around route; nil when there are none
}

// NewMux returns an empty Mux.
func NewMux() *Mux { return &Mux{} }

// Handle routes the messages or events of r to h. It panics if r already has a
// handler, names nothing, or h is nil.
func (mux *Mux) Handle(r Route, h Handler) {
	if h == nil {
		panic("message: Mux.Handle with a nil handler")
	}
	r.check()
	if _, dup := mux.routes[r]; dup {
		panic("message: Mux: a handler for " + r.String() + " is already registered")
	}
	if mux.routes == nil {
		mux.routes = map[Route]Handler{}
	}
	mux.routes[r] = h
	mux.keyed = mux.keyed || r.EventKey != ""
}

// HandleFunc routes the messages or events of r to f.
func (mux *Mux) HandleFunc(r Route, f func(ctx context.Context, m *Message) Reply) {
	mux.Handle(r, handlerFunc(f))
}

func handlerFunc(f func(ctx context.Context, m *Message) Reply) Handler {
	if f == nil {
		return nil
	}
	return HandlerFunc(f)
}

// HandleText routes text messages to f.
func (mux *Mux) HandleText(f func(ctx context.Context, m *Message) Reply) {
	mux.HandleFunc(Route{MsgType: MsgTypeText}, f)
}

// HandleImage routes image messages to f.
func (mux *Mux) HandleImage(f func(ctx context.Context, m *Message) Reply) {
	mux.HandleFunc(Route{MsgType: MsgTypeImage}, f)
}

// HandleVoice routes voice messages to f.
func (mux *Mux) HandleVoice(f func(ctx context.Context, m *Message) Reply) {
	mux.HandleFunc(Route{MsgType: MsgTypeVoice}, f)
}

// HandleVideo routes video messages to f.
func (mux *Mux) HandleVideo(f func(ctx context.Context, m *Message) Reply) {
	mux.HandleFunc(Route{MsgType: MsgTypeVideo}, f)
}

// HandleShortVideo routes short-video messages to f.
func (mux *Mux) HandleShortVideo(f func(ctx context.Context, m *Message) Reply) {
	mux.HandleFunc(Route{MsgType: MsgTypeShortVideo}, f)
}

// HandleLocation routes location messages to f.
func (mux *Mux) HandleLocation(f func(ctx context.Context, m *Message) Reply) {
	mux.HandleFunc(Route{MsgType: MsgTypeLocation}, f)
}

// HandleLink routes link messages to f.
func (mux *Mux) HandleLink(f func(ctx context.Context, m *Message) Reply) {
	mux.HandleFunc(Route{MsgType: MsgTypeLink}, f)
}

// HandleEvent routes events e to f. A handler registered for one EventKey (see
// [Mux.HandleEventKey]) takes precedence.
func (mux *Mux) HandleEvent(e Event, f func(ctx context.Context, m *Message) Reply) {
	mux.HandleFunc(Route{Event: e}, f)
}

// HandleEventKey routes events e whose EventKey is key to f: menu buttons
// (CLICK, VIEW, scancode_*, pic_*, location_select, view_miniprogram), or a SCAN
// of one QR scene.
func (mux *Mux) HandleEventKey(e Event, key string, f func(ctx context.Context, m *Message) Reply) {
	mux.HandleFunc(Route{Event: e, EventKey: key}, f)
}

// HandleClick routes clicks on the menu button with key to f.
func (mux *Mux) HandleClick(key string, f func(ctx context.Context, m *Message) Reply) {
	mux.HandleEventKey(EventClick, key, f)
}

// HandleView routes taps on the menu link to url to f.
func (mux *Mux) HandleView(url string, f func(ctx context.Context, m *Message) Reply) {
	mux.HandleEventKey(EventView, url, f)
}

// Default sets the handler for everything no route matches, unknown message
// types and events included (their XML is in Message.Raw). Without one such
// messages are answered with "success". It panics if a default is already set.
// A Handler h goes in as mux.Default(h.ServeMessage).
func (mux *Mux) Default(f func(ctx context.Context, m *Message) Reply) {
	if f == nil {
		panic("message: Mux.Default with a nil handler")
	}
	if mux.def != nil {
		panic("message: Mux: a default handler is already registered")
	}
	mux.def = HandlerFunc(f)
}

// Use adds middleware around every route, the default included; the first added
// is the outermost. It panics once a route or the default is registered, as chi
// does: middleware added later would wrap some routes' handlers and not others'.
func (mux *Mux) Use(mws ...Middleware) {
	if len(mux.routes) > 0 || mux.def != nil {
		panic("message: Mux.Use must be called before any route is registered")
	}
	mux.mws = append(mux.mws, mws...)
	var h Handler = HandlerFunc(mux.route)
	for i := len(mux.mws) - 1; i >= 0; i-- {
		h = mux.mws[i](h)
	}
	mux.chain = h
}

// ServeMessage routes m and returns the chosen handler's reply.
func (mux *Mux) ServeMessage(ctx context.Context, m *Message) Reply {
	if mux.chain != nil {
		return mux.chain.ServeMessage(ctx, m)
	}
	return mux.route(ctx, m)
}

func (mux *Mux) route(ctx context.Context, m *Message) Reply {
	if h := mux.match(m); h != nil {
		return h.ServeMessage(ctx, m)
	}
	return nil
}

func (mux *Mux) match(m *Message) Handler {
	if m.MsgType != MsgTypeEvent {
		if h := mux.routes[Route{MsgType: m.MsgType}]; h != nil {
			return h
		}
		return mux.def
	}
	if mux.keyed {
		if h := mux.routes[Route{Event: m.Event, EventKey: m.EventKey}]; h != nil {
			return h
		}
	}
	if h := mux.routes[Route{Event: m.Event}]; h != nil {
		return h
	}
	return mux.def
}
