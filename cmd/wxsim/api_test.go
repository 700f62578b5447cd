package main

import (
	"bufio"
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wxkit/wechat/customerservice"
	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/menu"
	"github.com/wxkit/wechat/message"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/qrcode"
	"github.com/wxkit/wechat/template"
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
	withKey := startWebhook(t, rec.mux())
	// A bot without an EncodingAESKey takes plaintext pushes whatever the
	// webhook's defaults about plaintext are.
	oa, err := officialaccount.New(officialaccount.Config{AppID: wechattest.SandboxAppID, Token: wechattest.SandboxToken})
	if err != nil {
		t.Fatal(err)
	}
	plainBot := startBot(t, message.NewServer(oa, rec.mux()))
	base, _, openID := simFor(t, withKey, options{})
	if ex := follow(t, base, openID); ex.Outcome != "reply" || ex.Bubbles[0].Text != "欢迎关注" {
		t.Fatalf("follow: outcome %s, bubbles %+v, problem %s", ex.Outcome, ex.Bubbles, ex.Problem)
	}
	for _, tt := range []struct {
		mode, webhook   string
		aes, encReply   bool
		bodyHasContent  bool
		failingVerdicts int
	}{
		{"plaintext", plainBot, false, false, true, 0},
		{"compatible", withKey, true, true, true, 0},
		{"safe", withKey, true, true, false, 0},
	} {
		call(t, base, http.MethodPut, "/webhook", map[string]string{"url": tt.webhook}, nil)
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
		base, _, openID := simFor(t, bot, options{timeout: 100 * time.Millisecond})
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
		if verdictState(ex, "微信重试") != "warn" || verdictState(ex, "100ms内应答") != "fail" {
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
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/wechat"
	srv.Close()
	base, _, openID := simFor(t, url, options{})
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

// TestFollowerActions checks what each follower action pushes, as the bot's
// wxkit parser reads it, and the refusals.
func TestFollowerActions(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	base, sim, openID := simFor(t, startWebhook(t, rec.mux()), options{})
	path := "/followers/" + openID
	if code := call(t, base, http.MethodPost, path+"/messages", map[string]string{"type": "text", "content": "hi"}, nil); code != http.StatusConflict {
		t.Errorf("text before following: %d, want 409", code)
	}
	if code := call(t, base, http.MethodPost, path+"/events", map[string]string{"event": "CLICK", "key": "K"}, nil); code != http.StatusConflict {
		t.Errorf("click before following: %d, want 409", code)
	}
	follow(t, base, openID)
	if code := call(t, base, http.MethodPost, path+"/events", map[string]string{"event": "subscribe"}, nil); code != http.StatusConflict {
		t.Errorf("a second subscribe: %d, want 409", code)
	}
	oa := botAccount(t, base)
	if err := menu.New(oa).Create(t.Context(), menu.Menu{Buttons: []menu.Button{menu.View("文档", "https://example.com/doc")}}); err != nil {
		t.Fatal(err)
	}
	_, menuID := sim.Fake().MenuFor(openID)

	push := func(kind string, body any) exchange {
		t.Helper()
		var ex exchange
		if code := call(t, base, http.MethodPost, path+"/"+kind, body, &ex); code != http.StatusOK {
			t.Fatalf("%s %v: %d", kind, body, code)
		}
		if ex.Outcome != "reply" {
			t.Fatalf("%s %v: outcome %s (%s)", kind, body, ex.Outcome, ex.Problem)
		}
		return ex
	}
	push("messages", map[string]any{"type": "location", "latitude": 23.13, "longitude": 113.35, "scale": 16, "label": "广州塔"})
	if m := rec.last(t); m.MsgType != message.MsgTypeLocation || m.LocationX != 23.13 || m.LocationY != 113.35 || m.Scale != 16 || m.Label != "广州塔" {
		t.Errorf("location: the bot got %+v", m)
	}
	push("messages", map[string]any{"type": "link", "title": "T", "description": "D", "url": "https://example.com/a"})
	if m := rec.last(t); m.MsgType != message.MsgTypeLink || m.Title != "T" || m.URL != "https://example.com/a" {
		t.Errorf("link: the bot got %+v", m)
	}
	push("messages", map[string]any{"type": "text", "content": "满意", "bizmsgmenuid": "101"})
	if m := rec.last(t); m.Content != "满意" || m.BizMsgMenuID != "101" {
		t.Errorf("menu option: the bot got %+v", m)
	}
	push("events", map[string]any{"event": "CLICK", "key": "V1001", "name": "今日歌曲"})
	if m := rec.last(t); m.Event != message.EventClick || m.EventKey != "V1001" {
		t.Errorf("CLICK: the bot got %+v", m)
	}
	push("events", map[string]any{"event": "VIEW", "key": "https://example.com/doc"})
	if m := rec.last(t); m.Event != message.EventView || m.EventKey != "https://example.com/doc" || m.MenuID != menuID || menuID == 0 {
		t.Errorf("VIEW: the bot got %+v, want MenuId %d", m, menuID)
	}
	push("events", map[string]any{"event": "scancode_waitmsg", "key": "rselfmenu_0_0", "scanResult": "https://a.cn/q?x=1&y=]]>"})
	if m := rec.last(t); m.ScanCodeInfo.ScanType != "qrcode" || m.ScanCodeInfo.ScanResult != "https://a.cn/q?x=1&y=]]>" {
		t.Errorf("scancode: the bot got %+v", m.ScanCodeInfo)
	}
	push("events", map[string]any{"event": "location_select", "key": "loc", "latitude": 39.9, "longitude": 116.4, "label": "天安门"})
	if m := rec.last(t); m.SendLocationInfo.LocationX != 39.9 || m.SendLocationInfo.Label != "天安门" {
		t.Errorf("location_select: the bot got %+v", m.SendLocationInfo)
	}
	push("events", map[string]any{"event": "LOCATION", "latitude": 39.9, "longitude": 116.4, "precision": 30})
	if m := rec.last(t); m.Event != message.EventLocation || m.Latitude != 39.9 || m.Precision != 30 {
		t.Errorf("LOCATION: the bot got %+v", m)
	}

	for _, bad := range []struct {
		kind string
		body any
	}{
		{"messages", map[string]any{"type": "text", "content": "  "}},
		{"messages", map[string]any{"type": "text", "content": strings.Repeat("长", maxTextRunes+1)}},
		{"messages", map[string]any{"type": "voice"}},
		{"messages", map[string]any{"type": "location", "latitude": 91}},
		{"messages", map[string]any{"type": "link", "title": "x", "url": "javascript:alert(1)"}},
		{"events", map[string]any{"event": "VIEW", "key": "ftp://x"}},
		{"events", map[string]any{"event": "CLICK"}},
		{"events", map[string]any{"event": "scan", "ticket": "nope"}},
		{"events", map[string]any{"event": "TEMPLATESENDJOBFINISH"}},
		{"events", map[string]any{"event": "CLICK", "key": strings.Repeat("k", maxFieldLen+1)}},
	} {
		if code := call(t, base, http.MethodPost, path+"/"+bad.kind, bad.body, nil); code != http.StatusBadRequest {
			t.Errorf("%s %v: %d, want 400", bad.kind, bad.body, code)
		}
	}
	if code := call(t, base, http.MethodPost, "/followers/nobody/messages", map[string]string{"type": "text", "content": "x"}, nil); code != http.StatusConflict && code != http.StatusNotFound {
		t.Errorf("unknown follower: %d", code)
	}

	// Unfollow: the bot hears it, the follower sees no answer.
	ex := exchange{}
	call(t, base, http.MethodPost, path+"/events", map[string]string{"event": "unsubscribe"}, &ex)
	if m := rec.last(t); m.Event != message.EventUnsubscribe || ex.Outcome != "silent" || len(ex.Bubbles) != 0 || sim.Fake().IsFollower(openID) {
		t.Errorf("unsubscribe: the bot got %s, outcome %s, bubbles %v", m.Event, ex.Outcome, ex.Bubbles)
	}
}

// TestScan checks scanning the bot's parametric QR code: a stranger follows
// (subscribe with qrscene_), a follower gets SCAN.
func TestScan(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	base, _, openID := simFor(t, startWebhook(t, rec.mux()), options{})
	oa := botAccount(t, base)
	code, err := qrcode.New(oa).Temporary(t.Context(), qrcode.String("渠道-7"), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var codes []struct {
		Ticket, Scene string
		Image         string `json:"image"`
	}
	call(t, base, http.MethodGet, "/qrcodes", nil, &codes)
	if len(codes) != 1 || codes[0].Ticket != code.Ticket || codes[0].Scene != "渠道-7" {
		t.Fatalf("GET /qrcodes = %+v", codes)
	}
	resp, err := http.Get(base + codes[0].Image)
	if err != nil {
		t.Fatal(err)
	}
	img, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if got := testutil.DecodeQR(t, img); got != code.URL {
		t.Errorf("the QR image through the simulator reads %q, want %q", got, code.URL)
	}
	for _, want := range []struct {
		event message.Event
		key   string
	}{{message.EventSubscribe, "qrscene_渠道-7"}, {message.EventScan, "渠道-7"}} {
		var ex exchange
		if c := call(t, base, http.MethodPost, "/followers/"+openID+"/events", map[string]string{"event": "scan", "ticket": code.Ticket}, &ex); c != http.StatusOK {
			t.Fatalf("scan: %d", c)
		}
		m := rec.last(t)
		if m.Event != want.event || m.EventKey != want.key || m.Ticket != code.Ticket || ex.Sent.Event != string(want.event) || ex.Sent.Label != "渠道-7" {
			t.Errorf("scan: the bot got %s %q (ticket %q); the chat shows %+v; want %s %q", m.Event, m.EventKey, m.Ticket, ex.Sent, want.event, want.key)
		}
	}
}

// TestImage sends a picture: the push carries a PicUrl the bot can fetch and
// a MediaId; a file that is no image is refused.
func TestImage(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	base, _, openID := simFor(t, startWebhook(t, rec.mux()), options{})
	follow(t, base, openID)
	png := testPNG(t)
	code, ex := postImage(t, base, openID, png, "event", "pic_photo_or_album", "key", "PIC", "name", "相册")
	if code != http.StatusOK || ex.Outcome != "reply" || ex.Sent.Type != "image" {
		t.Fatalf("image: %d %+v", code, ex)
	}
	m := rec.last(t)
	if m.MsgType != message.MsgTypeImage || m.MediaID == "" || !strings.HasPrefix(m.PicURL, base+"/") {
		t.Fatalf("the bot got %+v", m)
	}
	resp, err := http.Get(m.PicURL)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, png) {
		t.Errorf("PicUrl serves %d bytes, want the %d sent", len(got), len(png))
	}
	rec.mu.Lock()
	pic := rec.msgs[len(rec.msgs)-2]
	rec.mu.Unlock()
	if pic.Event != message.EventPicPhotoOrAlbum || pic.EventKey != "PIC" || pic.SendPicsInfo.Count != 1 || len(pic.SendPicsInfo.PicList) != 1 {
		t.Errorf("the picture button's event: %+v", pic)
	}
	if code, _ := postImage(t, base, openID, []byte("not an image at all")); code != http.StatusBadRequest {
		t.Errorf("a text file: %d, want 400", code)
	}
	if code, _ := postImage(t, base, openID, append(png, make([]byte, maxImageSize)...)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("an 11 MB image: %d, want 413", code)
	}
}

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

// TestGuard checks the refusals that keep other sites and big bodies out.
func TestGuard(t *testing.T) {
	t.Parallel()
	base, _, _ := simFor(t, "http://127.0.0.1:1/wechat", options{})
	do := func(method, path, body string, header map[string]string) int {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		for k, v := range header {
			if k == "Host" {
				req.Host = v
			} else {
				req.Header.Set(k, v)
			}
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	jsonCT := map[string]string{"Content-Type": "application/json"}
	with := func(k, v string) map[string]string {
		return map[string]string{"Content-Type": "application/json", k: v}
	}
	mode := `{"mode":"safe"}`
	tests := []struct {
		name, method, path, body string
		header                   map[string]string
		want                     int
	}{
		{"page", "GET", "/", "", nil, 200},
		{"page on localhost", "GET", "/", "", map[string]string{"Host": "localhost:9000"}, 200},
		{"rebinding", "GET", "/wxsim/api/state", "", map[string]string{"Host": "evil.example:9000"}, 403},
		{"rebinding to the fake", "GET", "/cgi-bin/token", "", map[string]string{"Host": "evil.example"}, 403},
		{"same origin", "PUT", "/wxsim/api/mode", mode, with("Origin", base), 200},
		{"cross-site origin", "PUT", "/wxsim/api/mode", mode, with("Origin", "https://evil.example"), 403},
		{"cross-site fetch", "PUT", "/wxsim/api/mode", mode, with("Sec-Fetch-Site", "cross-site"), 403},
		{"a form post", "PUT", "/wxsim/api/mode", "mode=safe", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415},
		{"too large", "POST", "/wxsim/api/followers", `{"nickname":"` + strings.Repeat("x", maxJSONBody) + `"}`, jsonCT, 413},
		{"malformed", "POST", "/wxsim/api/followers", `{"nickname":`, jsonCT, 400},
		{"bad mode", "PUT", "/wxsim/api/mode", `{"mode":"aes"}`, jsonCT, 400},
		{"webhook elsewhere", "PUT", "/wxsim/api/webhook", `{"url":"http://10.0.0.1/wechat"}`, jsonCT, 400},
		{"webhook with user info", "PUT", "/wxsim/api/webhook", `{"url":"http://u:p@127.0.0.1/wechat"}`, jsonCT, 400},
		{"webhook on loopback", "PUT", "/wxsim/api/webhook", `{"url":"http://localhost:8081/wechat"}`, jsonCT, 200},
		{"unknown API", "GET", "/wxsim/api/nope", "", nil, 404},
		{"unknown exchange", "GET", "/wxsim/api/exchanges/999", "", nil, 404},
		{"empty nickname", "POST", "/wxsim/api/followers", `{"nickname":" "}`, jsonCT, 400},
	}
	for _, tt := range tests {
		if got := do(tt.method, tt.path, tt.body, tt.header); got != tt.want {
			t.Errorf("%s: %s %s = %d, want %d", tt.name, tt.method, tt.path, got, tt.want)
		}
	}
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("the page's CSP is %q", csp)
	}
}

// TestVerify checks the URL verification the page runs.
func TestVerify(t *testing.T) {
	t.Parallel()
	good := startWebhook(t, (&recorder{}).mux())
	base, _, _ := simFor(t, good, options{})
	var out struct {
		OK    bool
		Error string
	}
	call(t, base, http.MethodPost, "/verify", nil, &out)
	if !out.OK {
		t.Errorf("verify against a wxkit bot: %+v", out)
	}
	call(t, base, http.MethodPut, "/webhook", map[string]string{"url": startBot(t, badBot(200, "nope"))}, nil)
	out.OK, out.Error = false, ""
	call(t, base, http.MethodPost, "/verify", nil, &out)
	if out.OK || !strings.Contains(out.Error, "echostr") && !strings.Contains(out.Error, "verification") {
		t.Errorf("verify against a bot that answers nope: %+v", out)
	}
}

// TestProxy checks that the bot's API calls reach the fake through the
// simulator and that a menu change reaches the page.
func TestProxy(t *testing.T) {
	t.Parallel()
	base, _, openID := simFor(t, "http://127.0.0.1:1/wechat", options{})
	events := stream(t, base)
	oa := botAccount(t, base)
	if err := menu.New(oa).Create(t.Context(), menu.Menu{Buttons: []menu.Button{menu.Sub("服务", menu.Click("查订单", "ORDER"))}}); err != nil {
		t.Fatal(err)
	}
	events.next(t, "menu", "/cgi-bin/menu/create")
	var m struct {
		Button []wechattest.MenuButton `json:"button"`
		MenuID int64                   `json:"menuid"`
	}
	call(t, base, http.MethodGet, "/followers/"+openID+"/menu", nil, &m)
	if len(m.Button) != 1 || m.Button[0].Name != "服务" || m.Button[0].SubButtons[0].Key != "ORDER" || m.MenuID == 0 {
		t.Errorf("GET menu = %+v", m)
	}
	resp, err := http.Post(base+"/cgi-bin/menu/create?access_token=x", "application/json", strings.NewReader(strings.Repeat("x", maxProxyBody+1)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Errorf("a %d-byte body went through the proxy", maxProxyBody+1)
	}
}

// TestBounds checks what the simulator keeps: chats and followers are bounded.
func TestBounds(t *testing.T) {
	t.Parallel()
	sim, err := New(Config{Webhook: "http://127.0.0.1:1/wechat"})
	if err != nil {
		t.Fatal(err)
	}
	testutil.Shutdown(t, sim)
	f := sim.followers[0]
	sim.mu.Lock()
	for range maxChatEntries + 10 {
		ex := &exchange{ID: sim.nextSeq()}
		sim.exchanges[ex.ID] = ex
		sim.addEntry(f, entry{Seq: ex.ID, Exchange: ex})
	}
	n, kept, first := len(f.chat), len(sim.exchanges), f.chat[0].Seq
	sim.mu.Unlock()
	if n != maxChatEntries || kept != maxChatEntries || first != 11 {
		t.Errorf("after %d entries: %d kept, %d exchanges, the first is %d", maxChatEntries+10, n, kept, first)
	}
	for i := len(seedFollowers); i < maxFollowers; i++ {
		if _, err := sim.addFollower("f"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sim.addFollower("one too many"); err == nil {
		t.Errorf("follower %d was added", maxFollowers+1)
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

// testPNG is a small PNG image.
func testPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
