package message

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wxkit/wechat/wechattest"
)

// BenchmarkServeHTTP measures one push end to end in-process: signature,
// decryption, parsing, de-duplication, the handler on its goroutine with the
// deadline, the reply and its encryption. The request is built once; its body
// is rewound each iteration. The dedup store's clock moves an hour per
// iteration (freshStore), so that every iteration claims its key afresh (the
// work of a new message, the oldest entry forgotten as in a full window)
// instead of being answered from the cache; the benchmark fails if the handler
// does not run every time.
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
		b.Run(bc.name, func(b *testing.B) {
			var runs int
			mux := NewMux()
			mux.HandleText(func(_ context.Context, m *Message) Reply { runs++; return Text(m.Content) })
			mux.HandleEvent(EventSubscribe, func(context.Context, *Message) Reply { runs++; return Text("欢迎关注！") })
			store, tick := freshStore()
			hs := newHarness(b, mux, WithDedupStore(store))
			c := hs.client(bc.mode)
			msg := c.Text("oia2TjuEGTNoeX76QEjQNrcURxG8", "你好，这是一条测试消息 hello")
			if bc.event {
				msg = c.Event("oia2TjuEGTNoeX76QEjQNrcURxG8", "subscribe", "")
			}
			req, body := benchRequest(b, c, msg)
			rd := bytes.NewReader(body)
			req.Body = io.NopCloser(rd)
			b.ReportAllocs()
			b.ResetTimer()
			n := 0
			for b.Loop() {
				n++
				tick()
				rd.Reset(body)
				rec := httptest.NewRecorder()
				hs.srv.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || rec.Body.Len() < 100 {
					b.Fatalf("answer %d %q", rec.Code, rec.Body)
				}
			}
			if runs != n { // the handler goroutine returned before each answer: runs is settled
				b.Fatalf("the handler ran %d times in %d iterations: answered from the cache", runs, n)
			}
		})
	}
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
