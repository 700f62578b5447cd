package menu_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/wxkit/wechat/menu"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

// newService starts a fake platform for one test and returns it with a menu
// service and the shared context (for bypassing local checks with PostJSON).
func newService(t *testing.T) (*wechattest.Server, *menu.Service, *officialaccount.OfficialAccount) {
	t.Helper()
	fake, oa := wechattest.Start(t)
	return fake, menu.New(oa), oa
}

// jsonOf is v as compact JSON, for comparing menus whose empty sub_button slices
// differ only in nil-ness.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	return string(b)
}

// bytesOf is a string of n bytes.
func bytesOf(n int) string { return strings.Repeat("x", n) }

// simple is a valid one-button menu.
func simple() menu.Menu { return menu.Menu{Buttons: []menu.Button{menu.Click("歌曲", "V1001")}} }
