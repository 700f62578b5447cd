package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/menu"
	"github.com/wxkit/wechat/message"
	"github.com/wxkit/wechat/qrcode"
)

// TestFollowerActions checks what each follower action pushes, as the bot's
// wxkit parser reads it, and the refusals.
func TestFollowerActions(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	base, sim, openID := simFor(t, startWebhook(t, rec.mux()), options{})
	path := "/followers/" + openID
	if code := call(t, base, http.MethodPost, path+"/messages", map[string]string{"type": "text", "content": "hi"}, nil); code != http.StatusConflict {
		t.Errorf("text before following: %d, want 409", code)
	}
	if code := call(t, base, http.MethodPost, path+"/events", map[string]string{"event": "CLICK", "key": "K"}, nil); code != http.StatusConflict {
		t.Errorf("click before following: %d, want 409", code)
	}
	follow(t, base, openID)
	if code := call(t, base, http.MethodPost, path+"/events", map[string]string{"event": "subscribe"}, nil); code != http.StatusConflict {
		t.Errorf("a second subscribe: %d, want 409", code)
	}
	oa := botAccount(t, base)
	if err := menu.New(oa).Create(t.Context(), menu.Menu{Buttons: []menu.Button{menu.View("文档", "https://example.com/doc")}}); err != nil {
		t.Fatal(err)
	}
	_, menuID := sim.Fake().MenuFor(openID)

	push := func(kind string, body any) exchange {
		t.Helper()
		var ex exchange
		if code := call(t, base, http.MethodPost, path+"/"+kind, body, &ex); code != http.StatusOK {
			t.Fatalf("%s %v: %d", kind, body, code)
		}
		if ex.Outcome != "reply" {
			t.Fatalf("%s %v: outcome %s (%s)", kind, body, ex.Outcome, ex.Problem)
		}
		return ex
	}
	push("messages", map[string]any{"type": "location", "latitude": 23.13, "longitude": 113.35, "scale": 16, "label": "广州塔"})
	if m := rec.last(t); m.MsgType != message.MsgTypeLocation || m.LocationX != 23.13 || m.LocationY != 113.35 || m.Scale != 16 || m.Label != "广州塔" {
		t.Errorf("location: the bot got %+v", m)
	}
	push("messages", map[string]any{"type": "link", "title": "T", "description": "D", "url": "https://example.com/a"})
	if m := rec.last(t); m.MsgType != message.MsgTypeLink || m.Title != "T" || m.URL != "https://example.com/a" {
		t.Errorf("link: the bot got %+v", m)
	}
	push("messages", map[string]any{"type": "text", "content": "满意", "bizmsgmenuid": "101"})
	if m := rec.last(t); m.Content != "满意" || m.BizMsgMenuID != "101" {
		t.Errorf("menu option: the bot got %+v", m)
	}
	push("events", map[string]any{"event": "CLICK", "key": "V1001", "name": "今日歌曲"})
	if m := rec.last(t); m.Event != message.EventClick || m.EventKey != "V1001" {
		t.Errorf("CLICK: the bot got %+v", m)
	}
	push("events", map[string]any{"event": "VIEW", "key": "https://example.com/doc"})
	if m := rec.last(t); m.Event != message.EventView || m.EventKey != "https://example.com/doc" || m.MenuID != menuID || menuID == 0 {
		t.Errorf("VIEW: the bot got %+v, want MenuId %d", m, menuID)
	}
	push("events", map[string]any{"event": "scancode_waitmsg", "key": "rselfmenu_0_0", "scanResult": "https://a.cn/q?x=1&y=]]>"})
	if m := rec.last(t); m.ScanCodeInfo.ScanType != "qrcode" || m.ScanCodeInfo.ScanResult != "https://a.cn/q?x=1&y=]]>" {
		t.Errorf("scancode: the bot got %+v", m.ScanCodeInfo)
	}
	push("events", map[string]any{"event": "location_select", "key": "loc", "latitude": 39.9, "longitude": 116.4, "label": "天安门"})
	if m := rec.last(t); m.SendLocationInfo.LocationX != 39.9 || m.SendLocationInfo.Label != "天安门" {
		t.Errorf("location_select: the bot got %+v", m.SendLocationInfo)
	}
	push("events", map[string]any{"event": "LOCATION", "latitude": 39.9, "longitude": 116.4, "precision": 30})
	if m := rec.last(t); m.Event != message.EventLocation || m.Latitude != 39.9 || m.Precision != 30 {
		t.Errorf("LOCATION: the bot got %+v", m)
	}

	for _, bad := range []struct {
		kind string
		body any
	}{
		{"messages", map[string]any{"type": "text", "content": "  "}},
		{"messages", map[string]any{"type": "text", "content": strings.Repeat("长", maxTextRunes+1)}},
		{"messages", map[string]any{"type": "voice"}},
		{"messages", map[string]any{"type": "location", "latitude": 91}},
		{"messages", map[string]any{"type": "link", "title": "x", "url": "javascript:alert(1)"}},
		{"events", map[string]any{"event": "VIEW", "key": "ftp://x"}},
		{"events", map[string]any{"event": "CLICK"}},
		{"events", map[string]any{"event": "scan", "ticket": "nope"}},
		{"events", map[string]any{"event": "TEMPLATESENDJOBFINISH"}},
		{"events", map[string]any{"event": "CLICK", "key": strings.Repeat("k", maxFieldLen+1)}},
	} {
		if code := call(t, base, http.MethodPost, path+"/"+bad.kind, bad.body, nil); code != http.StatusBadRequest {
			t.Errorf("%s %v: %d, want 400", bad.kind, bad.body, code)
		}
	}
	if code := call(t, base, http.MethodPost, "/followers/nobody/messages", map[string]string{"type": "text", "content": "x"}, nil); code != http.StatusConflict && code != http.StatusNotFound {
		t.Errorf("unknown follower: %d", code)
	}

	// Unfollow: the bot hears it, the follower sees no answer.
	ex := exchange{}
	call(t, base, http.MethodPost, path+"/events", map[string]string{"event": "unsubscribe"}, &ex)
	if m := rec.last(t); m.Event != message.EventUnsubscribe || ex.Outcome != "silent" || len(ex.Bubbles) != 0 || sim.Fake().IsFollower(openID) {
		t.Errorf("unsubscribe: the bot got %s, outcome %s, bubbles %v", m.Event, ex.Outcome, ex.Bubbles)
	}
}

// TestScan checks scanning the bot's parametric QR code: a stranger follows
// (subscribe with qrscene_), a follower gets SCAN.
func TestScan(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	base, _, openID := simFor(t, startWebhook(t, rec.mux()), options{})
	oa := botAccount(t, base)
	code, err := qrcode.New(oa).Temporary(t.Context(), qrcode.String("渠道-7"), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var codes []struct {
		Ticket, Scene string
		Image         string `json:"image"`
	}
	call(t, base, http.MethodGet, "/qrcodes", nil, &codes)
	if len(codes) != 1 || codes[0].Ticket != code.Ticket || codes[0].Scene != "渠道-7" {
		t.Fatalf("GET /qrcodes = %+v", codes)
	}
	resp, err := http.Get(base + codes[0].Image)
	if err != nil {
		t.Fatal(err)
	}
	img, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if got := testutil.DecodeQR(t, img); got != code.URL {
		t.Errorf("the QR image through the simulator reads %q, want %q", got, code.URL)
	}
	for _, want := range []struct {
		event message.Event
		key   string
	}{{message.EventSubscribe, "qrscene_渠道-7"}, {message.EventScan, "渠道-7"}} {
		var ex exchange
		if c := call(t, base, http.MethodPost, "/followers/"+openID+"/events", map[string]string{"event": "scan", "ticket": code.Ticket}, &ex); c != http.StatusOK {
			t.Fatalf("scan: %d", c)
		}
		m := rec.last(t)
		if m.Event != want.event || m.EventKey != want.key || m.Ticket != code.Ticket || ex.Sent.Event != string(want.event) || ex.Sent.Label != "渠道-7" {
			t.Errorf("scan: the bot got %s %q (ticket %q); the chat shows %+v; want %s %q", m.Event, m.EventKey, m.Ticket, ex.Sent, want.event, want.key)
		}
	}
}

// TestImage sends a picture: the push carries a PicUrl the bot can fetch and
// a MediaId; a file that is no image is refused.
func TestImage(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	base, _, openID := simFor(t, startWebhook(t, rec.mux()), options{})
	follow(t, base, openID)
	png := testPNG(t)
	code, ex := postImage(t, base, openID, png, "event", "pic_photo_or_album", "key", "PIC", "name", "相册")
	if code != http.StatusOK || ex.Outcome != "reply" || ex.Sent.Type != "image" {
		t.Fatalf("image: %d %+v", code, ex)
	}
	m := rec.last(t)
	if m.MsgType != message.MsgTypeImage || m.MediaID == "" || !strings.HasPrefix(m.PicURL, base+"/") {
		t.Fatalf("the bot got %+v", m)
	}
	resp, err := http.Get(m.PicURL)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, png) {
		t.Errorf("PicUrl serves %d bytes, want the %d sent", len(got), len(png))
	}
	rec.mu.Lock()
	pic := rec.msgs[len(rec.msgs)-2]
	rec.mu.Unlock()
	if pic.Event != message.EventPicPhotoOrAlbum || pic.EventKey != "PIC" || pic.SendPicsInfo.Count != 1 || len(pic.SendPicsInfo.PicList) != 1 {
		t.Errorf("the picture button's event: %+v", pic)
	}
	if code, _ := postImage(t, base, openID, []byte("not an image at all")); code != http.StatusBadRequest {
		t.Errorf("a text file: %d, want 400", code)
	}
	if code, _ := postImage(t, base, openID, append(png, make([]byte, maxImageSize)...)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("an 11 MB image: %d, want 413", code)
	}
}

// testPNG is a small picture: a sunset over the sea, 160×120.
func testPNG(t *testing.T) []byte {
	t.Helper()
	const w, h = 160, 120
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{R: 255, G: uint8(120 + y), B: uint8(80 + y/2), A: 255} // sky
			if dx, dy := x-80, y-70; dx*dx+dy*dy < 22*22 {
				c = color.RGBA{R: 255, G: 214, B: 90, A: 255} // the sun
			}
			if y > 78 {
				c = color.RGBA{R: 40, G: uint8(90 + y/3), B: 160, A: 255} // the sea
			}
			img.SetRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
