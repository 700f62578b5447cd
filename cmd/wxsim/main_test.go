package main

import (
	"context"
	"errors"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/wechattest"
)

// TestServePrints checks what the program prints: the URL to open, and the
// bot's settings as one line of DESIGN.md's variables, API base URL the
// simulator's own.
func TestServePrints(t *testing.T) {
	t.Parallel()
	out := &testutil.SyncBuffer{}
	sim := testutil.Serve(t, out, func(ctx context.Context, ready chan<- *Sim) error { // the cleanup checks serve ends cleanly
		return serve(ctx, []string{"-addr", "127.0.0.1:0", "-mode", "compatible"}, out, &options{ready: ready})
	})
	text := out.String()
	var line string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "WECHAT_") {
			line = l
		}
	}
	want := map[string]string{
		"WECHAT_APPID": wechattest.SandboxAppID, "WECHAT_APPSECRET": wechattest.SandboxAppSecret,
		"WECHAT_TOKEN": wechattest.SandboxToken, "WECHAT_ENCODING_AES_KEY": wechattest.SandboxEncodingAESKey,
		"WECHAT_API_BASE_URL": sim.base,
	}
	got := map[string]string{}
	for _, kv := range strings.Fields(line) {
		k, v, _ := strings.Cut(kv, "=")
		got[k] = v
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("the printed line has %s=%q, want %q (line %q)", k, got[k], v, line)
		}
	}
	if len(got) != len(want) {
		t.Errorf("the printed line has %d variables, want %d: %q", len(got), len(want), line)
	}
	if !strings.Contains(text, "open "+sim.base+"/") || !strings.Contains(text, "http://127.0.0.1:8080/wechat in compatible mode") {
		t.Errorf("output:\n%s", text)
	}
	if !strings.Contains(text, "WECHAT_ALLOW_PLAINTEXT=1") {
		t.Errorf("the output does not say how to try plaintext mode:\n%s", text)
	}
	resp, err := http.Get(sim.base + "/cgi-bin/get_api_domain_ip")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// TestServeRefuses checks the flags and the listen address are checked before
// anything starts, and wxsim's exit status for each: 2 for a mistake in how
// it was called, as the flag package exits, 1 for a failure to start.
func TestServeRefuses(t *testing.T) {
	t.Parallel()
	busy := testutil.BusyAddr(t)
	tests := []struct {
		args []string
		want string
		code int
	}{
		{[]string{"-mode", "aes"}, "-mode", 2},
		{[]string{"-webhook", "ftp://x/wechat"}, "-webhook", 2},
		{[]string{"-webhook", "http://u:SECRETPW@127.0.0.1/wechat"}, "-webhook", 2},
		{[]string{"-webhook", "http://u:SECRETPW@127.0.0.1\x7f/wechat"}, "-webhook", 2}, // does not parse
		{[]string{"-addr", busy}, "-addr", 1},
		{[]string{"-nope"}, "-nope", 2},
		{[]string{"extra"}, "unexpected argument", 2},
	}
	for _, tt := range tests {
		out := &testutil.SyncBuffer{}
		err := serve(t.Context(), tt.args, out, nil)
		if err == nil || !strings.Contains(err.Error()+out.String(), tt.want) {
			t.Errorf("serve(%q) = %v (output %q), want an error about %s", tt.args, err, out, tt.want)
		}
		if err != nil && strings.Contains(err.Error()+out.String(), "SECRETPW") {
			t.Errorf("serve(%q): the error quotes the webhook's password: %v", tt.args, err)
		}
		if code := exitCode(err); code != tt.code {
			t.Errorf("serve(%q): exit status %d, want %d", tt.args, code, tt.code)
		}
	}
	out := &testutil.SyncBuffer{}
	err := serve(t.Context(), []string{"-help"}, out, nil)
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "-webhook") {
		t.Errorf("-help: %v, output %q", err, out)
	}
	if code := exitCode(err); code != 0 {
		t.Errorf("-help: exit status %d, want 0", code)
	}
	if code := exitCode(nil); code != 0 {
		t.Errorf("a clean stop: exit status %d, want 0", code)
	}
}

// TestREADMELine checks that the line the READMEs tell people to paste is the
// one wxsim prints with its default -addr.
func TestREADMELine(t *testing.T) {
	t.Parallel()
	fake := wechattest.NewServer()
	defer fake.Close()
	want := envLine(fake, "http://127.0.0.1:9000") + " go run ./examples/echobot"
	for _, name := range []string{"README.md", "README.zh-CN.md"} {
		b, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "\n"+want+"\n") {
			t.Errorf("%s does not show the line wxsim prints:\n%s", name, want)
		}
	}
}
