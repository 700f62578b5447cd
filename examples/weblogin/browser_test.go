package main

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/wxkit/wechat/internal/browsertest"
	"github.com/wxkit/wechat/internal/testutil"
)

// startDemo runs the demo in sandbox mode on a loopback port until the test ends.
func startDemo(t *testing.T) string {
	t.Helper()
	return testutil.Serve(t, nil, func(ctx context.Context, ready chan<- string) error {
		return serve(ctx, []string{"-addr", "127.0.0.1:0"}, func(string) string { return "" }, io.Discard, ready)
	})
}

// TestBrowser drives the demo in headless Chromium: sign-in with 允许 and 拒绝, a
// reload of the callback, a forged state, the JS-SDK page, and the QR page.
func TestBrowser(t *testing.T) {
	browser := browsertest.New(t)
	base := startDemo(t)

	t.Run("allow, then reload the callback", func(t *testing.T) {
		tab := browsertest.NewTab(t, browser)
		var (
			mu        sync.Mutex
			callbacks []string
		)
		_ = chromedp.Listen(tab, func(ev any) {
			if e, ok := ev.(*network.EventRequestWillBeSent); ok && strings.HasPrefix(e.Request.URL, base+"/login?") && strings.Contains(e.Request.URL, "code=") {
				mu.Lock()
				callbacks = append(callbacks, e.Request.URL)
				mu.Unlock()
			}
		})
		browsertest.Do(t, tab, chromedp.Navigate(base+"/"), chromedp.Click(chromedp.CSS("#login")), chromedp.WaitVisible(chromedp.CSS("#allow")))
		if account := browsertest.Text(t, tab, "#account"); account == "" || browsertest.Text(t, tab, "#allow") != "允许" {
			t.Fatalf("consent page: account %q", account)
		}
		// The consent page shows #nickname and #avatar too: wait for the profile's
		// own #openid, or a busy machine reads the consent page before it goes.
		browsertest.Do(t, tab, chromedp.Click(chromedp.CSS("#allow")), chromedp.WaitVisible(chromedp.CSS("#openid")))
		if got := browsertest.Text(t, tab, "#nickname"); got != sandboxNickname {
			t.Errorf("profile nickname = %q, want %q", got, sandboxNickname)
		}
		// decode() resolves once the picture is loaded and decoded, and rejects
		// when it is broken.
		loaded, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.querySelector("#avatar").decode().then(() => document.querySelector("#avatar").naturalWidth > 0)`, chromedp.EvalAwaitPromise))
		if err != nil || !loaded {
			t.Errorf("the avatar did not load: %v", err)
		}
		// The browser reports its requests as events, which may arrive after the
		// page they led to has rendered: wait for the callback's.
		seen := func() []string {
			mu.Lock()
			defer mu.Unlock()
			return append([]string(nil), callbacks...)
		}
		testutil.WaitFor(t, func() bool { return len(seen()) > 0 }, "the browser to report the callback request")
		cb := seen()
		if len(cb) != 1 {
			t.Fatalf("saw %d callback requests, want 1: %v", len(cb), cb)
		}
		browsertest.Do(t, tab, chromedp.Navigate(cb[0]), chromedp.WaitVisible(chromedp.CSS("#login-error-title")))
		if got := browsertest.Text(t, tab, "#login-error-title"); got != "登录链接已用过" {
			t.Errorf("reloaded callback: %q, want the code-used page", got)
		}
	})

	t.Run("deny", func(t *testing.T) {
		tab := browsertest.NewTab(t, browser)
		browsertest.Do(t, tab, chromedp.Navigate(base+"/login?next=/profile"), chromedp.WaitVisible(chromedp.CSS("#deny")),
			chromedp.Click(chromedp.CSS("#deny")), chromedp.WaitVisible(chromedp.CSS("#login-error-title")))
		if got := browsertest.Text(t, tab, "#login-error-title"); got != "你拒绝了授权" {
			t.Errorf("after 拒绝: %q", got)
		}
	})

	t.Run("forged state", func(t *testing.T) {
		tab := browsertest.NewTab(t, browser)
		browsertest.Do(t, tab, chromedp.Navigate(base+"/login?code=0123456789abcdef&state="+strings.Repeat("ab", 16)),
			chromedp.WaitVisible(chromedp.CSS("#login-error-title")))
		if got := browsertest.Text(t, tab, "#login-error-title"); got != "登录请求无效" {
			t.Errorf("forged state: %q", got)
		}
	})

	t.Run("wx.config", func(t *testing.T) {
		tab := browsertest.NewTab(t, browser)
		browsertest.Do(t, tab, chromedp.Navigate(base+"/jssdk?from=test#section"))
		status := browsertest.Poll(t, tab, `document.querySelector("#status").textContent`, func(s string) bool { return strings.HasPrefix(s, "wx.") })
		if status != "wx.ready：签名有效" {
			t.Errorf("JS-SDK status %q (config %s)", status, browsertest.Text(t, tab, "#config"))
		}
	})

	t.Run("QR code", func(t *testing.T) {
		tab := browsertest.NewTab(t, browser)
		browsertest.Do(t, tab, chromedp.Navigate(base+"/qrcode"), chromedp.SetValue(chromedp.CSS("#scene"), "渠道A-42"),
			chromedp.Click(chromedp.CSS("#create")), chromedp.WaitVisible(chromedp.CSS("#qr")))
		// complete says the bytes arrived, not that the picture is decoded for
		// painting: a screenshot taken before that caught a first, low-quality
		// paint of the 430-pixel image shrunk to 215 (it failed to decode once in
		// eight runs on a busy machine). decode() resolves when it can be painted
		// in full, and a scale of 2 draws its 430 pixels one to one.
		if _, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.querySelector("#qr").decode().then(() => true)`, chromedp.EvalAwaitPromise)); err != nil {
			t.Fatalf("the QR image did not decode: %v", err)
		}
		shot, err := chromedp.Run(tab, chromedp.ScreenshotScale(chromedp.CSS("#qr"), 2))
		if err != nil {
			t.Fatal(err)
		}
		want := browsertest.Text(t, tab, "#qr-url")
		if got := testutil.DecodeQR(t, shot); got != want || want == "" {
			t.Errorf("the QR image on the page decodes to %q, want the code's URL %q", got, want)
		}
		browsertest.Do(t, tab, chromedp.Click(chromedp.CSS("#scan")))
		status := browsertest.Poll(t, tab, `document.querySelector("#scan-status").textContent`, func(s string) bool { return strings.HasPrefix(s, "已扫码") })
		if !strings.Contains(status, "subscribe") || !strings.Contains(status, "渠道A-42") {
			t.Errorf("after a scan: %q, want a subscribe event with the scene", status)
		}
		browsertest.Do(t, tab, chromedp.Click(chromedp.CSS("#scan")))
		browsertest.Poll(t, tab, `document.querySelector("#scan-status").textContent`, func(s string) bool { return strings.Contains(s, "SCAN") })
	})
}
