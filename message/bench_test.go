package message

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha1"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/wechattest"
)

// BenchmarkServeHTTP measures one push end to end in-process: signature,
// decryption, parsing, de-duplication, the handler on its goroutine with the
// deadline, the reply and its encryption. The request is built once; its body
// is rewound each iteration, and the answer goes to a reused ResponseWriter
// (benchWriter), since what carries the answer is the HTTP server's cost, not
// the webhook's. The dedup store's clock moves an hour per
// iteration (freshStore), so that every iteration claims its key afresh (the
// work of a new message, the oldest entry forgotten as in a full window)
// instead of being answered from the cache; the benchmark fails if the handler
// does not run every time.
//
// safe_floor, run just before safe_text, is the cryptography safe mode cannot
// do without, done directly on inputs of the same sizes: the three SHA-1s (the
// 3-field signature, msg_signature, the reply's MsgSignature) and AES-CBC
// decryption of the push and encryption of the reply. safe_text reports its
// ratios to it (time/floor, B/floor, allocs-floor): the target is time/floor ≤ 2.
func BenchmarkServeHTTP(b *testing.B) {
	cases := []struct {
		name  string
		mode  wechattest.Mode
		event bool
	}{
		{"plaintext_text", wechattest.ModePlaintext, false},
		{"safe_text", wechattest.ModeSafe, false},
		{"subscribe", wechattest.ModePlaintext, true},
	}
	var floor testutil.Floor
	for _, bc := range cases {
		if bc.mode == wechattest.ModeSafe {
			b.Run("safe_floor", func(b *testing.B) { floor.Add(safeFloor(b)) })
		}
		b.Run(bc.name, func(b *testing.B) {
			var runs int
			mux := NewMux()
			mux.HandleText(func(_ context.Context, m *Message) Reply { runs++; return Text(m.Content) })
			mux.HandleEvent(EventSubscribe, func(context.Context, *Message) Reply { runs++; return Text("欢迎关注！") })
			store, tick := freshStore()
			hs := newHarness(b, mux, WithDedupStore(store))
			c := hs.client(bc.mode)
			msg := c.Text(benchOpenID, benchText)
			if bc.event {
				msg = c.Event(benchOpenID, "subscribe", "")
			}
			req, body := benchRequest(b, c, msg)
			rd := bytes.NewReader(body)
			req.Body = io.NopCloser(rd)
			n := 0
			w := newBenchWriter()
			cost := testutil.Loop(b, func() {
				n++
				tick()
				rd.Reset(body)
				w.reset()
				hs.srv.ServeHTTP(w, req)
				if w.code != http.StatusOK || w.body.Len() < 100 {
					b.Fatalf("answer %d %q", w.code, w.body.Bytes())
				}
			})
			if runs != n { // the handler goroutine returned before each answer: runs is settled
				b.Fatalf("the handler ran %d times in %d iterations: answered from the cache", runs, n)
			}
			if bc.mode == wechattest.ModeSafe {
				floor.Report(b, cost)
			}
		})
	}
}

const (
	benchOpenID = "oia2TjuEGTNoeX76QEjQNrcURxG8"
	benchText   = "你好，这是一条测试消息 hello"
)

// safeFloor runs the cryptography of one safe-mode push and its reply,
// directly, on inputs the size of BenchmarkServeHTTP's: SHA-1 over the
// 3-field signature's input, over msg_signature's (with the <Encrypt> text)
// and over the reply's MsgSignature's; AES-256-CBC decryption of the push's
// ciphertext and encryption of the reply's padded plaintext, with the key
// schedule done once, as the Server does.
func safeFloor(b *testing.B) testutil.Cost {
	hs := newHarness(b, HandlerFunc(func(_ context.Context, m *Message) Reply { return Text(m.Content) }))
	c := hs.client(wechattest.ModeSafe)
	req, _ := benchRequest(b, c, c.Text(benchOpenID, benchText))
	wechattest.ResetBody(req)
	q := req.URL.Query()
	reqEnc := envelopeText(b, req.Body)
	wechattest.ResetBody(req)
	rec := httptest.NewRecorder()
	hs.srv.ServeHTTP(rec, req)
	replyEnc := envelopeText(b, rec.Body)

	sig3 := make([]byte, len(wechattest.SandboxToken)+len(q.Get("timestamp"))+len(q.Get("nonce")))
	sig4 := make([]byte, len(sig3)+len(reqEnc))
	sigReply := make([]byte, len(sig3)+len(replyEnc)) // the reply's timestamp has the same length
	in := make([]byte, base64.StdEncoding.DecodedLen(len(reqEnc))/aes.BlockSize*aes.BlockSize)
	out := make([]byte, base64.StdEncoding.DecodedLen(len(replyEnc))/aes.BlockSize*aes.BlockSize)
	key := make([]byte, 32)
	block, err := aes.NewCipher(key)
	if err != nil {
		b.Fatal(err)
	}
	iv := key[:aes.BlockSize]
	return testutil.Loop(b, func() {
		sha1.Sum(sig3)
		sha1.Sum(sig4)
		cipher.NewCBCDecrypter(block, iv).CryptBlocks(in, in)
		cipher.NewCBCEncrypter(block, iv).CryptBlocks(out, out)
		sha1.Sum(sigReply)
	})
}

// envelopeText returns the <Encrypt> text of an encrypted push or reply.
func envelopeText(b *testing.B, r io.Reader) string {
	b.Helper()
	var env struct{ Encrypt string }
	if err := xml.NewDecoder(r).Decode(&env); err != nil || env.Encrypt == "" {
		b.Fatalf("no <Encrypt> in the envelope (%v)", err)
	}
	return env.Encrypt
}

// benchWriter is a ResponseWriter reused across iterations: an
// httptest.ResponseRecorder costs 7 allocations and about 1.5 µs per answer on
// the 2-core machine, half the safe-mode floor, none of it the webhook's.
type benchWriter struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func newBenchWriter() *benchWriter { return &benchWriter{header: http.Header{}} }

func (w *benchWriter) Header() http.Header { return w.header }

func (w *benchWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *benchWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(p)
}

func (w *benchWriter) reset() {
	clear(w.header)
	w.code = 0
	w.body.Reset()
}

// freshStore is a MemoryDedupStore whose clock moves an hour at each tick:
// every message claimed after a tick is new to it, and the entries before have
// expired.
func freshStore() (*MemoryDedupStore, func()) {
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	s := NewMemoryDedupStore()
	s.now = func() time.Time { return time.Unix(0, clock.Load()) }
	return s, func() { clock.Add(int64(time.Hour)) }
}

func benchRequest(b *testing.B, c *wechattest.WebhookClient, msg []byte) (*http.Request, []byte) {
	b.Helper()
	req, err := c.NewRequest(context.Background(), msg)
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		b.Fatal(err)
	}
	return req, body
}
