package wechattest

import (
	"context"
	"testing"
	"time"

	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/officialaccount"
)

// Start starts a fake platform for the test t, closed when t ends, and returns it
// with a shared context on its account. It is the usual first line of a test:
//
//	fake, oa := wechattest.Start(t)
//	err := menu.New(oa).Create(t.Context(), m)
func Start(t testing.TB, opts ...Option) (*Server, *officialaccount.OfficialAccount) {
	t.Helper()
	fake := NewServer(opts...)
	t.Cleanup(fake.Close)
	return fake, fake.Account(t)
}

// Account returns a new shared context on the platform's account, with its own
// credential.Manager on the platform's clock (officialaccount.New(s.Config())). It
// fails t if that cannot be built, which the platform's own settings never cause.
func (s *Server) Account(t testing.TB) *officialaccount.OfficialAccount {
	t.Helper()
	cfg := s.Config()
	oa, err := officialaccount.New(cfg)
	if err != nil {
		t.Fatalf("wechattest: officialaccount.New: %v", err)
	}
	if m, ok := cfg.Credential.(*credential.Manager); ok {
		t.Cleanup(func() { // ends its background renewals with the test
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = m.Shutdown(ctx)
		})
	}
	return oa
}
