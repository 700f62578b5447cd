package main

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wxkit/wechat/wechattest"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs the bot on a free loopback port with env and returns its webhook
// URL; the bot stops when the test ends.
func start(t *testing.T, env map[string]string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, []string{"-addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, out, ready)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	select {
	case url := <-ready:
		return url, out
	case err := <-done:
		t.Fatalf("run ended early: %v\n%s", err, out)
	case <-time.After(10 * time.Second):
		t.Fatalf("bot did not start\n%s", out)
	}
	return "", nil
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
