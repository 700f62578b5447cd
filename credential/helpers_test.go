package credential_test

import (
	"io"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wxkit/wechat/wechattest"
)

// waitFor polls cond for up to 5 s; the work it waits for takes milliseconds.
func waitFor(t *testing.T, cond func() bool, what string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for "+what, args...)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// goroutinesLeft reports whether any goroutine's stack mentions one of marks.
func goroutinesLeft(marks ...string) bool {
	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	for _, m := range marks {
		if strings.Contains(stacks, m) {
			return true
		}
	}
	return false
}

// useUpTokenQuota sets a daily token quota of 1 and spends it.
func useUpTokenQuota(f *wechattest.Server) {
	f.SetQuota(pathToken, 1)
	q := url.Values{"grant_type": {"client_credential"}, "appid": {f.AppID()}, "secret": {f.AppSecret()}}
	resp, err := f.Client().Get(f.URL() + pathToken + "?" + q.Encode())
	if err == nil {
		resp.Body.Close()
	}
}
