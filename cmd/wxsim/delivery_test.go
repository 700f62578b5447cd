package main

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wxkit/wechat/customerservice"
	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/template"
	"github.com/wxkit/wechat/wechattest"
)

// TestDeliveries checks that customer-service and template messages the bot
// sends reach the page's event stream and the follower's chat, and that a
// message refused by the platform (outside the 48-hour window) does not.
func TestDeliveries(t *testing.T) {
	t.Parallel()
	base, _, openID := simFor(t, startWebhook(t, (&recorder{}).mux()), options{})
	var st state
	call(t, base, http.MethodGet, "/state", nil, &st)
	other := st.Followers[1].OpenID
	events := stream(t, base)
	follow(t, base, openID)
	call(t, base, http.MethodPost, "/followers/"+other+"/events", map[string]string{"event": "subscribe"}, nil)
	oa := botAccount(t, base)
	cs := customerservice.New(oa)
	if err := cs.Send(t.Context(), openID, customerservice.News{Title: "新品", URL: "https://example.com/n", PicURL: "https://example.com/p.png"}); err != nil {
		t.Fatal(err)
	}
	ev := events.next(t, "entry", `"delivery"`)
	if !strings.Contains(ev, `"source":"custom"`) || !strings.Contains(ev, `"title":"新品"`) || !strings.Contains(ev, openID) {
		t.Errorf("the stream said %s", ev)
	}
	tid, err := template.New(oa).Add(t.Context(), "TM00015", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := template.New(oa).Send(t.Context(), template.Message{ToUser: other, TemplateID: tid,
		Data: map[string]template.Value{"keyword1": {Value: "咖啡"}, "keyword2": {Value: "2"}, "keyword3": {Value: "¥30"}}}); err != nil {
		t.Fatal(err)
	}
	ev = events.next(t, "entry", `"template"`)
	if !strings.Contains(ev, `"title":"订单支付成功"`) || !strings.Contains(ev, `{"label":"物品名称","value":"咖啡"}`) {
		t.Errorf("the stream said %s", ev)
	}
	var chat []entry
	call(t, base, http.MethodGet, "/followers/"+other+"/chat", nil, &chat)
	if n := len(chat); n != 2 || chat[1].Delivery == nil || chat[1].Delivery.Bubble.Template == nil || len(chat[1].Delivery.Bubble.Template.Rows) != 3 {
		t.Errorf("the chat of %s: %+v", other, chat)
	}
	// A third user never wrote: WeChat refuses (45015) and nothing is drawn.
	call(t, base, http.MethodPost, "/followers", map[string]string{"nickname": "新人"}, nil)
	call(t, base, http.MethodGet, "/state", nil, &st)
	third := st.Followers[2].OpenID
	if err := cs.Send(t.Context(), third, customerservice.Text{Content: "hi"}); err == nil {
		t.Error("a customer-service message to someone who never wrote was accepted")
	}
	call(t, base, http.MethodGet, "/followers/"+third+"/chat", nil, &chat)
	if len(chat) != 0 {
		t.Errorf("the chat of a refused recipient: %+v", chat)
	}
}

// events reads an event stream.
type events struct{ lines chan string }

func stream(t *testing.T, base string) *events {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/wxsim/api/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("GET /events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	e := &events{lines: make(chan string, 1024)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		var event string
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "event: "); ok {
				event = v
			} else if v, ok := strings.CutPrefix(line, "data: "); ok {
				e.lines <- event + " " + v
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		resp.Body.Close()
		<-done
	})
	return e
}

// next returns the data of the next event of kind whose data contains with.
func (e *events) next(t *testing.T, kind, with string) string {
	t.Helper()
	timeout := time.After(testutil.WaitTimeout)
	for {
		select {
		case l := <-e.lines:
			if data, ok := strings.CutPrefix(l, kind+" "); ok && strings.Contains(data, with) {
				return data
			}
		case <-timeout:
			t.Fatalf("no %s event with %s", kind, with)
		}
	}
}

// TestDeliveryQueue checks the queue between the platform's lock and the
// drawing: it holds at most maxQueue deliveries and counts the rest.
func TestDeliveryQueue(t *testing.T) {
	t.Parallel()
	q := deliveryQueue{wake: make(chan struct{}, 1)}
	for range maxQueue + 5 {
		q.push(wechattest.Delivery{})
	}
	items, dropped := q.take()
	if len(items) != maxQueue || dropped != 5 || len(q.wake) != 1 {
		t.Errorf("took %d, dropped %d, wake %d", len(items), dropped, len(q.wake))
	}
	if items, dropped := q.take(); len(items) != 0 || dropped != 0 {
		t.Errorf("second take: %d, %d", len(items), dropped)
	}
}
