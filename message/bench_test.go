package message

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/internal/wxcrypto"
	"github.com/wxkit/wechat/wechattest"
)

// BenchmarkServeHTTP measures one push end to end in-process: signature,
// decryption, parsing, de-duplication, the handler with its deadline, the
// reply and its encryption. The request is built once; its body
// is rewound each iteration, and the answer goes to a reused ResponseWriter
// (benchWriter), since what carries the answer is the HTTP server's cost, not
// the webhook's. The dedup store's clock moves 10 minutes per
// push (freshStore), so that every iteration claims its key afresh (the
// work of a new message, the oldest entry forgotten as in a full window)
// instead of being answered from the cache; the benchmark fails if the handler
// does not run every time.
//
// safe_text is measured side by side with two floors (testutil.Interleave:
// blocks of calls in turn, so that all three meet the same noise), and reports
// its ratios to both; each floor also runs alone, just before, for its own
// figures:
//
//   - safe_floor is the cryptography safe mode cannot do without, done
//     directly on inputs of the same sizes: the three SHA-1s (the 3-field
//     signature, msg_signature, the reply's MsgSignature) and AES-CBC
//     decryption of the push and encryption of the reply (time/floor,
//     B/floor, allocs-floor).
//   - safe_envelope_floor is safe_floor plus the rest of WeChat's envelope,
//     done directly: the base64 decoding of the push's <Encrypt> text, its
//     padding and length prefix read, the reply's 16 random bytes from
//     crypto/rand, its 20-byte header, AppID and padding laid out, and the
//     base64 encoding of its ciphertext (time/envfloor, B/envfloor,
//     allocs-envfloor).
//
// Issue 13 asks for time ≤ 2× "the crypto floor (three SHA-1s and AES-CBC
// both ways, done by hand)". Its figure for the code of the time (2.8–3.2×)
// matches the envelope floor, not the strict one, against which that code
// measured 5.9–7.5×; both are kept, side by side, rather than one silently
// redefined.
//
// The envelope floor does its base64 with encoding/base64; the push, with
// wxcrypto's own, which gives the same output in about half the time. That
// part of the envelope is not the cryptography the issue names, so the floors
// keep the standard library's. Against an envelope floor with wxcrypto's
// base64 instead, the push measured 2.16–2.18× (against 1.94–1.96× this one,
// side by side in the same runs, 2026-11-26).
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
	for _, bc := range cases {
		var floor, envFloor func(*testing.B)
		if bc.mode == wechattest.ModeSafe {
			in := safeInputs(b)
			floor, envFloor = safeFloor(b, in), safeEnvelopeFloor(b, in)
			b.Run("safe_floor", func(b *testing.B) { testutil.Loop(b, func() { floor(b) }) })
			b.Run("safe_envelope_floor", func(b *testing.B) { testutil.Loop(b, func() { envFloor(b) }) })
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
			op := func() {
				n++
				tick()
				rd.Reset(body)
				w.reset()
				hs.srv.ServeHTTP(w, req)
				if w.code != http.StatusOK || w.body.Len() < 100 {
					b.Fatalf("answer %d %q", w.code, w.body.Bytes())
				}
			}
			if floor == nil {
				testutil.Loop(b, op)
			} else {
				costs := testutil.Interleave(b, op, func() { floor(b) }, func() { envFloor(b) })
				testutil.Override(b, costs[0])
				testutil.Against(b, costs[0], costs[1], "floor")
				testutil.Against(b, costs[0], costs[2], "envfloor")
			}
			if runs != n { // the handler returned before each answer: runs is settled
				b.Fatalf("the handler ran %d times in %d pushes: answered from the cache", runs, n)
			}
		})
	}
}

const (
	benchOpenID = "oia2TjuEGTNoeX76QEjQNrcURxG8"
	benchText   = "你好，这是一条测试消息 hello"
)

// floorInputs are the inputs of the floors, taken from one real push of
// BenchmarkServeHTTP's safe_text and the Server's answer to it.
type floorInputs struct {
	token, timestamp, nonce string
	reqEnc, replyEnc        string // the <Encrypt> texts of the push and of the reply
	replyXML                []byte // the reply's plaintext
	key                     []byte // the EncodingAESKey, decoded
}

func safeInputs(b *testing.B) *floorInputs {
	hs := newHarness(b, HandlerFunc(func(_ context.Context, m *Message) Reply { return Text(m.Content) }))
	c := hs.client(wechattest.ModeSafe)
	req, _ := benchRequest(b, c, c.Text(benchOpenID, benchText))
	wechattest.ResetBody(req)
	q := req.URL.Query()
	in := &floorInputs{token: wechattest.SandboxToken, timestamp: q.Get("timestamp"), nonce: q.Get("nonce")}
	in.reqEnc = envelopeText(b, req.Body)
	wechattest.ResetBody(req)
	rec := httptest.NewRecorder()
	hs.srv.ServeHTTP(rec, req)
	in.replyEnc = envelopeText(b, rec.Body)
	key, err := wxcrypto.DecodeAESKey(hs.fake.EncodingAESKey())
	if err != nil {
		b.Fatal(err)
	}
	in.key = key
	cph, err := wxcrypto.NewCipher(key)
	if err != nil {
		b.Fatal(err)
	}
	if in.replyXML, err = cph.DecryptString(in.replyEnc, wechattest.SandboxAppID); err != nil {
		b.Fatal(err)
	}
	return in
}

// safeFloor returns the cryptography of one safe-mode push and its reply,
// done directly, on inputs the size of BenchmarkServeHTTP's: SHA-1 over the
// 3-field signature's input, over msg_signature's (with the <Encrypt> text)
// and over the reply's MsgSignature's; AES-256-CBC decryption of the push's
// ciphertext and encryption of the reply's padded plaintext, with the key
// schedule done once, as the Server does.
func safeFloor(b *testing.B, fi *floorInputs) func(*testing.B) {
	sig3 := make([]byte, len(fi.token)+len(fi.timestamp)+len(fi.nonce))
	sig4 := make([]byte, len(sig3)+len(fi.reqEnc))
	sigReply := make([]byte, len(sig3)+len(fi.replyEnc)) // the reply's timestamp has the same length
	in := make([]byte, base64.StdEncoding.DecodedLen(len(fi.reqEnc))/aes.BlockSize*aes.BlockSize)
	out := make([]byte, base64.StdEncoding.DecodedLen(len(fi.replyEnc))/aes.BlockSize*aes.BlockSize)
	key := make([]byte, 32)
	block, err := aes.NewCipher(key)
	if err != nil {
		b.Fatal(err)
	}
	iv := key[:aes.BlockSize]
	return func(*testing.B) {
		sha1.Sum(sig3)
		sha1.Sum(sig4)
		cipher.NewCBCDecrypter(block, iv).CryptBlocks(in, in)
		cipher.NewCBCEncrypter(block, iv).CryptBlocks(out, out)
		sha1.Sum(sigReply)
	}
}

// safeEnvelopeFloor returns safeFloor plus the rest of the envelope, each
// step directly with the standard library into buffers made once: the push's
// <Encrypt> text base64-decoded, decrypted, its padding and length prefix
// read; the reply laid out as random(16) || length(4) || XML || AppID ||
// padding with 16 bytes from crypto/rand, encrypted and base64-encoded. The
// signatures are hashed over their inputs laid out beforehand, as in
// safeFloor.
func safeEnvelopeFloor(b *testing.B, fi *floorInputs) func(*testing.B) {
	sig3 := []byte(fi.token + fi.timestamp + fi.nonce)
	sig4 := []byte(fi.token + fi.timestamp + fi.nonce + fi.reqEnc)
	sigReply := []byte(fi.token + fi.timestamp + fi.nonce + fi.replyEnc)
	reqEnc := []byte(fi.reqEnc)
	in := make([]byte, base64.StdEncoding.DecodedLen(len(reqEnc)))
	appID := wechattest.SandboxAppID
	full := 20 + len(fi.replyXML) + len(appID)
	pad := 32 - full%32
	plain := make([]byte, full+pad)
	text := make([]byte, base64.StdEncoding.EncodedLen(len(plain)))
	block, err := aes.NewCipher(fi.key)
	if err != nil {
		b.Fatal(err)
	}
	iv := fi.key[:aes.BlockSize]
	return func(b *testing.B) {
		sha1.Sum(sig3)
		sha1.Sum(sig4)
		n, err := base64.StdEncoding.Decode(in, reqEnc)
		if err != nil || n%aes.BlockSize != 0 {
			b.Fatalf("base64: %d bytes, %v", n, err)
		}
		ct := in[:n]
		cipher.NewCBCDecrypter(block, iv).CryptBlocks(ct, ct)
		ct = ct[:n-int(ct[n-1])]
		if got := int(binary.BigEndian.Uint32(ct[16:20])); got <= 0 || got > n {
			b.Fatalf("the push decrypted to a length prefix of %d", got)
		}

		if _, err := rand.Read(plain[:16]); err != nil {
			b.Fatal(err)
		}
		binary.BigEndian.PutUint32(plain[16:20], uint32(len(fi.replyXML)))
		copy(plain[20:], fi.replyXML)
		copy(plain[20+len(fi.replyXML):], appID)
		for i := full; i < len(plain); i++ {
			plain[i] = byte(pad)
		}
		cipher.NewCBCEncrypter(block, iv).CryptBlocks(plain, plain)
		base64.StdEncoding.Encode(text, plain)
		sha1.Sum(sigReply)
	}
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

// freshStore is a MemoryDedupStore whose clock moves 10 minutes at each tick,
// more than the default window and skew keep an entry: every message claimed
// after a tick is new to it, and the entries before have expired. The clock
// starts at the Unix epoch, so that it has room for 15 million ticks before
// it overflows int64 nanoseconds; starting at today with ticks of an hour, it
// overflowed after 2 million, and a long run then found its entries alive.
func freshStore() (*MemoryDedupStore, func()) {
	var clock atomic.Int64
	s := NewMemoryDedupStore()
	s.now = func() time.Time { return time.Unix(0, clock.Load()) }
	return s, func() { clock.Add(int64(10 * time.Minute)) }
}

func benchRequest(b testing.TB, c *wechattest.WebhookClient, msg []byte) (*http.Request, []byte) {
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
