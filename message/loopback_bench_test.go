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

// BenchmarkLoopback measures requests per second through a real listener on
// 127.0.0.1 with 32 concurrent keep-alive connections. Client and server share
// the machine's cores, so the figure is for both. As in BenchmarkServeHTTP, the
// dedup store's clock moves an hour per request so that every request is handled
// as a new message.
func BenchmarkLoopback(b *testing.B) {
	for _, mode := range []wechattest.Mode{wechattest.ModePlaintext, wechattest.ModeSafe} {
		b.Run(mode.String(), func(b *testing.B) {
			mux := NewMux()
			mux.HandleText(func(_ context.Context, m *Message) Reply { return Text(m.Content) })
			store := NewMemoryDedupStore()
			var clock atomic.Int64
			clock.Store(time.Now().UnixNano())
			store.now = func() time.Time { return time.Unix(0, clock.Add(int64(time.Hour))) }
			hs := newHarness(b, mux, WithDedupStore(store))
			ts := httptest.NewServer(hs.srv)
			defer ts.Close()
			c := hs.fake.WebhookClient(ts.URL+"/wechat", mode)
			req, body := benchRequest(b, c, c.Text("oia2TjuEGTNoeX76QEjQNrcURxG8", "你好，这是一条测试消息 hello"))
			target := req.URL.String()
			const conns = 32
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}}
			defer client.CloseIdleConnections()
			b.SetParallelism((conns + 1) / 2) // × GOMAXPROCS goroutines; 32 on 2 cores
			b.ReportAllocs()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, err := client.Post(target, "text/xml", bytes.NewReader(body))
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
		})
	}
}
