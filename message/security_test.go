package message

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wxkit/wechat/internal/logsample"
	"github.com/wxkit/wechat/internal/wxcrypto"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

// newStrictHarness is a harness whose server has only the options given: no
// WithAllowPlaintext, unlike newHarness.
func newStrictHarness(t *testing.T, h Handler, opts ...Option) *harness {
	t.Helper()
	hs := newHarness(t, h)
	hs.srv = NewServer(testOA(t, hs.fake.Config()), h, append([]Option{WithLogger(hs.srv.logger)}, opts...)...)
	return hs
}

// TestPlaintextRefusedWithAESKey: with an EncodingAESKey configured, a plaintext
// push (whose signature does not cover the body) is refused unless
// WithAllowPlaintext says otherwise; without a key plaintext is the only mode.
func TestPlaintextRefusedWithAESKey(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	count := HandlerFunc(func(_ context.Context, m *Message) Reply { runs.Add(1); return Text(m.Content) })

	strict := newStrictHarness(t, count)
	c := strict.client(wechattest.ModePlaintext)
	forged := c.Text("oAnyone", "FORGED: transfer all points")
	req, _ := c.NewRequest(context.Background(), forged)
	if rec := strict.serve(req); rec.Code != http.StatusForbidden {
		t.Fatalf("plaintext push with a key configured: %d %q, want 403", rec.Code, rec.Body)
	}
	if runs.Load() != 0 {
		t.Fatal("the handler ran for a refused plaintext push")
	}
	if logs := strict.logs.String(); !strings.Contains(logs, "WithAllowPlaintext") || !strings.Contains(logs, "安全模式") {
		t.Errorf("the refusal does not say what to change: %s", logs)
	}
	for _, mode := range []wechattest.Mode{wechattest.ModeCompatible, wechattest.ModeSafe} {
		if reply := strict.push(t, mode, strict.client(mode).Text("o1", "hi")); reply.Message.Content != "hi" {
			t.Errorf("%s push refused by the strict server: %q", mode, reply.Body)
		}
	}

	allow := newStrictHarness(t, count, WithAllowPlaintext())
	if reply := allow.push(t, wechattest.ModePlaintext, c.Text("o1", "switching")); reply.Message.Content != "switching" {
		t.Errorf("WithAllowPlaintext: plaintext push answered %q", reply.Body)
	}

	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	cfg := fake.Config()
	cfg.EncodingAESKey = ""
	plainOnly := newHarnessConfig(t, fake, cfg, count)
	plainOnly.srv = NewServer(testOA(t, cfg), count) // no WithAllowPlaintext either
	if reply := plainOnly.push(t, wechattest.ModePlaintext, c.Text("o1", "plain account")); reply.Message.Content != "plain account" {
		t.Errorf("an account without a key refused plaintext: %q", reply.Body)
	}
}

func testOA(t testing.TB, cfg officialaccount.Config) *officialaccount.OfficialAccount {
	t.Helper()
	oa, err := officialaccount.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return oa
}

// signedAt is a plaintext push query signed with the sandbox token, with
// timestamp ts.
func signedAt(ts string) string {
	return url.Values{"timestamp": {ts}, "nonce": {"1"}, "signature": {wxcrypto.Signature(wechattest.SandboxToken, ts, "1")}}.Encode()
}

// TestTimestampWindow: by default a push whose signed timestamp is more than 5
// minutes off is refused, saying by how much; WithTimestampSkew(0) turns the
// check off.
func TestTimestampWindow(t *testing.T) {
	t.Parallel()
	now := time.Now().Truncate(time.Second)
	unix := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	tests := []struct {
		name, ts string
		want     int
		log      string
	}{
		{"now", unix(0), 200, ""},
		{"4 minutes old", unix(-4 * time.Minute), 200, ""},
		{"4 minutes ahead", unix(4 * time.Minute), 200, ""},
		{"an hour old", unix(-time.Hour), 403, "1h0m0s behind"},
		{"10 minutes ahead", unix(10 * time.Minute), 403, "10m0s ahead"},
		{"not a number", "abc", 403, `abc\" is not a Unix time`},
		{"2001", "978307200", 403, "NTP"},
		{"2100", "4102444800", 403, "NTP"},
		{"empty", "", 403, "not a Unix time"},
		{"huge", "99999999999999999999", 403, "not a Unix time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hs := newHarness(t, HandlerFunc(func(context.Context, *Message) Reply { return nil }),
				WithClock(func() time.Time { return now }))
			rec := hs.serve(httptest.NewRequest(http.MethodPost, "/wechat?"+signedAt(tt.ts), strings.NewReader(textMsg)))
			if rec.Code != tt.want {
				t.Fatalf("timestamp %q: status %d, want %d (log: %s)", tt.ts, rec.Code, tt.want, hs.logs)
			}
			if tt.log != "" && !strings.Contains(hs.logs.String(), tt.log) {
				t.Errorf("log lacks %q: %s", tt.log, hs.logs)
			}
			off := newHarness(t, nil, WithTimestampSkew(0), WithClock(func() time.Time { return now }))
			if tt.want == 403 && tt.ts != "" {
				if rec := off.serve(httptest.NewRequest(http.MethodPost, "/wechat?"+signedAt(tt.ts), strings.NewReader(textMsg))); rec.Code != 200 {
					t.Errorf("WithTimestampSkew(0): status %d, want 200", rec.Code)
				}
			}
		})
	}
	// The URL verification's timestamp is checked too.
	hs := newHarness(t, nil, WithClock(func() time.Time { return now }))
	old := unix(-time.Hour)
	if rec := hs.serve(httptest.NewRequest(http.MethodGet, "/wechat?echostr=1&"+signedAt(old), nil)); rec.Code != 403 {
		t.Errorf("hour-old URL verification: status %d, want 403", rec.Code)
	}
}

// TestReplayInsideWindowIsCached: a push replayed while its timestamp is inside
// the window is answered from the dedup store, even past the 1-minute dedup
// window: with the same reply inside the reply window (20 s), with "success"
// after it; once the timestamp is outside the window the replay is refused.
// The handler runs once.
func TestReplayInsideWindowIsCached(t *testing.T) {
	t.Parallel()
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	store := NewMemoryDedupStore()
	store.now = now
	var runs atomic.Int32
	hs := newHarness(t, HandlerFunc(func(_ context.Context, m *Message) Reply {
		runs.Add(1)
		return Text("once: " + m.Content)
	}), WithClock(now), WithDedupStore(store))
	c, err := wechattest.NewWebhookClient(wechattest.WebhookConfig{URL: "http://webhook.test/wechat", AppID: wechattest.SandboxAppID,
		Token: wechattest.SandboxToken, EncodingAESKey: wechattest.SandboxEncodingAESKey, Mode: wechattest.ModeSafe, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	req, err := c.NewRequest(context.Background(), c.Text("o1", "pay"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(req.Body)
	replay := func() *httptest.ResponseRecorder {
		r := req.Clone(context.Background())
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		return hs.serve(r)
	}
	for _, step := range []struct {
		after   time.Duration
		success bool // answered "success": the reply was dropped, the key kept
	}{
		{0, false}, {19 * time.Second, false}, // the reply window
		{2 * time.Second, true}, {2 * time.Minute, true}, {2*time.Minute + 34*time.Second, true}, // 4m55s in all
	} {
		clock.Add(int64(step.after))
		rec := replay()
		reply, err := c.DecodeReply(rec.Code, rec.Body.Bytes())
		if err != nil || reply.Success != step.success || !step.success && reply.Message.Content != "once: pay" {
			t.Fatalf("replay %v later: %v, %+v, want success %v (log: %s)", step.after, err, reply, step.success, hs.logs)
		}
	}
	clock.Add(int64(10 * time.Second)) // 5m5s after the push: outside the window
	if rec := replay(); rec.Code != http.StatusForbidden {
		t.Errorf("replay past the window: status %d, want 403", rec.Code)
	}
	if n := runs.Load(); n != 1 {
		t.Errorf("handler ran %d times, want 1", n)
	}
}

// readSpy is a body that records the reads made of it.
type readSpy struct {
	r        io.Reader
	mu       sync.Mutex
	reads    int
	firstLen int
}

func (s *readSpy) Read(p []byte) (int, error) {
	s.mu.Lock()
	if s.reads == 0 {
		s.firstLen = len(p)
	}
	s.reads++
	s.mu.Unlock()
	return s.r.Read(p)
}

// TestSignatureBeforeBody: a push without a valid 3-field signature is refused
// before any of its body is read, in safe mode too.
func TestSignatureBeforeBody(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, nil)
	enc := encryptFor(t, textMsg, wechattest.SandboxAppID)
	good := signedQuery(enc)
	for name, q := range map[string]url.Values{
		"safe, no signature":    {"timestamp": good["timestamp"], "nonce": good["nonce"], "encrypt_type": {"aes"}, "msg_signature": good["msg_signature"]},
		"safe, wrong signature": {"timestamp": good["timestamp"], "nonce": good["nonce"], "encrypt_type": {"aes"}, "msg_signature": good["msg_signature"], "signature": {strings.Repeat("0", 40)}},
		"plain, stale":          {"timestamp": {"1717000000"}, "nonce": {"1"}, "signature": {wxcrypto.Signature(wechattest.SandboxToken, "1717000000", "1")}},
	} {
		spy := &readSpy{r: strings.NewReader(envelope(enc))}
		req := httptest.NewRequest(http.MethodPost, "/wechat?"+q.Encode(), spy)
		req.ContentLength = int64(len(envelope(enc)))
		if rec := hs.serve(req); rec.Code != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", name, rec.Code)
		}
		if spy.reads != 0 {
			t.Errorf("%s: the body was read %d times before the request was refused", name, spy.reads)
		}
	}
	// The same body with the signature is read and served.
	spy := &readSpy{r: strings.NewReader(envelope(enc))}
	req := httptest.NewRequest(http.MethodPost, "/wechat?"+good.Encode(), spy)
	if rec := hs.serve(req); rec.Code != http.StatusOK || spy.reads == 0 {
		t.Errorf("signed safe push: status %d after %d reads", rec.Code, spy.reads)
	}
}

// TestBodyBufferGrowsAsBytesArrive: a client announcing a body just under the
// limit does not get that much memory allocated before it sends it.
func TestBodyBufferGrowsAsBytesArrive(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, nil)
	spy := &readSpy{r: strings.NewReader("<xml>")} // then EOF: the client stopped sending
	req := httptest.NewRequest(http.MethodPost, "/wechat?"+signedQuery("").Encode(), spy)
	req.ContentLength = DefaultBodyLimit - 1
	if rec := hs.serve(req); rec.Code != http.StatusBadRequest {
		t.Errorf("short body: status %d, want 400", rec.Code)
	}
	if spy.firstLen > firstRead {
		t.Errorf("the first read offered %d bytes for an announced %d: the buffer was allocated before the bytes arrived", spy.firstLen, req.ContentLength)
	}
}

// TestEncryptedEchostrWithRawPlus: WeChat may send an encrypted echostr
// without percent-encoding its '+'. It must decrypt, not turn into spaces; and a
// msg_signature that does not match is refused, never answered with the
// ciphertext because the 3-field signature matched.
func TestEncryptedEchostrWithRawPlus(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, nil)
	var enc string
	for !strings.Contains(enc, "+") {
		enc = encryptFor(t, "echo-4375120948345356249", wechattest.SandboxAppID)
	}
	ts, nonce := strconv.FormatInt(time.Now().Unix(), 10), "77"
	base := "/wechat?timestamp=" + ts + "&nonce=" + nonce + "&signature=" + wxcrypto.Signature(wechattest.SandboxToken, ts, nonce)
	msgSig := wxcrypto.Signature(wechattest.SandboxToken, ts, nonce, enc)
	for name, echostr := range map[string]string{"raw +": enc, "percent-encoded": url.QueryEscape(enc)} {
		rec := hs.serve(httptest.NewRequest(http.MethodGet, base+"&msg_signature="+msgSig+"&echostr="+echostr, nil))
		if rec.Code != 200 || rec.Body.String() != "echo-4375120948345356249" {
			t.Errorf("%s: %d %q, want 200 and the decrypted echostr (log: %s)", name, rec.Code, rec.Body, hs.logs)
		}
	}
	bad := wxcrypto.Signature(wechattest.SandboxToken, ts, nonce, "something else")
	rec := hs.serve(httptest.NewRequest(http.MethodGet, base+"&msg_signature="+bad+"&echostr="+url.QueryEscape(enc), nil))
	if rec.Code != http.StatusForbidden || strings.Contains(rec.Body.String(), enc) {
		t.Errorf("wrong msg_signature: %d %q, want 403", rec.Code, rec.Body)
	}
}

// TestRejectionLogIsSampled: a flood of bad requests makes a burst of log lines,
// then at most one a second, which counts what it left out.
func TestRejectionLogIsSampled(t *testing.T) {
	t.Parallel()
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	hs := newHarness(t, nil, WithClock(func() time.Time { return time.Unix(0, clock.Load()) }))
	flood := func(n int) {
		for range n {
			hs.serve(httptest.NewRequest(http.MethodPost, "/wechat?signature=bad&timestamp=1&nonce=2", strings.NewReader(textMsg)))
		}
	}
	flood(1000)
	if n := strings.Count(hs.logs.String(), "request rejected"); n != logsample.Burst {
		t.Fatalf("1000 rejections made %d log lines, want %d", n, logsample.Burst)
	}
	clock.Add(int64(time.Second))
	flood(1)
	if n := strings.Count(hs.logs.String(), "request rejected"); n != logsample.Burst+1 || !strings.Contains(hs.logs.String(), "suppressed=990") {
		t.Errorf("a second later: %d lines, want %d with suppressed=990: %s", n, logsample.Burst+1, hs.logs)
	}
}
