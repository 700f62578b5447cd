package message

import "context"

// Handler answers one message or event. ctx ends at the reply deadline (see
// [WithDeadline]); a Handler still running then gets no say in the response,
// and its reply goes to the [WithOnLateReply] hook.
type Handler func(ctx context.Context, m *Message) Reply

// Dispatch calls h, so that a single Handler can be given to [NewServer].
func (h Handler) Dispatch(ctx context.Context, m *Message) Reply { return h(ctx, m) }

// Dispatcher is what a [Server] hands each message to: a [*Mux], or one
// [Handler].
type Dispatcher interface {
	Dispatch(ctx context.Context, m *Message) Reply
}

// Middleware wraps a Handler, in the net/http shape: logging, metrics, checks.
type Middleware func(Handler) Handler

// Mux routes messages by MsgType, events by Event, and menu events by their
// EventKey too. Register everything before serving; after that a Mux is safe for
// concurrent use. The zero Mux is ready to use and answers everything with
// "success".
type Mux struct {
	types  map[MsgType]Handler
	events map[Event]Handler
	keys   map[eventKey]Handler
	def    Handler
	mws    []Middleware
	chain  Handler // the middlewares around route; nil when there are none
}

type eventKey struct {
	event Event
	key   string
}

// NewMux returns an empty Mux.
func NewMux() *Mux { return &Mux{} }

// Handle routes follower messages of type t to h.
func (mux *Mux) Handle(t MsgType, h Handler) {
	if mux.types == nil {
		mux.types = map[MsgType]Handler{}
	}
	mux.types[t] = h
}

// HandleText routes text messages to h.
func (mux *Mux) HandleText(h Handler) { mux.Handle(MsgTypeText, h) }

// HandleImage routes image messages to h.
func (mux *Mux) HandleImage(h Handler) { mux.Handle(MsgTypeImage, h) }

// HandleVoice routes voice messages to h.
func (mux *Mux) HandleVoice(h Handler) { mux.Handle(MsgTypeVoice, h) }

// HandleVideo routes video messages to h.
func (mux *Mux) HandleVideo(h Handler) { mux.Handle(MsgTypeVideo, h) }

// HandleShortVideo routes short-video messages to h.
func (mux *Mux) HandleShortVideo(h Handler) { mux.Handle(MsgTypeShortVideo, h) }

// HandleLocation routes location messages to h.
func (mux *Mux) HandleLocation(h Handler) { mux.Handle(MsgTypeLocation, h) }

// HandleLink routes link messages to h.
func (mux *Mux) HandleLink(h Handler) { mux.Handle(MsgTypeLink, h) }

// HandleEvent routes events e to h. A handler registered for one EventKey (see
// [Mux.HandleEventKey]) takes precedence.
func (mux *Mux) HandleEvent(e Event, h Handler) {
	if mux.events == nil {
		mux.events = map[Event]Handler{}
	}
	mux.events[e] = h
}

// HandleEventKey routes events e whose EventKey is key to h: menu buttons
// (CLICK, VIEW, scancode_*, pic_*, location_select, view_miniprogram), or a SCAN
// of one QR scene.
func (mux *Mux) HandleEventKey(e Event, key string, h Handler) {
	if mux.keys == nil {
		mux.keys = map[eventKey]Handler{}
	}
	mux.keys[eventKey{e, key}] = h
}

// HandleClick routes clicks on the menu button with key to h.
func (mux *Mux) HandleClick(key string, h Handler) { mux.HandleEventKey(EventClick, key, h) }

// HandleView routes taps on the menu link to url to h.
func (mux *Mux) HandleView(url string, h Handler) { mux.HandleEventKey(EventView, url, h) }

// Default sets the handler for everything no route matches, unknown message
// types and events included (their XML is in Message.Raw). Without one such
// messages are answered with "success".
func (mux *Mux) Default(h Handler) { mux.def = h }

// Use adds middleware around every route, the default included; the first added
// is the outermost.
func (mux *Mux) Use(mws ...Middleware) {
	mux.mws = append(mux.mws, mws...)
	h := mux.route
	for i := len(mux.mws) - 1; i >= 0; i-- {
		h = mux.mws[i](h)
	}
	mux.chain = h
}

// Dispatch routes m and returns the chosen handler's reply.
func (mux *Mux) Dispatch(ctx context.Context, m *Message) Reply {
	if mux.chain != nil {
		return mux.chain(ctx, m)
	}
	return mux.route(ctx, m)
}

func (mux *Mux) route(ctx context.Context, m *Message) Reply {
	if h := mux.match(m); h != nil {
		return h(ctx, m)
	}
	return nil
}

func (mux *Mux) match(m *Message) Handler {
	if m.MsgType != MsgTypeEvent {
		if h := mux.types[m.MsgType]; h != nil {
			return h
		}
		return mux.def
	}
	if len(mux.keys) > 0 {
		if h := mux.keys[eventKey{m.Event, m.EventKey}]; h != nil {
			return h
		}
	}
	if h := mux.events[m.Event]; h != nil {
		return h
	}
	return mux.def
}
