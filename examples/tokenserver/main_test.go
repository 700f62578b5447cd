package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/internal/httpserve"
	"github.com/wxkit/wechat/internal/redistest"
	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/wechattest"
)

const testKey = "tokenserver-test-key-0123456789"

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

type syncBuffer = testutil.SyncBuffer

// stopTimeout bounds stop: the server's graceful shutdown, plus a margin for a
// busy machine.
const stopTimeout = httpserve.ShutdownTimeout + 5*time.Second

// started is a running server: its base URL, output, and a stop that waits for
// the graceful shutdown and returns serve's error.
type started struct {
	url            string
	stdout, stderr *syncBuffer
	stop           func() error
}

func start(t *testing.T, vars map[string]string) *started {
	t.Helper()
	s := &started{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	a, err := setup(env(vars), s.stdout, s.stderr)
	if err != nil {
		t.Fatalf("setup: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.url = "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		defer a.close()
		done <- a.serve(ctx, ln)
	}()
	var once sync.Once
	var serveErr error
	s.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case serveErr = <-done:
			case <-time.After(stopTimeout):
				t.Errorf("the server did not shut down within %s", stopTimeout)
			}
		})
		return serveErr
	}
	t.Cleanup(func() { _ = s.stop() })
	return s
}

func get(t *testing.T, method, url, key, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s %s: answer is not JSON: %v", method, url, err)
	}
	return resp.StatusCode, out
}

// waitHealthy polls /healthz, with key when it is not "", until the refresher
// has a token.
func waitHealthy(t *testing.T, url, key string) map[string]any {
	t.Helper()
	var (
		status int
		body   map[string]any
	)
	if !testutil.Eventually(func() bool {
		status, body = get(t, http.MethodGet, url+"/healthz", key, "")
		return status == http.StatusOK
	}) {
		t.Fatalf("/healthz = %d %v after %s, want 200", status, body, testutil.WaitTimeout)
	}
	return body
}

func TestSandbox(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	m := regexp.MustCompile(`this run's key is ([0-9a-f]{64})\n`).FindStringSubmatch(s.stdout.String())
	if m == nil {
		t.Fatalf("stdout = %q, want the made-up sandbox key", s.stdout.String())
	}
	key := m[1]

	health := waitHealthy(t, s.url, key) // the refresher fetched without being asked
	if health["status"] != "ok" || health["store"] != "memory" || health["expires_in"].(float64) < 7100 {
		t.Errorf("/healthz = %v", health)
	}
	status, body := get(t, http.MethodGet, s.url+"/token", key, "")
	tok, _ := body["access_token"].(string)
	if status != 200 || tok == "" || body["expires_in"].(float64) < 7100 {
		t.Fatalf("GET /token = %d %v", status, body)
	}
	for name, leaked := range health {
		if v, ok := leaked.(string); ok && v == tok {
			t.Errorf("/healthz field %q holds the token", name)
		}
	}
	// Without the key /healthz says up or down, nothing more.
	if status, body := get(t, http.MethodGet, s.url+"/healthz", "", ""); status != 200 || len(body) != 1 || body["status"] != "ok" {
		t.Errorf("/healthz without the key = %d %v, want only the status", status, body)
	}
	if status, body := get(t, http.MethodGet, s.url+"/token", "", ""); status != 401 || body["errcode"] != float64(40001) {
		t.Errorf("GET /token without key = %d %v, want 401 errcode 40001", status, body)
	}
	if status, body := get(t, http.MethodGet, s.url+"/token/refresh", key, ""); status != 405 {
		t.Errorf("GET /token/refresh = %d %v, want 405", status, body)
	}
	// The current token, which WeChat still accepts, is not replaced on a
	// caller's word: it comes back as it is.
	status, body = get(t, http.MethodPost, s.url+"/token/refresh", key, `{"stale":"`+tok+`"}`)
	renewed, _ := body["access_token"].(string)
	if status != 200 || renewed != tok {
		t.Errorf("POST /token/refresh of a good token = %d, same token %v", status, renewed == tok)
	}

	// A Remote uses it like any business server would.
	r, err := credential.NewRemote(s.url, key)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := r.Token(t.Context()); err != nil || got != renewed {
		t.Errorf("Remote.Token() = same as the server's %v, %v", got == renewed, err)
	}

	if err := s.stop(); err != nil {
		t.Errorf("shutdown: %v", err)
	}
	logs := s.stderr.String()
	for _, secret := range []string{key, tok, renewed, wechattest.SandboxAppSecret} {
		if strings.Contains(logs, secret) {
			t.Errorf("the logs hold the key, a token or the AppSecret:\n%s", logs)
		}
	}
	for _, want := range []string{"sandbox mode", "listening", "shutting down", "path=/token"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the logs lack %q:\n%s", want, logs)
		}
	}
}

// TestAgainstWeChat plays real mode: credentials, the API host, the stable token
// and Redis all from the environment.
func TestAgainstWeChat(t *testing.T) {
	t.Parallel()
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	rds := redistest.Start(t)
	s := start(t, map[string]string{
		"WECHAT_APPID": fake.AppID(), "WECHAT_APPSECRET": fake.AppSecret(),
		"WECHAT_API_BASE_URL": fake.URL(), "WECHAT_STABLE_TOKEN": "1",
		"TOKEN_SERVER_KEY": testKey, "REDIS_URL": rds.URL(),
	})
	if health := waitHealthy(t, s.url, testKey); health["store"] != "redis" {
		t.Errorf("/healthz store = %v, want redis", health["store"])
	}
	if s.stdout.String() != "" {
		t.Errorf("stdout = %q, want nothing outside sandbox mode", s.stdout.String())
	}
	status, body := get(t, http.MethodGet, s.url+"/token", testKey, "")
	if status != 200 || !fake.ValidToken(body["access_token"].(string)) {
		t.Fatalf("GET /token = %d, valid token: %v", status, status == 200 && fake.ValidToken(body["access_token"].(string)))
	}
	if got := fake.Calls("/cgi-bin/stable_token"); got != 1 {
		t.Errorf("stable_token calls = %d, want 1", got)
	}
	if got := fake.Calls("/cgi-bin/token"); got != 0 {
		t.Errorf("classic token calls = %d, want 0", got)
	}
	// The answer goes out before the fetch lock is released: wait for the lock
	// to go, leaving the stored token alone.
	rdb := rds.Client(t)
	want := "wxkit:access_token:stable:" + fake.AppID()
	var (
		keys []string
		err  error
	)
	if !testutil.Eventually(func() bool {
		keys, err = rdb.Keys(t.Context(), "wxkit:access_token:stable:*").Result()
		return err == nil && len(keys) == 1 && keys[0] == want
	}) {
		t.Errorf("Redis keys = %v, %v; want only the stored stable token %s", keys, err, want)
	}
}

func TestSetupRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		vars   map[string]string
		want   string // in the error
		secret string // not in the error
	}{
		{"appid without secret", map[string]string{"WECHAT_APPID": "wx1", "TOKEN_SERVER_KEY": testKey}, "WECHAT_APPSECRET is required", testKey},
		{"no key outside the sandbox", map[string]string{"WECHAT_APPID": "wx1", "WECHAT_APPSECRET": "s3cr3t"}, "TOKEN_SERVER_KEY is required", "s3cr3t"},
		{"short key", map[string]string{"WECHAT_APPID": "wx1", "WECHAT_APPSECRET": "s3cr3t", "TOKEN_SERVER_KEY": "sh0rtK"}, "at least 16 bytes", "sh0rtK"},
		{"bad REDIS_URL", map[string]string{"TOKEN_SERVER_KEY": testKey, "REDIS_URL": "http://:pw-9f3@x"}, "REDIS_URL", "pw-9f3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			err := run(t.Context(), []string{"-addr", "127.0.0.1:0"}, env(tt.vars), &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("run = %v, want an error about %q", err, tt.want)
			}
			if strings.Contains(err.Error(), tt.secret) {
				t.Errorf("the error quotes a secret: %v", err)
			}
		})
	}
}

func TestRunFlags(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), []string{"-nope"}, env(nil), &stdout, &stderr); err == nil {
		t.Error("run with an unknown flag succeeded")
	}
	if err := run(t.Context(), []string{"extra"}, env(nil), &stdout, &stderr); err == nil {
		t.Error("run with an extra argument succeeded")
	}
	// run itself: listens on -addr and returns nil once ctx ends.
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	if err := run(ctx, []string{"-addr", "127.0.0.1:0"}, env(map[string]string{"TOKEN_SERVER_KEY": testKey}), &stdout, &stderr); err != nil {
		t.Errorf("run until ctx ends = %v, want nil", err)
	}
}
