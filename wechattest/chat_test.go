package wechattest

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wxkit/wechat"
)

// TestObserve checks that an observer sees the customer-service and template
// messages the API accepts, in order, and nothing it refuses or after stop.
func TestObserve(t *testing.T) {
	t.Parallel()
	fake, oa := Start(t)
	ctx := t.Context()
	fake.AddFollower(Follower{OpenID: "oAnn"})
	fake.AddFollower(Follower{OpenID: "oBob"}) // never wrote: outside the 48-hour window
	fake.OpenWindow("oAnn")
	tid := fake.AddTemplate(PrivateTemplate{Title: "订单支付成功", Content: "物品名称：{{keyword1.DATA}}"})

	var (
		mu  sync.Mutex
		got []Delivery
	)
	stop := fake.Observe(func(d Delivery) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, d)
	})
	text := func(to, content string) error {
		return oa.PostJSON(ctx, pathCustomSend, nil, map[string]any{"touser": to, "msgtype": "text", "text": map[string]string{"content": content}}, nil)
	}
	if err := text("oAnn", "你好"); err != nil {
		t.Fatal(err)
	}
	if err := text("oBob", "outside"); wechat.Code(err) != wechat.CodeReplyWindowExpired {
		t.Fatalf("send outside the window: %v, want 45015", err)
	}
	tmpl := map[string]any{"touser": "oBob", "template_id": tid, "url": "https://example.com/o/1",
		"data": map[string]any{"keyword1": map[string]string{"value": "咖啡"}}}
	if err := oa.PostJSON(ctx, PathTemplateSend, nil, tmpl, nil); err != nil {
		t.Fatal(err)
	}
	stop()
	if err := text("oAnn", "after stop"); err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 {
		t.Fatalf("observed %d deliveries, want 2: %+v", len(got), got)
	}
	if m := got[0].Message; m == nil || got[0].ToUser() != "oAnn" || m.Content != "你好" || got[0].Template != nil {
		t.Errorf("first delivery = %+v, want the text to oAnn", got[0])
	}
	if tm := got[1].Template; tm == nil || got[1].ToUser() != "oBob" || tm.Data["keyword1"] != "咖啡" ||
		got[1].TemplateTitle != "订单支付成功" || !strings.Contains(got[1].TemplateContent, "{{keyword1.DATA}}") {
		t.Errorf("second delivery = %+v, want the template message to oBob with its title and content", got[1])
	}
}

// TestMenuFor checks that a follower sees the personalized menu trymatch would
// pick for them, and others the default menu, with the right menu ids.
func TestMenuFor(t *testing.T) {
	t.Parallel()
	fake, oa := Start(t)
	ctx := t.Context()
	if b, id := fake.MenuFor("oAnn"); b != nil || id != 0 {
		t.Fatalf("MenuFor without a menu = %v, %d; want nil, 0", b, id)
	}
	fake.AddFollower(Follower{OpenID: "oAnn"})
	fake.AddFollower(Follower{OpenID: "oBob"})
	main := map[string]any{"button": []any{
		map[string]any{"type": "click", "name": "今日歌曲", "key": "V1001"},
		map[string]any{"name": "菜单", "sub_button": []any{map[string]any{"type": "view", "name": "搜索", "url": "https://www.soso.com/"}}},
	}}
	if err := oa.PostJSON(ctx, PathMenuCreate, nil, main, nil); err != nil {
		t.Fatal(err)
	}
	fake.SetMenuUser("oBob", MenuUser{Platform: "1"})
	cond := map[string]any{"button": []any{map[string]any{"type": "click", "name": "iOS", "key": "IOS"}},
		"matchrule": map[string]string{"client_platform_type": "1"}}
	if err := oa.PostJSON(ctx, PathMenuAddConditional, nil, cond, nil); err != nil {
		t.Fatal(err)
	}
	ann, annID := fake.MenuFor("oAnn")
	bob, bobID := fake.MenuFor("oBob")
	if len(ann) != 2 || ann[0].Key != "V1001" || ann[1].Type != "" || len(ann[1].SubButtons) != 1 || ann[1].SubButtons[0].URL != "https://www.soso.com/" {
		t.Errorf("MenuFor(oAnn) = %+v, want the default menu", ann)
	}
	if len(bob) != 1 || bob[0].Key != "IOS" || bobID == annID || bobID == 0 || annID == 0 {
		t.Errorf("MenuFor(oBob) = %+v (menu id %d, default %d), want the iOS menu with its own id", bob, bobID, annID)
	}
}

// TestFollowerSide checks QRCodes, IsFollower and AvatarURL.
func TestFollowerSide(t *testing.T) {
	t.Parallel()
	fake, oa := Start(t)
	fake.AddFollower(Follower{OpenID: "oAnn"})
	for _, scene := range []string{"b-scene", "a-scene"} {
		req := map[string]any{"action_name": "QR_STR_SCENE", "expire_seconds": 60,
			"action_info": map[string]any{"scene": map[string]string{"scene_str": scene}}}
		if err := oa.PostJSON(t.Context(), PathQRCodeCreate, nil, req, nil); err != nil {
			t.Fatal(err)
		}
	}
	codes := fake.QRCodes()
	if len(codes) != 2 || codes[0].Scene != "a-scene" || codes[1].Scene != "b-scene" || codes[0].Ticket == "" {
		t.Errorf("QRCodes() = %+v, want the two codes ordered by scene", codes)
	}
	fake.Advance(61e9)
	if codes := fake.QRCodes(); len(codes) != 0 {
		t.Errorf("QRCodes() after expiry = %+v, want none", codes)
	}
	if !fake.IsFollower("oAnn") || fake.IsFollower("nobody") {
		t.Error("IsFollower: want true for a follower, false for a stranger")
	}
	fake.Unfollow("oAnn")
	if fake.IsFollower("oAnn") {
		t.Error("IsFollower after Unfollow = true")
	}
	if u := fake.AvatarURL("oAnn"); !strings.HasPrefix(u, fake.URL()+"/mmopen/") {
		t.Errorf("AvatarURL = %q, want one the fake serves", u)
	}
	if u := fake.AvatarURL("nobody"); u != "" {
		t.Errorf("AvatarURL of a stranger = %q, want \"\"", u)
	}
}

// TestReceiveImage checks a follower's picture: kept as temporary media, its
// PicUrl served by the platform, its MediaId good for media/get and Media for 3
// days; a file that is no picture is refused as an upload would be.
func TestReceiveImage(t *testing.T) {
	t.Parallel()
	fake, oa := Start(t)
	data := []byte("\x89PNG\r\n\x1a\n fake png bytes")
	picURL, mediaID, err := fake.ReceiveImage("photo.png", data)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(picURL, fake.URL()+"/") || mediaID == "" {
		t.Fatalf("ReceiveImage = %q, %q", picURL, mediaID)
	}
	resp, err := http.Get(picURL)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, data) {
		t.Errorf("PicUrl serves %q", got)
	}
	var buf bytes.Buffer
	if _, err := oa.Download(t.Context(), PathMediaGet, map[string][]string{"media_id": {mediaID}}, nil, &buf); err != nil || !bytes.Equal(buf.Bytes(), data) {
		t.Errorf("media/get of the MediaId: %q, %v", buf.Bytes(), err)
	}
	if kind, name, b, ok := fake.Media(mediaID); !ok || kind != "image" || name != "photo.png" || !bytes.Equal(b, data) {
		t.Errorf("Media = %q, %q, %d bytes, %v", kind, name, len(b), ok)
	}
	fake.Advance(TemporaryMediaLifetime + time.Second)
	if _, _, _, ok := fake.Media(mediaID); ok {
		t.Error("Media of a temporary image after 3 days: still there")
	}
	if _, _, err := fake.ReceiveImage("notes.txt", data); wechat.Code(err) != wechat.CodeInvalidFileType {
		t.Errorf("ReceiveImage of a .txt: %v, want 40005", err)
	}
}
