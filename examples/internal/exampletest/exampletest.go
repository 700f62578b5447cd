// Package exampletest is what the programs' tests share: the settings of a
// fake account, a port in use, and a program run until the test ends. Only
// tests import it.
package exampletest

import (
	"context"
	"fmt"
	"maps"
	"net"
	"testing"
	"time"

	"github.com/wxkit/wechat/wechattest"
)

// AccountEnv returns the WECHAT_* settings of fake's account (AppID,
// AppSecret, Token, EncodingAESKey, its API base URL), with each of changes
// applied on top in turn: an empty value unsets a variable for the program.
func AccountEnv(fake *wechattest.Server, changes ...map[string]string) map[string]string {
	env := map[string]string{
		"WECHAT_APPID": fake.AppID(), "WECHAT_APPSECRET": fake.AppSecret(), "WECHAT_TOKEN": fake.WebhookToken(),
		"WECHAT_ENCODING_AES_KEY": fake.EncodingAESKey(), "WECHAT_API_BASE_URL": fake.URL(),
	}
	for _, c := range changes {
		maps.Copy(env, c)
	}
	return env
}

// BusyAddr returns a loopback address a listener holds until t ends: a port in
// use, for -addr.
func BusyAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().String()
}

// StartTimeout bounds how long a program may take to listen; the margin is for
// a busy 2-core machine.
const StartTimeout = 30 * time.Second

// Run runs serve, a program's serve function, until t ends, and returns what
// it sends on ready once it listens (its URL). When t ends, serve's context is
// cancelled and an error it returns fails t. out, when not nil, is the
// program's output, shown when it does not start.
func Run(t testing.TB, out fmt.Stringer, serve func(ctx context.Context, ready chan<- string) error) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan error, 1)
	go func() { done <- serve(ctx, ready) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	if out == nil {
		out = empty{}
	}
	select {
	case url := <-ready:
		return url
	case err := <-done:
		done <- nil // reported here, not again by the cleanup
		t.Fatalf("serve ended before listening: %v\n%s", err, out)
	case <-time.After(StartTimeout):
		t.Fatalf("serve did not listen within %s\n%s", StartTimeout, out)
	}
	return ""
}

type empty struct{}

func (empty) String() string { return "" }
