package message

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/internal/wxcrypto"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

var modes = []wechattest.Mode{wechattest.ModePlaintext, wechattest.ModeCompatible, wechattest.ModeSafe}

// harness is one Server on a fake platform, with its log captured.
type harness struct {
	t    testing.TB
	fake *wechattest.Server
	srv  *Server
	logs *syncBuffer
}

func newHarness(t testing.TB, h Handler, opts ...Option) *harness {
	t.Helper()
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	return newHarnessConfig(t, fake, fake.Config(), h, opts...)
}

func newHarnessConfig(t testing.TB, fake *wechattest.Server, cfg officialaccount.Config, h Handler, opts ...Option) *harness {
	t.Helper()
	logs := &syncBuffer{}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	oa, err := officialaccount.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// One server takes all three modes, as during a console switch: the tests
	// of the default refusal build their own.
	opts = append([]Option{WithAllowPlaintext()}, opts...)
	return &harness{t: t, fake: fake, srv: NewServer(oa, h, opts...), logs: logs}
}

// client returns a push client of the fake platform for mode; requests it builds
// are served in-process with serve.
func (hs *harness) client(mode wechattest.Mode) *wechattest.WebhookClient {
	return hs.fake.WebhookClient("http://webhook.test/wechat", mode)
}

// serve serves req in-process. A request that is not answered within
// testutil.WaitTimeout fails the test instead of hanging it: every answer is due
// within the deadline.
func (hs *harness) serve(req *http.Request) *httptest.ResponseRecorder {
	return serveBounded(hs.t, hs.srv, req)
}

// serveBounded serves req and returns the answer once it is whole: when
// ServeHTTP returns, or when the answer is flushed, as the Server does when a
// handler misses its deadline (the answer leaves then, and ServeHTTP returns
// only with the handler).
func serveBounded(t testing.TB, h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	rec := newFlushRecorder()
	done := serveAsync(h, rec, req)
	select {
	case <-done:
	case <-rec.flushed:
	case <-time.After(testutil.WaitTimeout):
		t.Fatalf("%s %s: no answer within %s", req.Method, req.URL.Path, testutil.WaitTimeout)
		return nil
	}
	return rec.snapshot()
}

// serveAsync serves req on w on a goroutine of its own and returns a channel
// closed once ServeHTTP has returned.
func serveAsync(h http.Handler, w http.ResponseWriter, req *http.Request) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.ServeHTTP(w, req)
	}()
	return done
}

func newFlushRecorder() *flushRecorder {
	return &flushRecorder{rec: httptest.NewRecorder(), flushed: make(chan struct{})}
}

// flushRecorder records an answer that may be written on another goroutine
// than ServeHTTP's, and closes flushed at the first Flush.
type flushRecorder struct {
	mu      sync.Mutex
	rec     *httptest.ResponseRecorder
	flushed chan struct{}
	once    sync.Once
}

func (f *flushRecorder) Header() http.Header {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rec.Header()
}

func (f *flushRecorder) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rec.Write(p)
}

func (f *flushRecorder) WriteHeader(code int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rec.WriteHeader(code)
}

func (f *flushRecorder) Flush() {
	f.mu.Lock()
	f.rec.Flush()
	f.mu.Unlock()
	f.once.Do(func() { close(f.flushed) })
}

// snapshot is a copy of the answer so far.
func (f *flushRecorder) snapshot() *httptest.ResponseRecorder {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := httptest.NewRecorder()
	maps.Copy(out.Header(), f.rec.Header().Clone())
	out.Code = f.rec.Code
	out.Body.Write(f.rec.Body.Bytes())
	out.Flushed = f.rec.Flushed
	return out
}

// push sends msg in mode and returns the checked reply.
func (hs *harness) push(t testing.TB, mode wechattest.Mode, msg []byte) *wechattest.WebhookReply {
	t.Helper()
	c := hs.client(mode)
	req, err := c.NewRequest(context.Background(), msg)
	if err != nil {
		t.Fatal(err)
	}
	rec := hs.serve(req)
	reply, err := c.DecodeReply(rec.Code, rec.Body.Bytes())
	if err != nil {
		t.Fatalf("push in %s mode: %v (log: %s)", mode, err, hs.logs)
	}
	if want := mode != wechattest.ModePlaintext; !reply.Success && reply.Encrypted != want {
		t.Errorf("push in %s mode: reply encrypted = %v, want %v", mode, reply.Encrypted, want)
	}
	return reply
}

type syncBuffer = testutil.SyncBuffer

// TestServePayloads pushes every real payload in every mode: the handler must
// see exactly what parseMessage reads, and the reply must reach WeChat intact.
func TestServePayloads(t *testing.T) {
	t.Parallel()
	for name := range loadPayloads(t) {
		if strings.HasPrefix(name, "envelope_") {
			continue // TestServeOfficialEnvelopes
		}
		raw := readPayload(t, name)
		want, err := parseMessage(raw)
		if err != nil {
			t.Fatal(err)
		}
		for _, mode := range modes {
			t.Run(name+"/"+mode.String(), func(t *testing.T) {
				t.Parallel()
				var got *Message
				hs := newHarness(t, HandlerFunc(func(_ context.Context, m *Message) Reply {
					got = m
					return Text("got " + string(m.MsgType) + " " + string(m.Event))
				}))
				reply := hs.push(t, mode, raw)
				if got == nil {
					t.Fatal("handler not called")
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("handler saw\n%+v\nwant\n%+v", got, want)
				}
				r := reply.Message
				if r.MsgType != "text" || r.Content != "got "+string(want.MsgType)+" "+string(want.Event) ||
					r.ToUserName != want.FromUserName || r.FromUserName != want.ToUserName || r.CreateTime == 0 {
					t.Errorf("reply = %+v", r)
				}
			})
		}
	}
}

// TestServeOfficialEnvelopes serves the two encrypted bodies WeChat's own docs
// and samples give, with their original query strings.
func TestServeOfficialEnvelopes(t *testing.T) {
	t.Parallel()
	for name, tc := range loadPayloads(t) {
		if !strings.HasPrefix(name, "envelope_") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			q := tc.Query
			fake := wechattest.NewServer()
			t.Cleanup(fake.Close)
			cfg := fake.Config()
			cfg.AppID, cfg.Token, cfg.EncodingAESKey = q["appid"], q["token"], q["encoding_aes_key"]
			var got *Message
			hs := newHarnessConfig(t, fake, cfg, HandlerFunc(func(_ context.Context, m *Message) Reply {
				got = m
				return nil
			}), WithTimestampSkew(0)) // the samples are years old
			if q["signature"] == "" {
				// The Python sample signs only msg_signature; WeChat sends the
				// 3-field signature with every push, safe mode included (the
				// component doc's example has it), and the server checks it first.
				q["signature"] = wxcrypto.Signature(q["token"], q["timestamp"], q["nonce"])
			}
			params := []string{}
			for _, k := range []string{"signature", "timestamp", "nonce", "openid", "encrypt_type", "msg_signature"} {
				if v := q[k]; v != "" {
					params = append(params, k+"="+v)
				}
			}
			req := httptest.NewRequest(http.MethodPost, "/wechat?"+strings.Join(params, "&"), bytes.NewReader(readPayload(t, name)))
			rec := hs.serve(req)
			if rec.Code != 200 || rec.Body.String() != "success" {
				t.Fatalf("answer = %d %q, want 200 success (log: %s)", rec.Code, rec.Body, hs.logs)
			}
			if got == nil || string(got.Raw) != tc.Expect["decrypted_plaintext"] {
				t.Fatalf("handler saw %+v", got)
			}
		})
	}
}

func TestNoReplyAnswersSuccess(t *testing.T) {
	t.Parallel()
	for _, h := range []HandlerFunc{
		func(context.Context, *Message) Reply { return nil },
		func(context.Context, *Message) Reply { return NoReply() },
	} {
		hs := newHarness(t, h)
		for _, mode := range modes {
			c := hs.client(mode)
			req, _ := c.NewRequest(context.Background(), c.Text("o1", "hi"))
			rec := hs.serve(req)
			if rec.Code != 200 || rec.Body.String() != "success" || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") {
				t.Errorf("%s: answer = %d %q %q, want 200 success text/plain", mode, rec.Code, rec.Body, rec.Header().Get("Content-Type"))
			}
		}
	}
}

func TestURLVerification(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, nil)
	c := hs.client(wechattest.ModeSafe)
	req, err := c.NewVerifyRequest(context.Background(), "4375120948345356249")
	if err != nil {
		t.Fatal(err)
	}
	rec := hs.serve(req)
	if rec.Code != 200 || rec.Body.String() != "4375120948345356249" {
		t.Errorf("verification = %d %q, want 200 and the echostr", rec.Code, rec.Body)
	}

	// The official example: token AAAAA.
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	cfg := fake.Config()
	cfg.Token = "AAAAA"
	doc := newHarnessConfig(t, fake, cfg, nil, WithTimestampSkew(0)) // the doc's timestamp is from 2024
	rec = doc.serve(httptest.NewRequest(http.MethodGet, "/wechat?signature=f464b24fc39322e44b38aa78f5edd27bd1441696&echostr=4375120948345356249&timestamp=1714036504&nonce=1514711492", nil))
	if rec.Code != 200 || rec.Body.String() != "4375120948345356249" {
		t.Errorf("doc vector verification = %d %q", rec.Code, rec.Body)
	}
}

// TestURLVerificationEncrypted answers an encrypted echostr signed with
// msg_signature, using the echostr vector of WeChat's C# sample.
func TestURLVerificationEncrypted(t *testing.T) {
	t.Parallel()
	v := loadVector(t, "echostr-QDG6eK-verify-url")
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	cfg := fake.Config()
	cfg.AppID, cfg.Token, cfg.EncodingAESKey = v.ReceiveID, v.Token, v.EncodingAESKey
	hs := newHarnessConfig(t, fake, cfg, nil, WithTimestampSkew(0))
	target := "/wechat?msg_signature=" + v.MsgSignature + "&timestamp=" + v.Timestamp + "&nonce=" + v.Nonce +
		"&echostr=" + urlEscape(v.Encrypt)
	rec := hs.serve(httptest.NewRequest(http.MethodGet, target, nil))
	if rec.Code != 200 || rec.Body.String() != v.Plaintext {
		t.Errorf("encrypted verification = %d %q, want 200 %q (log: %s)", rec.Code, rec.Body, v.Plaintext, hs.logs)
	}
}

// TestLongEncryptedReplyAllocs: an encrypted reply whose envelope outgrows the
// push's pooled buffer grows that buffer for the pushes after it, instead of
// allocating an envelope on every push: a reply whose envelope does not fit
// in a new buffer costs the allocations of one whose envelope does (both
// replies over 1 KiB of XML, which the dedup store copies into an allocation
// of its own).
func TestLongEncryptedReplyAllocs(t *testing.T) {
	if testutil.Race {
		t.Skip("allocation counts are not kept under the race detector (sync.Pool drops items at random)")
	}
	allocs := func(reply string) float64 {
		store, tick := freshStore()
		hs := newHarness(t, HandlerFunc(func(context.Context, *Message) Reply { return Text(reply) }), WithDedupStore(store))
		c := hs.client(wechattest.ModeSafe)
		req, body := benchRequest(t, c, c.Text("o1", "x"))
		rd := bytes.NewReader(body)
		req.Body = io.NopCloser(rd)
		w := newBenchWriter()
		push := func() {
			tick()
			rd.Reset(body)
			w.reset()
			hs.srv.ServeHTTP(w, req)
		}
		push() // the pool's buffer grows here, once
		return testing.AllocsPerRun(200, push)
	}
	short := allocs(strings.Repeat("长回复", 100)) // 900 bytes of text: the reply's XML and its envelope fit in 4 KiB
	long := allocs(strings.Repeat("长回复", 170))  // 1530 bytes: they need more
	if long > short {
		t.Errorf("a reply of 1530 bytes of text costs %v allocations a push, one of 900 bytes %v: the envelope is allocated each time", long, short)
	}
}
