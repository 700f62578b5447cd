package publish_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wxkit/wechat/draft"
	"github.com/wxkit/wechat/media"
	"github.com/wxkit/wechat/message"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/publish"
	"github.com/wxkit/wechat/wechattest"
)

type fixture struct {
	fake *wechattest.Server
	oa   *officialaccount.OfficialAccount
	svc  *publish.Service
}

func newFixture(t *testing.T, opts ...wechattest.Option) *fixture {
	t.Helper()
	fake, oa := wechattest.Start(t, opts...)
	return &fixture{fake: fake, oa: oa, svc: publish.New(oa)}
}

// draft creates a draft with one article per title and returns its media_id.
func (f *fixture) draft(t *testing.T, titles ...string) string {
	t.Helper()
	var arts []draft.Article
	for _, title := range titles {
		arts = append(arts, draft.Article{Title: title, Content: "<p>" + title + " 的正文</p>"})
	}
	return f.draftOf(t, arts...)
}

// draftOf creates a draft of arts, with a cover, and returns its media_id.
func (f *fixture) draftOf(t *testing.T, arts ...draft.Article) string {
	t.Helper()
	cover, err := media.New(f.oa).Permanent().Add(t.Context(), media.Image, "c.jpg", strings.NewReader("\xff\xd8\xffcover"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range arts {
		arts[i].ThumbMediaID = cover.MediaID
	}
	id, err := draft.New(f.oa).Add(t.Context(), arts...)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// webhook registers a webhook with the fake and returns the events it gets and
// its URL.
func (f *fixture) webhook(t *testing.T) (<-chan *message.Message, string) {
	t.Helper()
	events := make(chan *message.Message, 8)
	mux := message.NewMux()
	mux.Default(func(_ context.Context, m *message.Message) message.Reply {
		events <- m
		return nil
	})
	srv := httptest.NewServer(message.NewServer(f.oa, mux, message.WithClock(f.fake.Now)))
	t.Cleanup(srv.Close)
	f.fake.SetWebhook(srv.URL, wechattest.ModeSafe)
	return events, srv.URL
}

func receive(t *testing.T, events <-chan *message.Message) *message.Message {
	t.Helper()
	select {
	case m := <-events:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no event pushed within 10 s")
		return nil
	}
}

// fast polls every few milliseconds.
var fast = publish.WithPollInterval(time.Millisecond, 5*time.Millisecond)
