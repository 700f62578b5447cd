package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wxkit/wechat/internal/browsertest"
	"github.com/wxkit/wechat/wechattest"
)

// TestArticleInBrowser publishes the sample in sandbox mode and opens the
// article page the command prints in Chromium: the title shows, every image
// loads from the fake, the inline styles apply.
func TestArticleInBrowser(t *testing.T) {
	t.Parallel()
	tab := browsertest.New(t)
	remote, _ := imageServer(t)
	dir := sampleDir(t, remote.URL)
	var stdout, stderr bytes.Buffer
	var title string
	var images, loaded int
	var border, quoteColor string
	var shot []byte
	c := &command{getenv: env(nil), stdout: &stdout, stderr: &stderr}
	c.sandboxDone = func(*wechattest.Server) {
		var errs []error
		note := func(err error) {
			if err != nil {
				errs = append(errs, err)
			}
		}
		note(chromedp.Do(tab, chromedp.EmulateViewport(420, 900), // a phone's width, as in WeChat
			chromedp.Navigate(lastLine(stdout.String())), chromedp.WaitReady("#js_content")))
		_, err := chromedp.Run(tab, chromedp.Poll[bool](`Array.from(document.images).every(i => i.complete)`))
		note(err)
		title, err = chromedp.Run(tab, chromedp.Text("#activity-name"))
		note(err)
		images, err = chromedp.Run(tab, chromedp.Evaluate[int](`document.images.length`))
		note(err)
		loaded, err = chromedp.Run(tab, chromedp.Evaluate[int](`Array.from(document.images).filter(i => i.naturalWidth > 0).length`))
		note(err)
		border, err = chromedp.Run(tab, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("td")).borderTopStyle`))
		note(err)
		quoteColor, err = chromedp.Run(tab, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("blockquote")).borderLeftColor`))
		note(err)
		shot, err = chromedp.Run(tab, chromedp.FullScreenshot(100)) // quality 100: PNG
		note(err)
		if len(errs) > 0 {
			t.Errorf("browser: %v", errs)
		}
	}
	if err := c.run(t.Context(), []string{"-publish", filepath.Join(dir, "sample.md")}); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	if title != "wxkit 发布了：用 Go 写公众号后台" {
		t.Errorf("the page's title = %q", title)
	}
	if images != 4 || loaded != 4 {
		t.Errorf("%d of %d images loaded, want 4 of 4", loaded, images)
	}
	if border != "solid" || quoteColor != "rgb(7, 193, 96)" {
		t.Errorf("table border %q, quote border %q: the inline styles did not apply", border, quoteColor)
	}
	if len(shot) == 0 {
		t.Error("no screenshot")
	} else if out := os.Getenv("WXKIT_SCREENSHOT_DIR"); out != "" {
		_ = os.WriteFile(filepath.Join(out, "publish-article.png"), shot, 0o644)
	}
}
