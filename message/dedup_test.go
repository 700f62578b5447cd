package message

import (
	"context"
	"errors"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wxkit/wechat/internal/logsample"
	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/wechattest"
)

// TestRetryWhileRunning: WeChat's retry arrives while the first delivery's
// handler still runs. The retry waits and answers the same reply; the handler
// runs once.
func TestRetryWhileRunning(t *testing.T) {
	t.Parallel()
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel()
			var runs atomic.Int32
			entered, release := make(chan struct{}), make(chan struct{})
			hs := newHarness(t, HandlerFunc(func(_ context.Context, m *Message) Reply {
				if runs.Add(1) == 1 {
					close(entered)
				}
				<-release
				return Text("once: " + m.Content)
			}))
			c := hs.client(mode)
			msg := c.Text("o1", "hello")
			answers := make(chan *wechattest.WebhookReply, 2)
			var wg sync.WaitGroup
			deliver := func() {
				defer wg.Done()
				answers <- hs.push(t, mode, msg)
			}
			wg.Add(1)
			go deliver()
			<-entered
			wg.Add(1)
			go deliver() // the retry
			store := hs.srv.dedup.(*MemoryDedupStore)
			testutil.WaitFor(t, func() bool { return store.waiting() > 0 }, "the retry to wait for the first delivery's reply")
			if len(answers) != 0 {
				t.Fatal("the retry answered before the first delivery finished")
			}
			close(release)
			wg.Wait()
			close(answers)
			for a := range answers {
				if a.Message.Content != "once: hello" {
					t.Errorf("answer = %q, want the first delivery's reply", a.Body)
				}
			}
			if n := runs.Load(); n != 1 {
				t.Errorf("handler ran %d times, want 1", n)
			}
		})
	}
}

// TestRetryAfterFinished: a retry after the first delivery was answered gets
// the cached reply without running the handler.
func TestRetryAfterFinished(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	hs := newHarness(t, HandlerFunc(func(_ context.Context, m *Message) Reply {
		return Text("run " + string(rune('0'+runs.Add(1))))
	}))
	for _, mode := range modes {
		c := hs.client(mode)
		msg := c.Text("o1", "hello")
		first := hs.push(t, mode, msg)
		again := hs.push(t, mode, msg)
		if !reflect.DeepEqual(first.Message, again.Message) {
			t.Errorf("%s: retry answered %+v, want the cached %+v", mode, again.Message, first.Message)
		}
	}
	if n := runs.Load(); n != 3 { // one per mode: each mode's message has its own MsgId
		t.Errorf("handler ran %d times, want 3", n)
	}
}

func TestDedupKeys(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	hs := newHarness(t, HandlerFunc(func(context.Context, *Message) Reply { runs.Add(1); return nil }))
	c := hs.client(wechattest.ModePlaintext)
	at := "<CreateTime>1717000000</CreateTime>"
	event := func(from, ev, key string) []byte {
		return []byte("<xml><ToUserName>gh_1</ToUserName><FromUserName>" + from + "</FromUserName>" + at +
			"<MsgType>event</MsgType><Event>" + ev + "</Event><EventKey>" + key + "</EventKey></xml>")
	}
	pushes := [][]byte{
		event("o1", "CLICK", "A"), event("o1", "CLICK", "A"), // a retry
		event("o1", "CLICK", "B"), event("o2", "CLICK", "A"), event("o1", "VIEW", "A"),
		c.Text("o1", "x"), c.Text("o1", "x"), // distinct MsgIds
	}
	for _, p := range pushes {
		hs.push(t, wechattest.ModePlaintext, p)
	}
	if n := runs.Load(); n != int32(len(pushes)-1) {
		t.Errorf("handler ran %d times for %d pushes with one retry, want %d", n, len(pushes), len(pushes)-1)
	}
}

func TestMemoryDedupStore(t *testing.T) {
	t.Parallel()
	s := NewMemoryDedupStore()
	ctx := context.Background()
	if first, _ := s.Claim(ctx, "k", time.Minute); !first {
		t.Fatal("first Claim = false")
	}
	if first, _ := s.Claim(ctx, "k", time.Minute); first {
		t.Fatal("second Claim = true")
	}
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if _, err := s.Wait(short, "k"); err != context.DeadlineExceeded {
		t.Errorf("Wait on an unfinished key = %v, want DeadlineExceeded", err)
	}
	if _, err := s.Wait(ctx, "missing"); err != ErrDedupGone {
		t.Errorf("Wait on a missing key = %v, want ErrDedupGone", err)
	}
	go s.Finish(ctx, "k", []byte("r"), time.Minute)
	if r, err := s.Wait(ctx, "k"); err != nil || string(r) != "r" {
		t.Errorf("Wait = %q, %v; want r", r, err)
	}
	// A key whose window ran out before Finish is remembered anyway.
	s.Finish(ctx, "late", nil, time.Minute)
	if r, err := s.Wait(ctx, "late"); err != nil || r != nil {
		t.Errorf("Wait(late) = %q, %v; want empty reply", r, err)
	}
}

// vanishingStore plays a shared store whose first claimant died: the key is
// claimed by someone else, and that claim runs out while the retry waits.
type vanishingStore struct {
	*MemoryDedupStore
	claims atomic.Int32
}

func (s *vanishingStore) Claim(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if s.claims.Add(1) == 1 {
		return false, nil // a server that is gone holds it
	}
	return s.MemoryDedupStore.Claim(ctx, key, ttl)
}

func (s *vanishingStore) Wait(ctx context.Context, key string) ([]byte, error) {
	if s.claims.Load() == 1 {
		return nil, ErrDedupGone // the dead server's claim ran out
	}
	return s.MemoryDedupStore.Wait(ctx, key)
}

// TestRetryTakesOverADeadClaim: the server that claimed a message died before
// answering; WeChat's retry must run the handler, not answer "success".
func TestRetryTakesOverADeadClaim(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	store := &vanishingStore{MemoryDedupStore: NewMemoryDedupStore()}
	hs := newHarness(t, HandlerFunc(func(_ context.Context, m *Message) Reply {
		runs.Add(1)
		return Text("handled: " + m.Content)
	}), WithDedupStore(store))
	c := hs.client(wechattest.ModePlaintext)
	reply := hs.push(t, wechattest.ModePlaintext, c.Text("o1", "lost?"))
	if reply.Message.Content != "handled: lost?" || runs.Load() != 1 {
		t.Fatalf("reply = %q after %d runs; want the handler's reply from one run", reply.Body, runs.Load())
	}
	if n := store.claims.Load(); n != 2 {
		t.Errorf("claims = %d, want 2 (lost to the dead server, then taken over)", n)
	}
}

// An answer outlives the claim: the claim lasts until the deadline, the answer
// the whole retry window.
func TestMemoryDedupAnswerOutlivesClaim(t *testing.T) {
	t.Parallel()
	s := NewMemoryDedupStore()
	var clock atomic.Int64
	s.now = func() time.Time { return time.Unix(0, clock.Load()) }
	ctx := t.Context()
	if first, _ := s.Claim(ctx, "k", 20*time.Millisecond); !first {
		t.Fatal("first claim refused")
	}
	if err := s.Finish(ctx, "k", []byte("r"), time.Minute); err != nil {
		t.Fatal(err)
	}
	clock.Add(int64(40 * time.Millisecond)) // past the claim's own TTL
	if first, _ := s.Claim(ctx, "k", time.Minute); first {
		t.Fatal("the key was claimable again inside the window")
	}
	if got, err := s.Wait(ctx, "k"); err != nil || string(got) != "r" {
		t.Fatalf("Wait = %q, %v; want the answer", got, err)
	}
}

// TestDedupKeysOfJobEvents: two job events of one sender in the same second
// are two deliveries, not a retry; the same job's event twice is a retry.
func TestDedupKeysOfJobEvents(t *testing.T) {
	t.Parallel()
	mass := func(id int64) *Message {
		return &Message{ToUserName: "gh", FromUserName: "mphelper", CreateTime: 1, MsgType: MsgTypeEvent, Event: EventMassSendJobFinish, MsgID: id}
	}
	pub := func(id string) *Message {
		return &Message{ToUserName: "gh", FromUserName: "mphelper", CreateTime: 1, MsgType: MsgTypeEvent, Event: EventPublishJobFinish,
			PublishEventInfo: PublishEventInfo{PublishID: id}}
	}
	if dedupKey(mass(1)) == dedupKey(mass(2)) {
		t.Error("two MASSSENDJOBFINISH events of different sends share a key")
	}
	if dedupKey(pub("1")) == dedupKey(pub("2")) {
		t.Error("two PUBLISHJOBFINISH events of different jobs share a key")
	}
	sent := func(id int64) *Message {
		return &Message{ToUserName: "gh", FromUserName: "o1", CreateTime: 1, MsgType: MsgTypeEvent, Event: EventSubscribeMsgSent,
			SubscribeMsgs: []SubscribeMsg{{TemplateID: "t", MsgID: id}}}
	}
	if dedupKey(sent(1)) == dedupKey(sent(2)) {
		t.Error("two subscribe_msg_sent_event of different messages share a key")
	}
	if dedupKey(mass(1)) != dedupKey(mass(1)) || dedupKey(pub("1")) != dedupKey(pub("1")) {
		t.Error("a job's event and its retry have different keys")
	}
}

// hungStore plays a shared store that stops answering (Redis paused): Claim
// and Wait block until their context ends, Finish until released.
type hungStore struct {
	finishing   chan struct{} // closed when Finish is entered
	release     chan struct{}
	claimBound  atomic.Bool // Claim's context had a deadline
	finishBound atomic.Bool
	finished    atomic.Bool // Finish has returned
	once        sync.Once
}

func (s *hungStore) Claim(ctx context.Context, _ string, _ time.Duration) (bool, error) {
	_, ok := ctx.Deadline()
	s.claimBound.Store(ok)
	<-ctx.Done()
	return false, ctx.Err()
}

func (s *hungStore) Finish(ctx context.Context, _ string, _ []byte, _ time.Duration) error {
	_, ok := ctx.Deadline()
	s.finishBound.Store(ok)
	s.once.Do(func() { close(s.finishing) })
	defer s.finished.Store(true)
	select {
	case <-s.release:
	case <-ctx.Done():
	}
	return ctx.Err()
}

func (s *hungStore) Wait(ctx context.Context, _ string) ([]byte, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestHungDedupStore: a dedup store that stops answering costs neither the
// reply nor WeChat's 5 seconds: Claim gets a share of the deadline and the
// message is handled without it; Finish runs after the answer has gone out.
func TestHungDedupStore(t *testing.T) {
	t.Parallel()
	store := &hungStore{finishing: make(chan struct{}), release: make(chan struct{})}
	hs := newHarness(t, HandlerFunc(func(_ context.Context, m *Message) Reply { return Text("still: " + m.Content) }),
		WithDedupStore(store))
	ts := httptest.NewServer(hs.srv)
	t.Cleanup(ts.Close)
	defer close(store.release) // before ts.Close, which waits for the request
	c, err := wechattest.NewWebhookClient(wechattest.WebhookConfig{URL: ts.URL, AppID: wechattest.SandboxAppID,
		Token: wechattest.SandboxToken, EncodingAESKey: wechattest.SandboxEncodingAESKey, Mode: wechattest.ModeSafe,
		Timeout: testutil.WaitTimeout})
	if err != nil {
		t.Fatal(err)
	}
	// Finish holds the request's goroutine until the test ends; the client must
	// have the whole reply before that.
	reply, err := c.Send(t.Context(), c.Text("o1", "there?"))
	if err != nil || reply.Message.Content != "still: there?" {
		t.Fatalf("reply = %+v, %v; want the handler's reply while the store hangs", reply, err)
	}
	if store.finished.Load() {
		t.Error("the answer waited for the store's Finish")
	}
	<-store.finishing
	if !store.claimBound.Load() || !store.finishBound.Load() {
		t.Errorf("store calls without a deadline: Claim %v, Finish %v", store.claimBound.Load(), store.finishBound.Load())
	}
	if !strings.Contains(hs.logs.String(), "claim failed; handling anyway") {
		t.Errorf("the hung claim was not logged: %s", hs.logs)
	}
}

// brokenWaitStore: another replica claimed the message, and reading its
// reply fails.
type brokenWaitStore struct{ *MemoryDedupStore }

func (brokenWaitStore) Claim(context.Context, string, time.Duration) (bool, error) { return false, nil }
func (brokenWaitStore) Wait(context.Context, string) ([]byte, error) {
	return nil, errors.New("redis: connection refused")
}

// TestDedupWaitFailureHandles: a retry that cannot read the first delivery's
// reply handles the message: better twice than never.
func TestDedupWaitFailureHandles(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, HandlerFunc(func(_ context.Context, m *Message) Reply { return Text("handled " + m.Content) }),
		WithDedupStore(brokenWaitStore{NewMemoryDedupStore()}))
	c := hs.client(wechattest.ModeSafe)
	if reply := hs.push(t, wechattest.ModeSafe, c.Text("o1", "x")); reply.Message.Content != "handled x" {
		t.Errorf("reply = %q, want the handler's", reply.Body)
	}
}

// TestDedupStoreOutageLogsSampled: a store that fails every push (Redis down)
// is logged a burst of lines, then held back with a count, not once a push.
func TestDedupStoreOutageLogsSampled(t *testing.T) {
	t.Parallel()
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	at := time.Now() // the server's clock stands still: the sampler never refills
	hs := newHarnessConfig(t, fake, fake.Config(), HandlerFunc(func(_ context.Context, m *Message) Reply { return Text("handled " + m.Content) }),
		WithDedupStore(brokenWaitStore{NewMemoryDedupStore()}), WithClock(func() time.Time { return at }), WithTimestampSkew(0))
	c := hs.client(wechattest.ModeSafe)
	const pushes = 3 * logsample.Burst
	for i := range pushes {
		content := strconv.Itoa(i)
		if reply := hs.push(t, wechattest.ModeSafe, c.Text("o1", content)); reply.Message.Content != "handled "+content {
			t.Fatalf("push %d: reply = %q, want the handler's", i, reply.Body)
		}
	}
	if n := strings.Count(hs.logs.String(), "dedup store wait failed"); n != logsample.Burst {
		t.Errorf("%d pushes against a failing store logged %d lines, want the sampler's burst of %d:\n%s", pushes, n, logsample.Burst, hs.logs)
	}
}

// dedupKey is m's dedup key as a string.
func dedupKey(m *Message) string { return string(appendDedupKey(nil, m)) }
