package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wxkit/wechat/customerservice"
	"github.com/wxkit/wechat/internal/browsertest"
	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/menu"
	"github.com/wxkit/wechat/qrcode"
	"github.com/wxkit/wechat/template"
	"github.com/wxkit/wechat/wechattest"
)

// screenshotEnv names the file TestBrowser writes its screenshot to
// (docs/wxsim.png is made this way: WXSIM_SCREENSHOT=$PWD/docs/wxsim.png).
const screenshotEnv = "WXSIM_SCREENSHOT"

// TestBrowser runs examples/echobot, built from this checkout, with the
// settings wxsim prints, and drives the page in headless Chromium: follow and
// see the greeting, tap a menu button and a sub-menu button and see the answers,
// type and see the echo in every mode, and see a customer-service message and
// a template message the bot sends arrive without a reload.
func TestBrowser(t *testing.T) {
	browser := browsertest.New(t)
	base, sim := startSim(t, "http://127.0.0.1:1/wechat", options{})
	env := strings.Fields(envLine(sim.Fake(), base))
	// The bot gets the printed settings, and WECHAT_ALLOW_PLAINTEXT=1 so that
	// plaintext mode is answered too (a wxkit bot with an EncodingAESKey refuses
	// plaintext pushes by default).
	webhook := runEchobot(t, append(env, "WECHAT_ALLOW_PLAINTEXT=1"))
	if code := call(t, base, http.MethodPut, "/webhook", map[string]string{"url": webhook}, nil); code != http.StatusOK {
		t.Fatalf("PUT /webhook %s: %d", webhook, code)
	}

	// The bot's menu, created through the menu API at the simulator, as
	// examples/menu would.
	oa := botAccount(t, base)
	err := menu.New(oa).Create(t.Context(), menu.Menu{Buttons: []menu.Button{
		menu.Click("你好", "HELLO"),
		menu.Sub("更多", menu.Click("今日歌曲", "V1001_TODAY_MUSIC"), menu.View("文档", "https://developers.weixin.qq.com/doc/")),
	}})
	if err != nil {
		t.Fatal(err)
	}

	tab := browsertest.NewTab(t, browser)
	browsertest.Do(t, tab, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#follow")))
	if got := browsertest.Text(t, tab, "#account-name"); got != wechattest.DefaultAccountName {
		t.Errorf("the chat's title is %q, want the account's name", got)
	}

	// Follow: the greeting.
	browsertest.Do(t, tab, chromedp.Click(chromedp.CSS("#follow")))
	waitReply(t, tab, "欢迎关注！Send me anything and I will say it back.")
	browsertest.Do(t, tab, chromedp.WaitVisible(chromedp.CSS(`.menu-button[data-key="HELLO"]`)))

	// Tap 你好 (a CLICK the bot routes by key), then 更多 → 今日歌曲.
	browsertest.Do(t, tab, chromedp.Click(chromedp.CSS(`.menu-button[data-key="HELLO"]`)))
	waitReply(t, tab, "Hello from the menu!")
	browsertest.Do(t, tab, chromedp.Click(chromedp.CSS(`.menu-button[data-index="1"]`)))
	browsertest.Do(t, tab, chromedp.WaitVisible(chromedp.CSS(`.submenu .menu-item[data-key="V1001_TODAY_MUSIC"]`)))
	browsertest.Do(t, tab, chromedp.Click(chromedp.CSS(`.submenu .menu-item[data-key="V1001_TODAY_MUSIC"]`)))
	waitReply(t, tab, "You clicked V1001_TODAY_MUSIC")

	// Type in each mode and see the echo; the wire panel says what went over it.
	browsertest.Do(t, tab, chromedp.Click(chromedp.CSS("#to-input")), chromedp.WaitVisible(chromedp.CSS("#text")))
	for _, mode := range []string{"plaintext", "safe", "compatible", "safe"} {
		browsertest.Do(t, tab, chromedp.Click(chromedp.CSS(`.modes [data-mode="`+mode+`"]`)))
		browsertest.Poll(t, tab, `document.querySelector('.modes [data-mode="`+mode+`"]').getAttribute("aria-checked")`, func(s string) bool { return s == "true" })
		msg := "你好，" + mode + " <wxsim> & 微信"
		typeText(t, tab, msg)
		waitReply(t, tab, msg)
		// The panel shows the newest exchange once the page has it.
		browsertest.Poll(t, tab, `document.querySelector("#wire-plain")?.innerText ?? ""`, func(s string) bool { return strings.Contains(s, "<wxsim>") && strings.Contains(s, mode) })
		if got := browsertest.Text(t, tab, "#outcome"); got != "已回复" {
			t.Errorf("%s: the wire panel says %q, want 已回复", mode, got)
		}
		failed := browsertest.Eval(t, tab, `[...document.querySelectorAll('.verdict[data-state="fail"] .name')].map(n => n.textContent).join(",")`)
		if failed != "" {
			t.Errorf("%s: failed verdicts %s", mode, failed)
		}
		plain := browsertest.Text(t, tab, "#wire-plain")
		if !strings.Contains(plain, "<Content><![CDATA["+msg+"]]></Content>") {
			t.Errorf("%s: the pushed XML in the panel is %q", mode, plain)
		}
		enc := browsertest.Eval(t, tab, `[...document.querySelectorAll('#wire-body th')].map(n => n.textContent).join(",")`)
		if hasAES := strings.Contains(enc, "encrypt_type"); hasAES != (mode != "plaintext") {
			t.Errorf("%s: query parameters %s", mode, enc)
		}
	}

	// The bot writes through the customer-service and template APIs: the page
	// shows both as they arrive.
	openID := browsertest.Eval(t, tab, `document.querySelector("#followers li.current").dataset.openid`)
	if err := customerservice.New(oa).Send(t.Context(), openID, customerservice.Text{Content: "订单已发货，查看 " + customerservice.Link("物流", "https://example.com/o/42")}); err != nil {
		t.Fatal(err)
	}
	waitReply(t, tab, "订单已发货，查看 物流")
	if href := browsertest.Eval(t, tab, `[...document.querySelectorAll('.msg.them .bubble a')].pop()?.href ?? ""`); href != "https://example.com/o/42" {
		t.Errorf("the link in the customer-service message goes to %q", href)
	}
	tid := sim.Fake().AddTemplate(wechattest.PrivateTemplate{Title: "订单发货通知",
		Content: "{{first.DATA}}\n商品名称：{{thing1.DATA}}\n快递单号：{{character_string2.DATA}}\n{{remark.DATA}}"})
	_, err = template.New(oa).Send(t.Context(), template.Message{ToUser: openID, TemplateID: tid, URL: "https://example.com/o/42",
		Data: map[string]template.Value{"thing1": {Value: "机械键盘"}, "character_string2": {Value: "SF1234567890"}}})
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Do(t, tab, chromedp.WaitVisible(chromedp.CSS(".bubble.template")))
	if got := browsertest.Text(t, tab, ".bubble.template"); !strings.Contains(got, "订单发货通知") || !strings.Contains(got, "机械键盘") || !strings.Contains(got, "SF1234567890") {
		t.Errorf("the template card reads %q", got)
	}

	// A picture from the album: drawn on the follower's side from the media
	// store (echobot answers pictures with success: nothing comes back).
	pic := filepath.Join(t.TempDir(), "photo.png")
	if err := os.WriteFile(pic, testPNG(t), 0o644); err != nil {
		t.Fatal(err)
	}
	browsertest.Do(t, tab, chromedp.Click(chromedp.CSS("#plus")), chromedp.WaitVisible(chromedp.CSS(`[data-more="image"]`)),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{pic}))
	browsertest.Poll(t, tab, `String([...document.querySelectorAll("#chat .msg.me img.img")].pop()?.naturalWidth ?? 0)`, func(s string) bool { return s == "160" })

	// 阿强 scans the bot's QR code: he follows, and the bot greets him.
	code, err := qrcode.New(oa).Temporary(t.Context(), qrcode.String("海报-A"), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Do(t, tab, chromedp.Click(chromedp.CSS("#followers li:nth-child(2)")), chromedp.WaitVisible(chromedp.CSS("#scan-follow")),
		chromedp.Click(chromedp.CSS("#scan-follow")), chromedp.WaitVisible(chromedp.CSS(`.qr[data-ticket="`+code.Ticket+`"]`)))
	browsertest.Poll(t, tab, `String(document.querySelector(".qr img").naturalWidth)`, func(s string) bool { return s != "0" })
	browsertest.Do(t, tab, chromedp.Click(chromedp.CSS(`.qr[data-ticket="`+code.Ticket+`"]`)))
	waitReply(t, tab, "欢迎关注！Send me anything and I will say it back.")
	if got := browsertest.Text(t, tab, "#chat .tip.event"); got != "你扫码关注了公众号（场景 海报-A）" {
		t.Errorf("the scan reads %q", got)
	}
	browsertest.Do(t, tab, chromedp.Click(chromedp.CSS("#followers li:nth-child(1)")), chromedp.WaitVisible(chromedp.CSS("#text")))
	browsertest.Do(t, tab, chromedp.WaitVisible(chromedp.CSS("#chat .bubble.template"))) // 小微's chat again

	// A bot with wxkit's defaults refuses plaintext pushes: the follower sees
	// WeChat's fallback, and the panel says why and what to do.
	call(t, base, http.MethodPut, "/webhook", map[string]string{"url": startBot(t, wxkitBot(t))}, nil)
	browsertest.Do(t, tab, chromedp.Click(chromedp.CSS(`.modes [data-mode="plaintext"]`)))
	browsertest.Poll(t, tab, `document.querySelector('.modes [data-mode="plaintext"]').getAttribute("aria-checked")`, func(s string) bool { return s == "true" })
	typeText(t, tab, "明文模式还行吗？")
	browsertest.Poll(t, tab, `document.querySelector("#chat .entry:last-child .tip.fallback")?.innerText ?? ""`, func(s string) bool { return s == fallbackText })
	if got := browsertest.Text(t, tab, "#wire-body .problem"); !strings.Contains(got, "HTTP 403") || !strings.Contains(got, "WECHAT_ALLOW_PLAINTEXT=1") {
		t.Errorf("the panel explains the refusal as %q", got)
	}
	call(t, base, http.MethodPut, "/webhook", map[string]string{"url": webhook}, nil)
	browsertest.Do(t, tab, chromedp.Click(chromedp.CSS(`.modes [data-mode="safe"]`)))
	browsertest.Poll(t, tab, `document.querySelector('.modes [data-mode="safe"]').getAttribute("aria-checked")`, func(s string) bool { return s == "true" })

	// A last exchange selected for the screenshot, the menu back at the bottom
	// with 更多 open.
	typeText(t, tab, "在吗？想查一下订单")
	waitReply(t, tab, "在吗？想查一下订单")
	if got := browsertest.Eval(t, tab, `document.querySelector("#text").value`); got != "" {
		t.Errorf("the input still holds %q after sending", got)
	}
	browsertest.Do(t, tab, chromedp.Click(chromedp.CSS("#to-menu")), chromedp.WaitVisible(chromedp.CSS(`.menu-button[data-index="1"]`)),
		chromedp.Click(chromedp.CSS(`.menu-button[data-index="1"]`)), chromedp.WaitVisible(chromedp.CSS(".submenu")))
	shot, err := chromedp.Run(tab, chromedp.FullScreenshot(90))
	if err != nil {
		t.Fatal(err)
	}
	if path := os.Getenv(screenshotEnv); path != "" {
		shot, err = chromedp.Run(tab, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if len(shot) < 10000 {
		t.Errorf("the screenshot is %d bytes", len(shot))
	}
}

// TestBrowserSlowBot drives a bot that never answers in time: the page shows
// WeChat's retries and, after the last one, "该公众号暂时无法提供服务". The
// simulator waits 200 ms per attempt instead of WeChat's 5 s.
func TestBrowserSlowBot(t *testing.T) {
	browser := browsertest.New(t)
	var pushes atomic.Int32
	slow := startBot(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pushes.Add(1)
		_, _ = io.Copy(io.Discard, r.Body) // then the server notices when WeChat hangs up
		<-r.Context().Done()               // sleeps past the deadline
	}))
	base, _ := startSim(t, slow, options{timeout: 200 * time.Millisecond})

	tab := browsertest.NewTab(t, browser)
	browsertest.Do(t, tab, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#follow")), chromedp.Click(chromedp.CSS("#follow")))
	browsertest.Do(t, tab, chromedp.WaitVisible(chromedp.CSS(".tip.fallback")))
	if got := browsertest.Text(t, tab, ".tip.fallback"); got != fallbackText {
		t.Errorf("fallback reads %q", got)
	}
	rows := browsertest.Eval(t, tab, `String(document.querySelectorAll("tr.attempt.timeout").length)`)
	if rows != "3" {
		t.Errorf("the panel shows %s timed-out attempts, want 3", rows)
	}
	if got := browsertest.Text(t, tab, `.verdict[data-state="warn"] .name`); got != "微信重试" {
		t.Errorf("the first warning is %q, want the retries", got)
	}
	if got := browsertest.Text(t, tab, "#outcome"); got != "该公众号暂时无法提供服务" {
		t.Errorf("outcome %q", got)
	}
	// The simulator gives up on an attempt without waiting for the bot's
	// handler to start: on a busy machine the third may start after the page
	// shows the fallback.
	testutil.WaitFor(t, func() bool { return pushes.Load() >= 3 }, "the bot's third push")
	if n := pushes.Load(); n != 3 {
		t.Errorf("the bot saw %d pushes, want 3", n)
	}
}

// typeText types s into the input and taps 发送, which shows once there is
// text.
func typeText(t *testing.T, tab context.Context, s string) {
	t.Helper()
	browsertest.Do(t, tab, chromedp.SendKeys(chromedp.CSS("#text"), s), chromedp.WaitVisible(chromedp.CSS("#send")), chromedp.Click(chromedp.CSS("#send")))
}

// waitReply waits until the chat's last message from the account reads want.
func waitReply(t *testing.T, tab context.Context, want string) {
	t.Helper()
	browsertest.Poll(t, tab, `[...document.querySelectorAll("#chat .msg.them .bubble")].pop()?.innerText ?? ""`, func(s string) bool { return s == want })
}
