package menu_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/wxkit/wechat/menu"
)

// specMenu is the create example from WeChat's docs.
const specMenu = `{"button":[
  {"type":"click","name":"今日歌曲","key":"V1001_TODAY_MUSIC"},
  {"name":"菜单","sub_button":[
    {"type":"view","name":"搜索","url":"https://www.soso.com/?q=a&b=<c>"},
    {"type":"miniprogram","name":"wxa","url":"https://mp.weixin.qq.com","appid":"wx286b93c14bbf93aa","pagepath":"pages/lunar/index"},
    {"type":"scancode_waitmsg","name":"扫码带提示","key":"rselfmenu_0_0"},
    {"type":"article_id","name":"文章","article_id":"ARTICLE_ID"}]}
]}`

func TestFileRoundTrip(t *testing.T) {
	t.Parallel()
	m, err := menu.Load(strings.NewReader(specMenu))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if err := m.Validate(); err != nil {
		t.Fatalf("Validate(spec menu) = %v", err)
	}
	sub := m.Buttons[1].SubButtons
	if len(m.Buttons) != 2 || len(sub) != 4 || sub[1].AppID != "wx286b93c14bbf93aa" || sub[3].ArticleID != "ARTICLE_ID" {
		t.Fatalf("Load() = %s, want the spec menu", jsonOf(t, m))
	}
	var buf bytes.Buffer
	if err := m.WriteJSON(&buf); err != nil {
		t.Fatalf("WriteJSON: %v", err)
	}
	if !strings.Contains(buf.String(), "https://www.soso.com/?q=a&b=<c>") || !strings.Contains(buf.String(), "\n  ") {
		t.Errorf("WriteJSON wrote %s, want indented JSON without HTML escapes", buf.String())
	}
	again, err := menu.Parse(buf.Bytes())
	if err != nil {
		t.Fatalf("Parse(WriteJSON output): %v", err)
	}
	if a, b := jsonOf(t, again), jsonOf(t, m); a != b {
		t.Errorf("round trip = %s, want %s", a, b)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"misspelt field", `{"button":[{"name":"m","sub_buttons":[]}]}`, `unknown field "sub_buttons"`},
		{"not JSON", `button:`, "menu: parsing JSON"},
		{"trailing data", `{"button":[]} {}`, "data after the menu object"},
		{"wrong type", `{"button":{}}`, "menu: parsing JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := menu.Parse([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%s) = %v, want an error containing %q", tt.in, err, tt.want)
			}
		})
	}
	if _, err := menu.Load(errReader{}); err == nil || !errors.Is(err, errBroken) {
		t.Errorf("Load(broken reader) = %v, want it to wrap the read error", err)
	}
}

var errBroken = errors.New("broken")

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errBroken }
