package main

import (
	"sync"
	"time"

	"github.com/wxkit/wechat/wechattest"
)

// delivery is a message the bot sent a follower through the API: a
// customer-service message (客服消息) or a template message (模板消息).
type delivery struct {
	Source string    `json:"source"` // "custom" or "template"
	OpenID string    `json:"openid"`
	At     time.Time `json:"at"`
	Bubble *bubble   `json:"bubble"`
	Body   string    `json:"body,omitempty"` // the API request's JSON, for the wire panel
	MsgID  int64     `json:"msgid,omitempty"`
}

// deliveryQueue takes what the platform delivers, inside the platform's lock,
// and hands it to drawDeliveries, which draws it outside that lock (drawing
// asks the platform about media).
type deliveryQueue struct {
	mu      sync.Mutex
	items   []wechattest.Delivery
	dropped int
	wake    chan struct{}
}

// push is the platform's Observe function: it must not block or call the
// platform.
func (q *deliveryQueue) push(d wechattest.Delivery) {
	q.mu.Lock()
	if len(q.items) < maxQueue {
		q.items = append(q.items, d)
	} else {
		q.dropped++
	}
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *deliveryQueue) take() ([]wechattest.Delivery, int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	items, dropped := q.items, q.dropped
	q.items, q.dropped = nil, 0
	return items, dropped
}

// drawDeliveries draws every queued delivery into its follower's chat and
// pushes it to the page, until Shutdown.
func (s *Sim) drawDeliveries() {
	defer s.workerWG.Done()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.queue.wake:
		}
		items, dropped := s.queue.take()
		if dropped > 0 {
			s.logger.Warn("wxsim: too many messages from the bot at once; some are not shown", "dropped", dropped)
		}
		for _, d := range items {
			s.addDelivery(d)
		}
	}
}

// addDelivery draws d into its follower's chat; messages to users the
// simulator does not know are not shown.
func (s *Sim) addDelivery(d wechattest.Delivery) {
	dv := &delivery{OpenID: d.ToUser()}
	switch {
	case d.Message != nil:
		dv.Source, dv.At, dv.Body = "custom", d.Message.At, clip(d.Message.Body)
		dv.Bubble = s.customBubble(d.Message)
	case d.Template != nil:
		dv.Source, dv.At, dv.MsgID = "template", d.Template.At, d.Template.MsgID
		dv.Bubble = templateBubble(d.Template, d.TemplateTitle, d.TemplateContent)
	default:
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.followerLocked(dv.OpenID)
	if f == nil {
		return
	}
	if ex := s.noteLate(f, dv); ex != nil {
		s.hub.publish("exchange", ex)
	}
	e := entry{Seq: s.nextSeq(), Delivery: dv}
	s.addEntry(f, e)
	f.unread++
	s.hub.publish("entry", entryEvent{OpenID: f.OpenID, Entry: e})
}

// entryEvent is a chat entry as the event stream sends it.
type entryEvent struct {
	OpenID string `json:"openid"`
	Entry  entry  `json:"entry"`
}

// clip returns b as a string of at most maxShownBody bytes.
func clip(b []byte) string {
	if len(b) > maxShownBody {
		return string(b[:maxShownBody]) + "\n…(" + itoa(len(b)-maxShownBody) + " more bytes)"
	}
	return string(b)
}
