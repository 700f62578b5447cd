package main

import (
	"errors"
	"flag"
	"net/http"
	"strings"
	"testing"

	"github.com/wxkit/wechat/examples/internal/exampletest"
	"github.com/wxkit/wechat/examples/internal/settings"
	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/wechattest"
)

// TestSettingsCheckedBeforeTheFirstFetch: a missing setting, a bad key or a busy
// port stops the demo before it asks WeChat for a token.
func TestSettingsCheckedBeforeTheFirstFetch(t *testing.T) {
	t.Parallel()
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	busy := testutil.BusyAddr(t)
	account := func(change map[string]string) map[string]string {
		return exampletest.AccountEnv(fake, map[string]string{"WEBLOGIN_BASE_URL": "https://www.example.com"}, change)
	}
	tests := []struct {
		name string
		env  map[string]string
		addr string
		want string
	}{
		{"no base URL", account(map[string]string{"WEBLOGIN_BASE_URL": ""}), "127.0.0.1:0", "WEBLOGIN_BASE_URL is required"},
		{"base URL with a fragment", account(map[string]string{"WEBLOGIN_BASE_URL": "https://www.example.com/#x"}), "127.0.0.1:0", "CallbackURL"},
		{"no AppSecret", account(map[string]string{"WECHAT_APPSECRET": ""}), "127.0.0.1:0", "WECHAT_APPSECRET is required"},
		{"no Token", account(map[string]string{"WECHAT_TOKEN": ""}), "127.0.0.1:0", "WECHAT_TOKEN is required"},
		{"bad EncodingAESKey", account(map[string]string{"WECHAT_ENCODING_AES_KEY": "short"}), "127.0.0.1:0", "EncodingAESKey must be 43 characters"},
		{"port in use", account(nil), busy, "-addr " + busy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := &testutil.SyncBuffer{}
			err := serve(t.Context(), []string{"-addr", tt.addr}, func(k string) string { return tt.env[k] }, out, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("serve = %v, want an error about %q\n%s", err, tt.want, out)
			}
			if n := fake.Calls("/cgi-bin/token"); n != 0 {
				t.Errorf("token fetches = %d before the demo could serve, want 0", n)
			}
		})
	}
}

// TestHelp: -help lists the flags and the environment, this program's variable
// included, and is not an error.
func TestHelp(t *testing.T) {
	t.Parallel()
	out := &testutil.SyncBuffer{}
	if err := serve(t.Context(), []string{"-help"}, func(string) string { return "" }, out, nil); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("serve(-help) = %v, want flag.ErrHelp (exit 0)", err)
	}
	for _, want := range []string{"-addr", "WECHAT_APPID", "WECHAT_TOKEN", "WEBLOGIN_BASE_URL"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("-help output lacks %s:\n%s", want, out)
		}
	}
}

// TestServerLimits: the demo's server has the programs' bounds; a request with
// more header bytes than settings.MaxHeaderBytes is refused before any page.
func TestServerLimits(t *testing.T) {
	t.Parallel()
	base := startDemo(t)
	req, err := http.NewRequest(http.MethodGet, base+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Padding", strings.Repeat("a", 2*settings.MaxHeaderBytes))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("GET / with %d header bytes: %d, want 431", 2*settings.MaxHeaderBytes, resp.StatusCode)
	}
}

// TestSessionsBounded: the demo's session store ends the oldest session past
// maxSessions; sign-ins cannot grow it without end.
func TestSessionsBounded(t *testing.T) {
	t.Parallel()
	ss := newSessions()
	first := ss.add(profile{OpenID: "o0"})
	for range maxSessions {
		ss.add(profile{OpenID: "o"})
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if _, ok := ss.m[first]; ok || len(ss.m) != maxSessions {
		t.Errorf("after %d sign-ins the store holds %d sessions (the first one: %v), want %d without the first", maxSessions+1, len(ss.m), ok, maxSessions)
	}
}
