package message

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/wxkit/wechat/wechattest"
)

// BenchmarkServeHTTP measures one push end to end in-process: signature,
// decryption, parsing, de-duplication, the handler on its goroutine with the
// deadline, the reply and its encryption. The request is built once; its body
// is rewound each iteration. The retry window is set to 1ns so that every
// iteration claims its key afresh (the same work as a new message) instead of
// being answered from the cache.
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
			mux := NewMux()
			mux.HandleText(func(_ context.Context, m *Message) Reply { return Text(m.Content) })
			mux.HandleEvent(EventSubscribe, func(context.Context, *Message) Reply { return Text("欢迎关注！") })
			hs := newHarness(b, mux, WithDedupWindow(time.Nanosecond))
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
			for b.Loop() {
				rd.Reset(body)
				rec := httptest.NewRecorder()
				hs.srv.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || rec.Body.Len() < 100 {
					b.Fatalf("answer %d %q", rec.Code, rec.Body)
				}
			}
		})
	}
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
