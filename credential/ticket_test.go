package credential_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/wechattest"
)

func TestTicketStampedeFetchesOnce(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	fake.SetLatency(wechattest.PathTicket, 20*time.Millisecond)
	tokens := newManager(t, fake)
	tickets := credential.NewTicket(tokens, fake.AppID(), credential.TicketJSAPI, fake.CredentialOptions()...)
	testutil.Shutdown(t, tickets)

	var wg sync.WaitGroup
	got := make([]string, 200)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if got[i], err = tickets.Token(t.Context()); err != nil {
				t.Errorf("Token: %v", err)
			}
		}()
	}
	wg.Wait()
	for _, g := range got {
		if g == "" || g != got[0] {
			t.Fatalf("tickets %q and %q; want one ticket for all", g, got[0])
		}
	}
	if n, m := fake.Calls(wechattest.PathTicket), fake.Calls(pathToken); n != 1 || m != 1 {
		t.Errorf("getticket calls = %d, token fetches = %d; want 1 and 1", n, m)
	}
	if q := fake.Requests(wechattest.PathTicket)[0].Query; q.Get("type") != "jsapi" {
		t.Errorf("type = %q, want jsapi", q.Get("type"))
	}
}

// The access_token dies behind our back: getticket answers 40001, the token is
// refreshed through its provider, and the ticket fetch is sent once more.
func TestTicketRefreshesTheToken(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	tokens := newManager(t, fake)
	if _, err := tokens.Token(t.Context()); err != nil {
		t.Fatal(err)
	}
	fake.RevokeTokens()
	tickets := credential.NewTicket(tokens, fake.AppID(), credential.TicketWxCard, fake.CredentialOptions()...)
	testutil.Shutdown(t, tickets)
	if _, err := tickets.Token(t.Context()); err != nil {
		t.Fatalf("Token after the access_token was revoked: %v", err)
	}
	reqs := fake.Requests(wechattest.PathTicket)
	if len(reqs) != 2 || reqs[0].Query.Get("access_token") == reqs[1].Query.Get("access_token") {
		t.Fatalf("getticket requests = %d; want the rejected one and one with a new token", len(reqs))
	}
	if s := tokens.Stats(); s.PassiveRefreshes != 1 {
		t.Errorf("token passive refreshes = %d, want 1", s.PassiveRefreshes)
	}
}

func TestTicketErrorsHoldNoToken(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	tokens := newManager(t, fake)
	token, err := tokens.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	tickets := credential.NewTicket(tokens, fake.AppID(), credential.TicketType("nonsense"), fake.CredentialOptions()...)
	testutil.Shutdown(t, tickets)
	_, err = tickets.Token(t.Context())
	if wechat.Code(err) != wechat.CodeParameterError {
		t.Fatalf("Token with a bad type = %v, want 40097", err)
	}
	if strings.Contains(err.Error(), token) || strings.Contains(err.Error(), fake.AppSecret()) {
		t.Errorf("error leaks a secret: %v", err)
	}
}
