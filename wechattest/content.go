package wechattest

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/wxkit/wechat"
)

// contentState is the content side of the platform: the media store, the draft
// box, publishing and mass-send jobs, subscription consent, quota resets and the
// webhook job events are pushed to. Guarded by Server.mu like the rest.
type contentState struct {
	media      mediaState
	drafts     draftState
	publish    publishState
	mass       massState
	subs       subscribeState
	quotas     quotaState
	rids       map[string]ridRecord
	unverified bool // publishing and mass sending answer 48001

	webhook    *WebhookClient // where job events go; nil: nowhere
	pushErrors []error

	bg      sync.WaitGroup // jobs waiting to finish and pushes under way
	stop    chan struct{}  // closed by Close: waiting jobs give up
	stopped bool
}

// contentRoutes sets the content side up and registers its endpoints; NewServer
// calls it.
func (s *Server) contentRoutes() {
	s.content.stop = make(chan struct{})
	s.content.rids = map[string]ridRecord{}
	s.mediaRoutes()
	s.materialRoutes()
	s.draftRoutes()
	s.publishRoutes()
	s.articleRoutes()
	s.massRoutes()
	s.subscribeRoutes()
	s.quotaRoutes()
}

// WithUnverifiedAccount makes the account an unverified subscription account
// (未认证订阅号): publishing and mass sending answer 48001, as WeChat does.
func WithUnverifiedAccount() Option {
	return func(s *Server) { s.content.unverified = true }
}

// closeContent stops the jobs still waiting and waits for pushes under way;
// Close calls it.
func (s *Server) closeContent() {
	s.mu.Lock()
	if !s.content.stopped {
		s.content.stopped = true
		close(s.content.stop)
	}
	s.mu.Unlock()
	s.content.bg.Wait()
}

// SetWebhook registers the account's webhook (服务器地址): the platform pushes the
// events of its jobs there (PUBLISHJOBFINISH, MASSSENDJOBFINISH,
// subscribe_msg_popup_event, subscribe_msg_sent_event), signed and in mode as
// WeChat would. An empty url removes it. Pushes are made in the background;
// their failures are kept for PushErrors.
func (s *Server) SetWebhook(url string, mode Mode) {
	var c *WebhookClient
	if url != "" {
		// Not s.WebhookClient: a platform push is not a follower's message and
		// opens no customer-service window.
		var err error
		c, err = NewWebhookClient(WebhookConfig{URL: url, AppID: s.appID, Token: s.token, EncodingAESKey: s.aesKey,
			OriginalID: s.originalID, Mode: mode, Now: s.Now})
		if err != nil {
			panic(err) // the server's own settings are valid
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.content.webhook = c
}

// PushErrors returns the failures of event pushes so far, oldest first: a
// webhook that could not be reached or did not answer 200.
func (s *Server) PushErrors() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.content.pushErrors...)
}

// push sends event from from, with the elements body after Event, to the
// registered webhook in the background. s.mu is held by the caller.
func (s *Server) push(from string, event wechat.Event, body string) {
	c := s.content.webhook
	if c == nil || s.content.stopped {
		return
	}
	msg := c.event(from, event, "", body)
	s.content.bg.Add(1)
	go func() {
		defer s.content.bg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		reply, err := c.Send(ctx, msg)
		if err == nil && reply.StatusCode != http.StatusOK {
			err = &pushStatusError{event: event, status: reply.StatusCode}
		}
		if err != nil {
			s.mu.Lock()
			s.content.pushErrors = append(s.content.pushErrors, err)
			s.mu.Unlock()
		}
	}()
}

type pushStatusError struct {
	event  wechat.Event
	status int
}

func (e *pushStatusError) Error() string {
	return "wechattest: pushing " + string(e.event) + ": the webhook answered HTTP " + http.StatusText(e.status)
}

// later runs finish (with s.mu held) once the platform's clock reaches at, unless
// Close comes first; at in the past runs it at once, in the background. It waits
// on a real timer and on Advance, which moves the clock past at without the
// time passing. (Calls that look at a job finish it themselves when it is due;
// the waiting goroutine then finds it done.)
func (s *Server) later(at time.Time, finish func(now time.Time)) {
	if s.content.stopped {
		return
	}
	s.content.bg.Add(1)
	go func() {
		defer s.content.bg.Done()
		for {
			advanced := s.nextAdvance() // before reading the clock: no Advance is missed
			d := at.Sub(s.Now())
			if d <= 0 {
				break
			}
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-advanced:
				t.Stop()
			case <-s.content.stop:
				t.Stop()
				return
			}
		}
		now := s.Now()
		s.mu.Lock()
		defer s.mu.Unlock()
		if !s.content.stopped {
			finish(now)
		}
	}()
}

// isMultipart reports whether a request is a multipart upload.
func isMultipart(h http.Header) bool {
	return strings.HasPrefix(h.Get("Content-Type"), "multipart/")
}

// page is the offset and count of a list request (drafts, publications,
// material), bound from its JSON body.
type page struct {
	Offset    int `json:"offset"`
	Count     int `json:"count"`
	NoContent int `json:"no_content"` // drafts and publications
}

// check refuses what WeChat refuses: a count outside 1 to 20, a negative offset.
func (p page) check() error {
	if p.Count < 1 || p.Count > 20 || p.Offset < 0 {
		return apiError(wechat.CodeInvalidParameter, "invalid offset or count: count is 1 to 20")
	}
	return nil
}

// of returns the part of list the page covers.
func of[T any](p page, list []T) []T {
	return list[min(p.Offset, len(list)):min(p.Offset+p.Count, len(list))]
}
