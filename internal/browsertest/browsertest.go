// Package browsertest starts headless Chromium for tests that drive a web page
// with chromedp: the login demo's, and the simulator's. A test skips with a
// clear message when no browser binary is found, and fails instead when
// WXKIT_REQUIRE_BROWSER=1 (CI sets it), so CI never passes by skipping.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wxkit/wechat/internal/testutil"
)

// RequireEnv makes a missing browser a failure instead of a skip.
const RequireEnv = "WXKIT_REQUIRE_BROWSER"

// candidates are the browser binaries looked for, Debian's first.
var candidates = []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"}

// Binary returns the path of a Chromium binary: WXKIT_CHROMIUM when set, else
// the first of Debian's /usr/bin/chromium and the usual names on PATH. ok is
// false when there is none.
func Binary() (path string, ok bool) {
	if p := os.Getenv("WXKIT_CHROMIUM"); p != "" {
		return p, true
	}
	for _, c := range candidates {
		if p, err := exec.LookPath(c); err == nil {
			return p, true
		}
	}
	return "", false
}

// Timeout bounds one test's use of the browser.
const Timeout = 2 * time.Minute

// New starts a headless Chromium for t — no sandbox (CI runs as root), no
// background networking (the machine has no internet), a fresh profile in
// t.TempDir() — and returns the context of its first tab. Further tabs, with the
// same cookies, come from chromedp.NewContext(ctx). The browser ends with t.
func New(t testing.TB) context.Context {
	t.Helper()
	bin, ok := Binary()
	if !ok {
		testutil.Missing(t, RequireEnv, fmt.Sprintf("browsertest: no Chromium found (looked for %v and $WXKIT_CHROMIUM); install Debian's chromium (apt-get install chromium) to run this test", candidates))
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.NoSandbox,
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	)
	ctx, cancelTimeout := context.WithTimeout(context.Background(), Timeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tab, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelTimeout()
	})
	if err := chromedp.Do(tab); err != nil { // start it now, to fail with a clear message
		t.Fatalf("browsertest: starting %s: %v", bin, err)
	}
	return tab
}
