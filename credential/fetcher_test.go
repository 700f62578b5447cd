package credential_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/internal/testutil"
)

// ticketFetcher is shaped like the JS-SDK jsapi_ticket: fetched with an
// access_token from another Provider, living 7200 s.
type ticketFetcher struct {
	tokens credential.Provider
	calls  atomic.Int32
	forced atomic.Int32
}

func (f *ticketFetcher) Key() string { return "jsapi_ticket:wx1" }

func (f *ticketFetcher) Fetch(ctx context.Context, force bool) (string, time.Duration, error) {
	if _, err := f.tokens.Token(ctx); err != nil {
		return "", 0, err
	}
	n := f.calls.Add(1)
	if force {
		f.forced.Add(1)
	}
	time.Sleep(5 * time.Millisecond) // a flight long enough for callers to pile up
	return fmt.Sprintf("ticket-%d", n), 7200 * time.Second, nil
}

type staticProvider string

func (p staticProvider) Token(context.Context) (string, error)           { return string(p), nil }
func (p staticProvider) Refresh(context.Context, string) (string, error) { return string(p), nil }

func TestNewWithFetcherKeepsTheGuarantees(t *testing.T) {
	t.Parallel()
	f := &ticketFetcher{tokens: staticProvider("tok")}
	m := credential.NewWithFetcher(f)
	testutil.Shutdown(t, m)

	var wg sync.WaitGroup
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got, err := m.Token(t.Context()); err != nil || got != "ticket-1" {
				t.Errorf("Token() = %q, %v", got, err)
			}
		}()
	}
	wg.Wait()
	if n := f.calls.Load(); n != 1 {
		t.Fatalf("fetches = %d, want 1", n)
	}
	fresh, err := m.Refresh(t.Context(), "ticket-1")
	if err != nil || fresh != "ticket-2" || f.forced.Load() != 1 {
		t.Fatalf("Refresh = %q, %v (forced %d); want ticket-2 from one forced fetch", fresh, err, f.forced.Load())
	}
}
