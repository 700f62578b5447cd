package browsertest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// FailScreenshotEnv names a file a failed test writes its tab's screenshot to.
const FailScreenshotEnv = "WXKIT_FAIL_SCREENSHOT"

// PollTimeout bounds Do, Poll and Text: how long a page may take to show what a
// test waits for.
const PollTimeout = 30 * time.Second

// NewTab opens a tab of its own in browser, with its own cookies (an
// incognito-like context), closed when t ends. When t fails, the page's
// script errors are logged, and a screenshot is written to
// $WXKIT_FAIL_SCREENSHOT if set.
func NewTab(t testing.TB, browser context.Context) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	var (
		mu     sync.Mutex
		errors []string
	)
	err := chromedp.Listen(tab, func(ev any) {
		var msg string
		switch e := ev.(type) {
		case *cdpruntime.EventExceptionThrown:
			d := e.ExceptionDetails
			msg = d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			msg = fmt.Sprintf("%s:%d: %s", d.URL, d.LineNumber+1, msg)
		case *cdpruntime.EventConsoleAPICalled:
			if e.Type != cdpruntime.ConsoleAPICalledTypeError {
				return
			}
			var parts []string
			for _, a := range e.Args {
				if a.Description != "" {
					parts = append(parts, a.Description)
				} else {
					parts = append(parts, string(a.Value))
				}
			}
			msg = "console.error " + strings.Join(parts, " ")
		default:
			return
		}
		mu.Lock()
		errors = append(errors, msg)
		mu.Unlock()
	})
	if err != nil { // Listen opens the tab: this is where a browser that cannot open one shows
		cancel()
		t.Fatalf("browsertest: cannot open a tab: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			mu.Lock()
			for _, e := range errors {
				t.Logf("page: %s", e)
			}
			mu.Unlock()
			if path := os.Getenv(FailScreenshotEnv); path != "" {
				shot, err := chromedp.Run(tab, chromedp.CaptureScreenshot())
				if err == nil {
					err = os.WriteFile(path, shot, 0o644)
				}
				if err != nil {
					t.Logf("browsertest: no screenshot in %s: %v", path, err)
				} else {
					t.Logf("browsertest: the tab's screenshot is in %s", path)
				}
			}
		}
		cancel()
	})
	return tab
}

// Do runs steps in tab within PollTimeout in all (a wait for an element the
// page never shows included), failing t on an error with the step that failed.
func Do(t testing.TB, tab context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, PollTimeout)
	defer cancel()
	for i, step := range steps {
		if err := chromedp.Do(ctx, step); err != nil {
			t.Fatalf("browser step %d of %d (%T), within %v for the steps: %v", i+1, len(steps), step, PollTimeout, err)
		}
	}
}

// Poll evaluates expr until ok says yes (the page updates on its own) and
// returns its last value, failing t after PollTimeout.
func Poll(t testing.TB, tab context.Context, expr string, ok func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(PollTimeout)
	for {
		s := Eval(t, tab, expr)
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is still %q after %v", expr, s, PollTimeout)
		}
		time.Sleep(50 * time.Millisecond) // the page's own pace, not a timing assumption
	}
}

// Eval returns the string expr evaluates to in tab, failing t on an error.
func Eval(t testing.TB, tab context.Context, expr string) string {
	t.Helper()
	s, err := chromedp.Run(tab, chromedp.Evaluate[string](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return s
}

// Text returns the trimmed text of the first element sel selects, once there
// is one. It reads it in one evaluation: a page that redraws parts of itself
// may drop a node between finding it and reading it.
func Text(t testing.TB, tab context.Context, sel string) string {
	t.Helper()
	expr := fmt.Sprintf(`document.querySelector(%q)?.innerText ?? "\x00"`, sel)
	return strings.TrimSpace(Poll(t, tab, expr, func(s string) bool { return s != "\x00" }))
}
