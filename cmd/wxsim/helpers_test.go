package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/message"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

// startSim runs the simulator as the program does (serve) on a loopback port
// until the test ends, pushing to webhook, and returns its base URL and the Sim.
func startSim(t *testing.T, webhook string, opts options, args ...string) (string, *Sim) {
	t.Helper()
	args = append([]string{"-addr", "127.0.0.1:0", "-webhook", webhook}, args...)
	sim := testutil.Serve(t, nil, func(ctx context.Context, ready chan<- *Sim) error {
		opts.ready = ready
		return serve(ctx, args, io.Discard, &opts)
	})
	return sim.base, sim
}

// echoMux is examples/echobot's bot, for tests that need it in-process.
func echoMux() *message.Mux {
	mux := message.NewMux()
	mux.HandleText(func(_ context.Context, m *message.Message) message.Reply { return message.Text(m.Content) })
	mux.HandleEvent(message.EventSubscribe, func(context.Context, *message.Message) message.Reply {
		return message.Text("欢迎关注！Send me anything and I will say it back.")
	})
	mux.HandleEvent(message.EventClick, func(_ context.Context, m *message.Message) message.Reply {
		return message.Text("You clicked " + m.EventKey)
	})
	return mux
}

// botAccount is the sandbox account as a bot configured with wxsim's printed
// settings sees it: the API at the simulator.
func botAccount(t *testing.T, base string) *officialaccount.OfficialAccount {
	t.Helper()
	cred := credential.New(wechattest.SandboxAppID, wechattest.SandboxAppSecret, credential.WithBaseURL(base))
	oa, err := officialaccount.New(officialaccount.Config{
		AppID: wechattest.SandboxAppID, AppSecret: wechattest.SandboxAppSecret, Token: wechattest.SandboxToken,
		EncodingAESKey: wechattest.SandboxEncodingAESKey, BaseURL: base, Credential: cred,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = cred.Shutdown(ctx)
	})
	return oa
}

// startBot serves h on a loopback port until the test ends and returns its URL.
func startBot(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/wechat"
}

// startWebhook serves a wxkit webhook with mux on the sandbox account.
func startWebhook(t *testing.T, mux *message.Mux, opts ...message.Option) string {
	t.Helper()
	oa, err := officialaccount.New(officialaccount.Config{AppID: wechattest.SandboxAppID, Token: wechattest.SandboxToken,
		EncodingAESKey: wechattest.SandboxEncodingAESKey})
	if err != nil {
		t.Fatal(err)
	}
	srv := message.NewServer(oa, mux, opts...)
	url := startBot(t, srv)
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	return url
}

var (
	echobotOnce sync.Once
	echobotPath string
	echobotErr  error
	buildDir    string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// runEchobot builds examples/echobot once and runs it with env (the variables
// wxsim printed) on a loopback port until the test ends; it returns the
// webhook URL the bot printed.
func runEchobot(t *testing.T, env []string) string {
	t.Helper()
	echobotOnce.Do(func() {
		buildDir, echobotErr = os.MkdirTemp("", "wxsim-echobot-")
		if echobotErr != nil {
			return
		}
		echobotPath = filepath.Join(buildDir, "echobot")
		if runtime.GOOS == "windows" {
			echobotPath += ".exe"
		}
		out, err := exec.Command("go", "build", "-o", echobotPath, "github.com/wxkit/wechat/examples/echobot").CombinedOutput()
		if err != nil {
			echobotErr = &buildError{err: err, out: string(out)}
		}
	})
	if echobotErr != nil {
		t.Fatalf("building examples/echobot: %v", echobotErr)
	}
	cmd := exec.Command(echobotPath, "-addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default: // nobody reads the log after start-up
			}
		}
		close(lines)
	}()
	timeout := time.After(30 * time.Second)
	var seen []string
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("echobot exited before listening:\n%s", strings.Join(seen, "\n"))
			}
			seen = append(seen, line)
			if _, url, ok := strings.Cut(line, "webhook at "); ok {
				return strings.TrimSpace(url)
			}
		case <-timeout:
			t.Fatalf("echobot did not say where it listens:\n%s", strings.Join(seen, "\n"))
		}
	}
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// call sends a request to the simulator's API as its page does and decodes
// the JSON answer into out (when not nil); it returns the status.
func call(t *testing.T, base, method, path string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, base+"/wxsim/api"+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
	return resp.StatusCode
}
