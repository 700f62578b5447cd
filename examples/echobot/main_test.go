package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/wxkit/wechat/examples/internal/exampletest"
	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/message"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

type syncBuffer = testutil.SyncBuffer

// start runs the bot on a free loopback port with env and returns its webhook
// URL; the bot stops when the test ends.
func start(t *testing.T, env map[string]string) (string, *syncBuffer) {
	t.Helper()
	out := &syncBuffer{}
	url := testutil.Serve(t, out, func(ctx context.Context, ready chan<- string) error {
		return serve(ctx, []string{"-addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, out, ready)
	})
	return url, out
}

func sandboxClient(t *testing.T, url string, mode wechattest.Mode) *wechattest.WebhookClient {
	t.Helper()
	c, err := wechattest.NewWebhookClient(wechattest.WebhookConfig{
		URL: url, AppID: wechattest.SandboxAppID, Token: wechattest.SandboxToken,
		EncodingAESKey: wechattest.SandboxEncodingAESKey, Mode: mode, Timeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEchobotSandbox(t *testing.T) {
	url, out := start(t, nil)
	ctx := context.Background()
	for _, mode := range []wechattest.Mode{wechattest.ModePlaintext, wechattest.ModeCompatible, wechattest.ModeSafe} {
		c := sandboxClient(t, url, mode)
		if err := c.Verify(ctx); err != nil {
			t.Errorf("%s: URL verification: %v", mode, err)
		}
		tests := []struct {
			msg  []byte
			want string
		}{
			{c.Text("o1", "你好 😀"), "你好 😀"},
			{c.Event("o1", "subscribe", ""), "欢迎关注！Send me anything and I will say it back."},
			{c.Event("o1", "CLICK", "HELLO"), "Hello from the menu!"},
			{c.Event("o1", "CLICK", "OTHER"), "You clicked OTHER"},
		}
		for _, tt := range tests {
			reply, err := c.Send(ctx, tt.msg)
			if err != nil {
				t.Fatalf("%s: Send: %v", mode, err)
			}
			if reply.Message.Content != tt.want {
				t.Errorf("%s: reply = %q, want %q", mode, reply.Message.Content, tt.want)
			}
		}
	}

	// The printed curl line works as printed.
	var line string
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, "curl ") {
			line = l
		}
	}
	if line == "" {
		t.Fatalf("no curl line printed:\n%s", out)
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Log("curl not installed; not running the printed line")
		return
	}
	got, err := exec.Command("sh", "-c", line).CombinedOutput()
	if err != nil || !strings.Contains(string(got), "<Content><![CDATA[hello echobot]]></Content>") {
		t.Errorf("the printed curl line answered %q, %v", got, err)
	}
}

// TestEchobotWithoutToken: the API host is unreachable, so no token can be
// fetched; the webhook keeps working and the secret never reaches the log.
func TestEchobotWithoutToken(t *testing.T) {
	const secret = "s3cr3t-app-secret-value"
	url, out := start(t, map[string]string{
		"WECHAT_APPID": "wx1234567890abcdef", "WECHAT_APPSECRET": secret,
		"WECHAT_TOKEN": "tok-en-value", "WECHAT_ENCODING_AES_KEY": wechattest.SandboxEncodingAESKey,
		"WECHAT_API_BASE_URL": "http://127.0.0.1:1", "WECHAT_STABLE_TOKEN": "1",
	})
	c, err := wechattest.NewWebhookClient(wechattest.WebhookConfig{
		URL: url, AppID: "wx1234567890abcdef", Token: "tok-en-value",
		EncodingAESKey: wechattest.SandboxEncodingAESKey, Mode: wechattest.ModeSafe,
	})
	if err != nil {
		t.Fatal(err)
	}
	reply, err := c.Send(context.Background(), c.Text("o1", "still here?"))
	if err != nil || reply.Message.Content != "still here?" {
		t.Fatalf("reply = %+v, %v", reply, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(strings.ToLower(out.String()), "level=") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if strings.Contains(out.String(), secret) {
		t.Errorf("the output holds the AppSecret:\n%s", out)
	}
	if strings.Contains(out.String(), "curl ") {
		t.Error("a curl line was printed for a real account")
	}
}

// TestEchobotChecksBeforeFetching: a bad EncodingAESKey, a bad -addr, a port in
// use or a missing WECHAT_TOKEN stop the bot before it fetches a token, each with
// a message naming what is wrong.
func TestEchobotChecksBeforeFetching(t *testing.T) {
	t.Parallel()
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	busy := testutil.BusyAddr(t)
	account := func(change map[string]string) map[string]string { return exampletest.AccountEnv(fake, change) }
	tests := []struct {
		name string
		env  map[string]string
		addr string
		want string
	}{
		{"bad EncodingAESKey", account(map[string]string{"WECHAT_ENCODING_AES_KEY": "short"}), "127.0.0.1:0", "EncodingAESKey must be 43 characters"},
		{"no Token", account(map[string]string{"WECHAT_TOKEN": ""}), "127.0.0.1:0", "WECHAT_TOKEN is required"},
		{"port in use", account(nil), busy, "-addr " + busy},
		{"bad address", account(nil), "127.0.0.1:http-alt-nope", "-addr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := &syncBuffer{}
			err := run(t.Context(), []string{"-addr", tt.addr}, func(k string) string { return tt.env[k] }, out)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("run = %v, want an error about %q\n%s", err, tt.want, out)
			}
			if n := fake.Calls("/cgi-bin/token"); n != 0 {
				t.Errorf("token fetches = %d before the bot could serve, want 0", n)
			}
		})
	}
}

// TestEchobotWebhookOnly: with AppID, Token and EncodingAESKey and no AppSecret
// the bot answers pushes and never asks for a token.
func TestEchobotWebhookOnly(t *testing.T) {
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	url, out := start(t, map[string]string{
		"WECHAT_APPID": fake.AppID(), "WECHAT_TOKEN": fake.WebhookToken(),
		"WECHAT_ENCODING_AES_KEY": fake.EncodingAESKey(), "WECHAT_API_BASE_URL": fake.URL(),
	})
	c, err := wechattest.NewWebhookClient(wechattest.WebhookConfig{
		URL: url, AppID: fake.AppID(), Token: fake.WebhookToken(),
		EncodingAESKey: fake.EncodingAESKey(), Mode: wechattest.ModeSafe,
	})
	if err != nil {
		t.Fatal(err)
	}
	if reply, err := c.Send(t.Context(), c.Text("o1", "replica?")); err != nil || reply.Message.Content != "replica?" {
		t.Fatalf("reply = %+v, %v", reply, err)
	}
	if !strings.Contains(out.String(), "webhook only") {
		t.Errorf("the output does not say the bot is webhook-only:\n%s", out)
	}
	if n := fake.Calls("/cgi-bin/token"); n != 0 {
		t.Errorf("token fetches = %d, want 0", n)
	}
}

// TestEchobotHelp: -help lists the flags and the environment and is not an
// error; an unknown flag is printed once, by the flag package.
func TestEchobotHelp(t *testing.T) {
	t.Parallel()
	out := &syncBuffer{}
	if err := run(t.Context(), []string{"-help"}, func(string) string { return "" }, out); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("run(-help) = %v, want flag.ErrHelp (exit 0)", err)
	}
	for _, want := range []string{"-addr", "WECHAT_APPID", "WECHAT_TOKEN", "WECHAT_ENCODING_AES_KEY", "WECHAT_STABLE_TOKEN"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("-help output lacks %s:\n%s", want, out)
		}
	}
	out = &syncBuffer{}
	err := run(t.Context(), []string{"-nope"}, func(string) string { return "" }, out)
	if err == nil || strings.Count(out.String(), "-nope") != 1 {
		t.Errorf("run(-nope) = %v, output %q; want an error printed once", err, out)
	}
}

// TestEchobotWebhookSettings: a real account with an EncodingAESKey refuses
// plaintext pushes unless WECHAT_ALLOW_PLAINTEXT=1, and refuses a push whose
// timestamp is out of the window unless WECHAT_TIMESTAMP_SKEW says otherwise.
func TestEchobotWebhookSettings(t *testing.T) {
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	account := func(extra map[string]string) map[string]string {
		env := map[string]string{
			"WECHAT_APPID": fake.AppID(), "WECHAT_TOKEN": fake.WebhookToken(),
			"WECHAT_ENCODING_AES_KEY": fake.EncodingAESKey(), "WECHAT_API_BASE_URL": fake.URL(),
		}
		for k, v := range extra {
			env[k] = v
		}
		return env
	}
	send := func(url string, mode wechattest.Mode, now func() time.Time) error {
		c, err := wechattest.NewWebhookClient(wechattest.WebhookConfig{
			URL: url, AppID: fake.AppID(), Token: fake.WebhookToken(),
			EncodingAESKey: fake.EncodingAESKey(), Mode: mode, Now: now,
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Send(t.Context(), c.Text("o1", "hi"))
		return err
	}
	dayAgo := func() time.Time { return time.Now().Add(-24 * time.Hour) }

	strict, _ := start(t, account(nil))
	if err := send(strict, wechattest.ModePlaintext, nil); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("plaintext push to a bot with a key: %v, want 403", err)
	}
	if err := send(strict, wechattest.ModeSafe, dayAgo); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("day-old push: %v, want 403", err)
	}
	if err := send(strict, wechattest.ModeSafe, nil); err != nil {
		t.Errorf("safe push: %v", err)
	}

	loose, _ := start(t, account(map[string]string{"WECHAT_ALLOW_PLAINTEXT": "1", "WECHAT_TIMESTAMP_SKEW": "0"}))
	if err := send(loose, wechattest.ModePlaintext, nil); err != nil {
		t.Errorf("plaintext push with WECHAT_ALLOW_PLAINTEXT=1: %v", err)
	}
	if err := send(loose, wechattest.ModeSafe, dayAgo); err != nil {
		t.Errorf("day-old push with WECHAT_TIMESTAMP_SKEW=0: %v", err)
	}

	out := &syncBuffer{}
	err := run(t.Context(), []string{"-addr", "127.0.0.1:0"}, func(k string) string { return account(map[string]string{"WECHAT_TIMESTAMP_SKEW": "five minutes"})[k] }, out)
	if err == nil || !strings.Contains(err.Error(), "WECHAT_TIMESTAMP_SKEW") {
		t.Errorf("a bad WECHAT_TIMESTAMP_SKEW: %v, want an error naming it", err)
	}
}

// TestDeadlineThroughGin: mounted as echobot mounts it (gin.WrapH behind
// gin.Recovery), a webhook whose handler misses its deadline still has
// "success" reach WeChat at the deadline, whole and marked Connection: close,
// while the handler runs on: gin's writer flushes.
func TestDeadlineThroughGin(t *testing.T) {
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	webhook := message.NewServer(oa, message.HandlerFunc(func(context.Context, *message.Message) message.Reply {
		<-release
		return message.Text("late")
	}), message.WithDeadline(50*time.Millisecond))
	web := httptest.NewServer(newRouter(webhook))
	t.Cleanup(web.Close)
	t.Cleanup(func() { close(release) }) // runs first (t.Cleanup is LIFO): web.Close waits for the handler

	c := fake.WebhookClient(web.URL+"/wechat", wechattest.ModeSafe)
	req, err := c.NewRequest(t.Context(), c.Text("o1", "slow"))
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: testutil.WaitTimeout}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("the push was not answered while its handler ran: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(body) != "success" || !resp.Close {
		t.Errorf("answer %q (%v), Connection: close %v; want success, closed", body, err, resp.Close)
	}
}
