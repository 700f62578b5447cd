package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wxkit/wechat/customerservice"
	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/message"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

// recorder is a wxkit bot that echoes text, greets followers, names the
// events it gets, and keeps every message it was pushed.
type recorder struct {
	mu   sync.Mutex
	msgs []message.Message
}

func (r *recorder) mux() *message.Mux {
	mux := message.NewMux()
	mux.Use(func(next message.Handler) message.Handler {
		return message.HandlerFunc(func(ctx context.Context, m *message.Message) message.Reply {
			r.mu.Lock()
			r.msgs = append(r.msgs, *m)
			r.mu.Unlock()
			return next.ServeMessage(ctx, m)
		})
	})
	mux.HandleText(func(_ context.Context, m *message.Message) message.Reply { return message.Text(m.Content) })
	mux.HandleEvent(message.EventSubscribe, func(context.Context, *message.Message) message.Reply { return message.Text("欢迎关注") })
	mux.Default(func(_ context.Context, m *message.Message) message.Reply {
		return message.Text("got " + string(m.MsgType) + " " + string(m.Event))
	})
	return mux
}

func (r *recorder) last(t *testing.T) message.Message {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.msgs) == 0 {
		t.Fatal("the bot got no push")
	}
	return r.msgs[len(r.msgs)-1]
}

// simFor starts a simulator pushing to webhook and returns its URL and the
// OpenID of its first follower.
func simFor(t *testing.T, webhook string, opts options, args ...string) (string, *Sim, string) {
	t.Helper()
	base, sim := startSim(t, webhook, opts, args...)
	var st state
	call(t, base, http.MethodGet, "/state", nil, &st)
	if len(st.Followers) != len(seedFollowers) || st.Followers[0].Following {
		t.Fatalf("state followers = %+v, want %d seeded, none following", st.Followers, len(seedFollowers))
	}
	return base, sim, st.Followers[0].OpenID
}

func follow(t *testing.T, base, openID string) exchange {
	t.Helper()
	var ex exchange
	if code := call(t, base, http.MethodPost, "/followers/"+openID+"/events", map[string]string{"event": "subscribe"}, &ex); code != http.StatusOK {
		t.Fatalf("subscribe: %d", code)
	}
	return ex
}

func sendText(t *testing.T, base, openID, content string) exchange {
	t.Helper()
	var ex exchange
	if code := call(t, base, http.MethodPost, "/followers/"+openID+"/messages", map[string]string{"type": "text", "content": content}, &ex); code != http.StatusOK {
		t.Fatalf("text: %d", code)
	}
	return ex
}

func verdictState(ex exchange, name string) string {
	for _, v := range ex.Verdicts {
		if v.Name == name {
			return v.State
		}
	}
	return ""
}

// TestModes pushes text in each mode to a wxkit bot and checks the wire: the
// query and body WeChat sends in that mode, the reply decrypted, the echo drawn.
func TestModes(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	// The console switch between modes: a bot that takes plaintext too.
	bot := startWebhook(t, rec.mux(), message.WithAllowPlaintext())
	base, _, openID := simFor(t, bot, options{})
	if ex := follow(t, base, openID); ex.Outcome != "reply" || ex.Bubbles[0].Text != "欢迎关注" {
		t.Fatalf("follow: outcome %s, bubbles %+v, problem %s", ex.Outcome, ex.Bubbles, ex.Problem)
	}
	for _, tt := range []struct {
		mode           string
		aes, encReply  bool
		bodyHasContent bool
	}{
		{"plaintext", false, false, true},
		{"compatible", true, true, true},
		{"safe", true, true, false},
	} {
		if code := call(t, base, http.MethodPut, "/mode", map[string]string{"mode": tt.mode}, nil); code != http.StatusOK {
			t.Fatalf("PUT /mode %s: %d", tt.mode, code)
		}
		content := "你好 " + tt.mode + " ]]> <&>"
		ex := sendText(t, base, openID, content)
		if ex.Outcome != "reply" || len(ex.Bubbles) != 1 || ex.Bubbles[0].Text != content {
			t.Errorf("%s: outcome %s, bubbles %+v, problem %q", tt.mode, ex.Outcome, ex.Bubbles, ex.Problem)
			continue
		}
		if got := rec.last(t); got.Content != content || got.FromUserName != openID {
			t.Errorf("%s: the bot got %q from %s", tt.mode, got.Content, got.FromUserName)
		}
		q := map[string]string{}
		for _, kv := range ex.Request.Query {
			q[kv[0]] = kv[1]
		}
		if (q["encrypt_type"] == "aes") != tt.aes || (q["msg_signature"] != "") != tt.aes || q["signature"] == "" || q["openid"] != openID {
			t.Errorf("%s: query %v", tt.mode, q)
		}
		if strings.Contains(ex.Request.Body, "<Content>") != tt.bodyHasContent || strings.Contains(ex.Request.Body, "<Encrypt>") != tt.aes {
			t.Errorf("%s: body on the wire %s", tt.mode, ex.Request.Body)
		}
		if ex.Reply == nil || ex.Reply.Encrypted != tt.encReply || !strings.Contains(ex.Reply.XML, "<MsgType><![CDATA[text]]></MsgType>") {
			t.Errorf("%s: reply %+v", tt.mode, ex.Reply)
		}
		for _, v := range ex.Verdicts {
			if v.State == "fail" {
				t.Errorf("%s: verdict %s failed: %s", tt.mode, v.Name, v.Detail)
			}
		}
		if tt.aes && (verdictState(ex, "回复签名有效") != "ok" || verdictState(ex, "已解密") != "ok") {
			t.Errorf("%s: verdicts %+v", tt.mode, ex.Verdicts)
		}
	}
}

// wxkitBot is a wxkit webhook on the sandbox account with its defaults: it
// refuses plaintext pushes, since it has an EncodingAESKey.
func wxkitBot(t *testing.T) http.Handler {
	t.Helper()
	oa, err := officialaccount.New(officialaccount.Config{AppID: wechattest.SandboxAppID, Token: wechattest.SandboxToken,
		EncodingAESKey: wechattest.SandboxEncodingAESKey})
	if err != nil {
		t.Fatal(err)
	}
	return message.NewServer(oa, (&recorder{}).mux())
}

// badBot answers every push with status and body, whatever the push.
func badBot(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// sealed answers like a wxkit bot, then lets edit change the reply.
func sealed(t *testing.T, reply message.Reply, edit func(body string) string) http.Handler {
	t.Helper()
	mux := message.NewMux()
	mux.Default(func(context.Context, *message.Message) message.Reply { return reply })
	oa, err := officialaccount.New(officialaccount.Config{AppID: wechattest.SandboxAppID, Token: wechattest.SandboxToken,
		EncodingAESKey: wechattest.SandboxEncodingAESKey})
	if err != nil {
		t.Fatal(err)
	}
	srv := message.NewServer(oa, mux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, r)
		w.WriteHeader(rec.Code)
		_, _ = io.WriteString(w, edit(rec.Body.String()))
	})
}

// plainReply answers a plaintext XML reply of msgType with body, addressed to
// the push's sender.
func plainReply(msgType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		io.WriteString(w, "<xml><ToUserName><![CDATA["+r.URL.Query().Get("openid")+"]]></ToUserName><FromUserName><![CDATA["+
			wechattest.SandboxOriginalID+"]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA["+msgType+"]]></MsgType>"+body+"</xml>")
	}
}

// TestJudge runs bots that answer WeChat wrongly, or not at all, and checks
// what the follower sees and what the panel says.
func TestJudge(t *testing.T) {
	t.Parallel()
	twoArticles := "<ArticleCount>2</ArticleCount><Articles><item><Title>a</Title><Url>https://a.cn/</Url></item><item><Title>b</Title><Url>https://b.cn/</Url></item></Articles>"
	tests := []struct {
		name       string
		bot        http.Handler
		mode       string
		event      bool // follow instead of a text
		outcome    string
		failed     string // a verdict that must fail
		problem    string // in Problem
		hint       string // in Hint
		attempts   int
		drawnTitle string
	}{
		{name: "success", bot: badBot(200, "success"), mode: "safe", outcome: "silent", attempts: 1},
		{name: "empty", bot: badBot(200, ""), mode: "safe", outcome: "silent", attempts: 1},
		{name: "JSON", bot: badBot(200, `{"errcode":0}`), mode: "safe", outcome: "fallback", failed: "XML 格式正确", problem: "不是 XML", attempts: 1},
		{name: "500", bot: badBot(500, "boom"), mode: "safe", outcome: "fallback", failed: "HTTP 200", hint: "日志", attempts: 1},
		{name: "plaintext refused", bot: badBot(403, "Forbidden"), mode: "plaintext", outcome: "fallback", failed: "HTTP 200", hint: "WECHAT_ALLOW_PLAINTEXT=1", attempts: 1},
		{name: "plaintext refused by wxkit", bot: wxkitBot(t), mode: "plaintext", outcome: "fallback", failed: "HTTP 200", hint: "WECHAT_ALLOW_PLAINTEXT=1", attempts: 1},
		{name: "wxkit in safe mode", bot: wxkitBot(t), mode: "safe", outcome: "reply", attempts: 1},
		{name: "403 encrypted", bot: badBot(403, "Forbidden"), mode: "safe", outcome: "fallback", hint: "WECHAT_TOKEN", attempts: 1},
		{name: "plaintext reply in safe mode", bot: plainReply("text", "<Content>hi</Content>"), mode: "safe", outcome: "fallback", failed: "回复已加密", attempts: 1},
		{name: "plaintext reply in compatible mode", bot: plainReply("text", "<Content>hi</Content>"), mode: "compatible", outcome: "reply", attempts: 1},
		{name: "bad MsgSignature", bot: sealed(t, message.Text("hi"), func(b string) string {
			i := strings.Index(b, "<MsgSignature><![CDATA[") + len("<MsgSignature><![CDATA[")
			return b[:i] + strings.Repeat("0", 40) + b[i+40:]
		}), mode: "safe", outcome: "fallback", failed: "回复签名有效", attempts: 1},
		{name: "two articles to a message", bot: plainReply("news", twoArticles), mode: "plaintext", outcome: "fallback", failed: "回复限制", problem: "1 篇", attempts: 1},
		{name: "two articles to an event", bot: plainReply("news", twoArticles), mode: "plaintext", event: true, outcome: "reply", attempts: 1, drawnTitle: "a"},
		{name: "music without thumb", bot: plainReply("music", "<Music><Title>t</Title></Music>"), mode: "plaintext", outcome: "fallback", failed: "回复限制", attempts: 1},
		{name: "unknown type", bot: plainReply("sticker", ""), mode: "plaintext", outcome: "fallback", failed: "回复限制", attempts: 1},
		{name: "transfer", bot: sealed(t, message.TransferCustomerService("kf1@wx"), func(b string) string { return b }), mode: "safe", outcome: "reply", attempts: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			base, _, openID := simFor(t, startBot(t, tt.bot), options{}, "-mode", tt.mode)
			if !tt.event {
				follow(t, base, openID)
			}
			var ex exchange
			if tt.event {
				ex = follow(t, base, openID)
			} else {
				ex = sendText(t, base, openID, "hello")
			}
			if ex.Outcome != tt.outcome || len(ex.Attempts) != tt.attempts {
				t.Fatalf("outcome %s after %d attempts, want %s after %d (problem %q, verdicts %+v)", ex.Outcome, len(ex.Attempts), tt.outcome, tt.attempts, ex.Problem, ex.Verdicts)
			}
			if tt.failed != "" && verdictState(ex, tt.failed) != "fail" {
				t.Errorf("verdict %s is %q, want fail: %+v", tt.failed, verdictState(ex, tt.failed), ex.Verdicts)
			}
			if !strings.Contains(ex.Problem, tt.problem) || !strings.Contains(ex.Hint, tt.hint) {
				t.Errorf("problem %q, hint %q; want them to mention %q and %q", ex.Problem, ex.Hint, tt.problem, tt.hint)
			}
			if (ex.Outcome == "fallback") != (ex.Problem != "") || (ex.Outcome == "reply") != (len(ex.Bubbles) > 0) {
				t.Errorf("outcome %s with problem %q and %d bubbles", ex.Outcome, ex.Problem, len(ex.Bubbles))
			}
			if tt.drawnTitle != "" && (len(ex.Bubbles) != 1 || len(ex.Bubbles[0].Articles) != 2 || ex.Bubbles[0].Articles[0].Title != tt.drawnTitle) {
				t.Errorf("bubbles %+v", ex.Bubbles)
			}
		})
	}
}

// TestRetries checks WeChat's retries: the same push up to 3 times, each
// attempt cut at the timeout; an answer to a retry is shown with a failed
// deadline verdict, and no answer at all is the fallback.
func TestRetries(t *testing.T) {
	t.Parallel()
	for _, answerOn := range []int{2, 0} { // 0: never
		var (
			mu      sync.Mutex
			queries []string
		)
		bot := startBot(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			mu.Lock()
			queries = append(queries, r.URL.RawQuery)
			n := len(queries)
			mu.Unlock()
			if n == answerOn {
				io.WriteString(w, "success")
				return
			}
			<-r.Context().Done() // WeChat hangs up at the timeout
		}))
		// Long enough for an answer on a busy machine, short enough for a test.
		base, _, openID := simFor(t, bot, options{timeout: 500 * time.Millisecond})
		ex := follow(t, base, openID)
		mu.Lock()
		got := append([]string(nil), queries...)
		mu.Unlock()
		want := 3
		if answerOn > 0 {
			want = answerOn
		}
		if len(got) != want || len(ex.Attempts) != want {
			t.Fatalf("answer on %d: the bot saw %d pushes and the panel %d attempts, want %d", answerOn, len(got), len(ex.Attempts), want)
		}
		for _, q := range got[1:] {
			if q != got[0] {
				t.Errorf("a retry differs from the first push: %s vs %s", q, got[0])
			}
		}
		if verdictState(ex, "微信重试") != "warn" || verdictState(ex, "500ms内应答") != "fail" {
			t.Errorf("answer on %d: verdicts %+v", answerOn, ex.Verdicts)
		}
		switch answerOn {
		case 0:
			if ex.Outcome != "fallback" || !ex.Attempts[2].TimedOut || !strings.Contains(ex.Hint, "success") {
				t.Errorf("no answer: outcome %s, attempts %+v, hint %q", ex.Outcome, ex.Attempts, ex.Hint)
			}
		default:
			if ex.Outcome != "silent" || !ex.Attempts[0].TimedOut || ex.Attempts[1].TimedOut || ex.Attempts[1].Status != 200 {
				t.Errorf("answer on %d: outcome %s, attempts %+v", answerOn, ex.Outcome, ex.Attempts)
			}
		}
	}
}

// TestUnreachableBot checks a webhook nobody listens on: the fallback, and a
// hint to start the bot.
func TestUnreachableBot(t *testing.T) {
	t.Parallel()
	// Port 0 cannot be listened on, so nothing ever answers there: a port
	// closed after use could be taken by a parallel test meanwhile.
	base, _, openID := simFor(t, "http://127.0.0.1:0/wechat", options{})
	ex := follow(t, base, openID)
	if ex.Outcome != "fallback" || len(ex.Attempts) != 1 || ex.Attempts[0].Error == "" || !strings.Contains(ex.Hint, "启动") {
		t.Errorf("outcome %s, attempts %+v, hint %q", ex.Outcome, ex.Attempts, ex.Hint)
	}
	if strings.Contains(ex.Attempts[0].Error, "signature=") {
		t.Errorf("the error repeats the URL: %s", ex.Attempts[0].Error)
	}
	var st state
	call(t, base, http.MethodGet, "/state", nil, &st)
	if !st.Followers[0].Following {
		t.Error("the follower does not follow after subscribing, although the bot was down")
	}
}

// TestLateReplies checks that customer-service messages after a slow exchange
// are tied to it, and that identical ones, as a bot that handles each retry as
// a new message sends, are flagged.
func TestLateReplies(t *testing.T) {
	t.Parallel()
	var (
		oa   *officialaccount.OfficialAccount
		sent = make(chan error, 8)
	)
	bot := startBot(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		<-r.Context().Done() // misses the deadline, then replies late: once per attempt
		sent <- customerservice.New(oa).Send(context.Background(), r.URL.Query().Get("openid"), customerservice.Text{Content: "迟到的回复"})
	}))
	base, sim, openID := simFor(t, bot, options{timeout: 100 * time.Millisecond})
	oa = botAccount(t, base)
	sim.fake.AddFollower(wechattest.Follower{OpenID: openID})
	sim.fake.OpenWindow(openID)
	ex := sendText(t, base, openID, "慢慢来")
	for range 3 {
		if err := <-sent; err != nil {
			t.Fatal(err)
		}
	}
	testutil.WaitFor(t, func() bool {
		var got exchange
		call(t, base, http.MethodGet, "/exchanges/"+strconv.Itoa(ex.ID), nil, &got)
		return verdictState(got, "迟到的回复") == "warn"
	}, "the late replies flagged on exchange %d", ex.ID)
}

// TestLateReplyBeforeAnswer: a bot's customer-service message can reach the
// platform before its "success" reaches the simulator (wxkit sends both at its
// deadline). It is held until the exchange ends and tied to it then, if the
// exchange was slow; a quick exchange lets it go as an ordinary
// customer-service message.
func TestLateReplyBeforeAnswer(t *testing.T) {
	t.Parallel()
	const timeout = 200 * time.Millisecond
	var (
		oa    *officialaccount.OfficialAccount
		sim   *Sim
		first atomic.Bool
		quick atomic.Bool // the test sends the quick exchange's push
	)
	// held reports whether the follower's last exchange holds a
	// customer-service message that came during its first attempt.
	held := func(openID string) bool {
		sim.mu.Lock()
		defer sim.mu.Unlock()
		f := sim.followerLocked(openID)
		for i := len(f.chat) - 1; i >= 0; i-- {
			if ex := f.chat[i].Exchange; ex != nil {
				return len(ex.early) > 0
			}
		}
		return false
	}
	send := func(r *http.Request, content string) {
		// Not on r's context: on a busy machine the attempt can time out
		// while the send is under way, and the message must still go.
		if err := customerservice.New(oa).Send(context.WithoutCancel(r.Context()), r.URL.Query().Get("openid"), customerservice.Text{Content: content}); err != nil {
			t.Error(err)
		}
	}
	bot := startBot(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		switch {
		case quick.Load():
			// The message is drawn while the attempt is under way, then the
			// bot answers at once: the exchange ends quick with it held.
			send(r, "顺手发的客服消息")
			for deadline := time.Now().Add(timeout / 2); !held(r.URL.Query().Get("openid")); time.Sleep(time.Millisecond) {
				if time.Now().After(deadline) {
					t.Error("the quick exchange's customer-service message was not held during its attempt")
					break
				}
			}
		case first.CompareAndSwap(false, true): // a retry is answered at once
			send(r, "迟到的回复")
			time.Sleep(timeout * 9 / 10) // the bot is slow: past 80% of the simulator's timeout
		}
		_, _ = io.WriteString(w, "success")
	}))
	base, sim, openID := simFor(t, bot, options{timeout: timeout})
	oa = botAccount(t, base)
	sim.fake.AddFollower(wechattest.Follower{OpenID: openID})
	sim.fake.OpenWindow(openID)
	ex := sendText(t, base, openID, "慢慢来") // returns once the exchange has ended
	if got := verdictState(ex, "迟到的回复"); got != "info" {
		t.Errorf("late-reply verdict %q, want info: %+v", got, ex.Verdicts)
	}
	// A quick exchange leaves a customer-service message alone.
	quick.Store(true)
	quickEx := sendText(t, base, openID, "快")
	if got := verdictState(quickEx, "迟到的回复"); got != "" {
		t.Errorf("a quick exchange got the late-reply verdict %q", got)
	}
	if quickEx.Outcome != "silent" || len(quickEx.Attempts) != 1 {
		t.Errorf("the quick exchange: outcome %s, attempts %+v; want silent at the first attempt", quickEx.Outcome, quickEx.Attempts)
	}
	sim.mu.Lock()
	kept := sim.exchanges[quickEx.ID]
	early, late := len(kept.early), len(kept.late)
	sim.mu.Unlock()
	if early != 0 || late != 0 {
		t.Errorf("the quick exchange keeps %d held and %d late messages, want none", early, late)
	}
	var chat []entry
	call(t, base, http.MethodGet, "/followers/"+openID+"/chat", nil, &chat)
	last := chat[len(chat)-1]
	if last.Delivery == nil || last.Delivery.Source != "custom" || last.Delivery.Bubble.Text != "顺手发的客服消息" || last.Seq < quickEx.ID {
		t.Errorf("the chat ends with %+v, want the customer-service message after the quick exchange", last)
	}
	// The slow exchange keeps its one late reply.
	call(t, base, http.MethodGet, "/exchanges/"+strconv.Itoa(ex.ID), nil, &ex)
	if got := verdictState(ex, "迟到的回复"); got != "info" {
		t.Errorf("after the quick exchange, the slow one's late-reply verdict is %q, want info", got)
	}
}

// TestLateReplyOfWxkit checks the wxkit way: the webhook answers success at
// its deadline and the handler's reply goes out through the customer-service
// API once; the exchange names it, without a warning.
func TestLateReplyOfWxkit(t *testing.T) {
	t.Parallel()
	base, _, openID := simFor(t, "http://127.0.0.1:1/wechat", options{timeout: 100 * time.Millisecond})
	oa := botAccount(t, base)
	mux := message.NewMux()
	mux.HandleEvent(message.EventSubscribe, func(context.Context, *message.Message) message.Reply { return message.Text("hi") })
	mux.HandleText(func(ctx context.Context, m *message.Message) message.Reply {
		<-ctx.Done() // a slow handler: it answers once its deadline has passed
		return message.Text("想好了：" + m.Content)
	})
	srv := message.NewServer(oa, mux, message.WithDeadline(90*time.Millisecond), message.WithOnLateReply(customerservice.New(oa).OnLateReply))
	testutil.Shutdown(t, srv)
	call(t, base, http.MethodPut, "/webhook", map[string]string{"url": startBot(t, srv)}, nil)
	follow(t, base, openID)
	ex := sendText(t, base, openID, "慢慢来")
	testutil.WaitFor(t, func() bool {
		var got exchange
		call(t, base, http.MethodGet, "/exchanges/"+strconv.Itoa(ex.ID), nil, &got)
		return verdictState(got, "迟到的回复") == "info"
	}, "the late reply tied to exchange %d", ex.ID)
	var chat []entry
	call(t, base, http.MethodGet, "/followers/"+openID+"/chat", nil, &chat)
	last := chat[len(chat)-1]
	if last.Delivery == nil || last.Delivery.Bubble.Text != "想好了：慢慢来" {
		t.Errorf("the chat ends with %+v, want the late reply", last)
	}
}
