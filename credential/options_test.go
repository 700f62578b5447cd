package credential_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/wxkit/wechat/credential"
)

// staticType is the type an expression has at compile time, which decides
// what it may be passed to.
func staticType[T any](T) reflect.Type { return reflect.TypeFor[T]() }

// TestOptionsFitTheirConstructors holds the rule that makes misuse a compile
// error: each option's static type satisfies the option type of every
// constructor that honours it, and no other. credential.NewServer(p, key,
// credential.WithStore(st)) must not compile, because NewServer would ignore it.
func TestOptionsFitTheirConstructors(t *testing.T) {
	t.Parallel()
	manager := reflect.TypeFor[credential.Option]()
	remote := reflect.TypeFor[credential.RemoteOption]()
	server := reflect.TypeFor[credential.ServerOption]()
	tests := []struct {
		name                  string
		typ                   reflect.Type
		manager, remote, serv bool
	}{
		{"WithBaseURL", staticType(credential.WithBaseURL("")), true, false, false},
		{"WithStore", staticType(credential.WithStore(nil)), true, false, false},
		{"WithStableToken", staticType(credential.WithStableToken()), true, false, false},
		{"WithRefreshLimit", staticType(credential.WithRefreshLimit(1, time.Minute)), true, false, false},
		{"WithLockTTL", staticType(credential.WithLockTTL(time.Second)), true, false, false},
		{"WithHTTPClient", staticType(credential.WithHTTPClient(nil)), true, true, false},
		{"WithClock", staticType(credential.WithClock(nil)), true, true, false},
		{"WithRefreshMargin", staticType(credential.WithRefreshMargin(0)), true, true, false},
		{"WithRetry", staticType(credential.WithRetry(1, 0)), true, true, false},
		{"WithSchedule", staticType(credential.WithSchedule("@every 1m")), true, true, false},
		{"WithLogger", staticType(credential.WithLogger(nil)), true, true, true},
	}
	for _, tt := range tests {
		got := [3]bool{tt.typ.Implements(manager), tt.typ.Implements(remote), tt.typ.Implements(server)}
		if want := [3]bool{tt.manager, tt.remote, tt.serv}; got != want {
			t.Errorf("%s returns %v, which fits (Option, RemoteOption, ServerOption) = %v, want %v", tt.name, tt.typ, got, want)
		}
	}
}

// TestNilOptionsMeanDefaults: a nil logger, clock or client is the default, not
// a crash on the first failure.
func TestNilOptionsMeanDefaults(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	m := credential.New(fake.AppID(), "wrong-secret", credential.WithBaseURL(fake.URL()),
		credential.WithLogger(nil), credential.WithClock(nil), credential.WithHTTPClient(nil), nil)
	if _, err := m.Token(t.Context()); err == nil {
		t.Fatal("Token() with a wrong secret succeeded")
	}
	r, err := credential.NewRemote("http://127.0.0.1:1", serverKey,
		credential.WithLogger(nil), credential.WithClock(nil), credential.WithHTTPClient(nil), credential.WithRetry(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Token(t.Context()); err == nil {
		t.Fatal("Remote.Token() with no server succeeded")
	}
	srv, err := credential.NewServer(stubProvider{}, serverKey, credential.WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	if status, _, _ := serve(t, srv, "GET", "/token", "Bearer wrong-key-0123456789", ""); status != 401 { // logs the rejection
		t.Errorf("a wrong key: HTTP %d", status)
	}
}
