package credential_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/wechattest"
)

// BenchmarkToken is the hot path: a cached, valid token, with the production clock.
// Target: ≤ 50 ns/op and 0 allocs/op in parallel on 2 cores.
func BenchmarkToken(b *testing.B) {
	fake := wechattest.NewServer()
	defer fake.Close()
	m := credential.New(fake.AppID(), fake.AppSecret(),
		credential.WithBaseURL(fake.URL()), credential.WithHTTPClient(fake.Client()))
	defer m.Shutdown(context.Background())
	if _, err := m.Token(b.Context()); err != nil {
		b.Fatal(err)
	}
	ctx := b.Context()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := m.Token(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkColdStampede starts 100 callers on a cold Manager per iteration and
// reports the upstream fetches per cold start (must be 1).
func BenchmarkColdStampede(b *testing.B) {
	fake := wechattest.NewServer(wechattest.WithTokenQuota(0)) // no daily limit
	defer fake.Close()
	before := fake.Calls(pathToken)
	var failed atomic.Bool
	b.ReportAllocs()
	for b.Loop() {
		m := credential.New(fake.AppID(), fake.AppSecret(), fake.CredentialOptions()...)
		var wg sync.WaitGroup
		for range 100 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := m.Token(b.Context()); err != nil && failed.CompareAndSwap(false, true) {
					b.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	b.ReportMetric(float64(fake.Calls(pathToken)-before)/float64(b.N), "fetches/coldstart")
}
