package customerservice_test

import (
	"testing"

	"github.com/wxkit/wechat/customerservice"
)

func TestLink(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text, href, want string
	}{
		{"plain", "官网", "https://example.com/?a=1&b=2", `<a href="https://example.com/?a=1&b=2">官网</a>`},
		{"quote in href", "x", `https://e.com/"><script>`, `<a href="https://e.com/%22%3E%3Cscript%3E">x</a>`},
		{"space in href", "x", "https://e.com/a b", `<a href="https://e.com/a%20b">x</a>`},
		{"markup in text", "a</a><b>&", "https://e.com", `<a href="https://e.com">a&lt;/a&gt;&lt;b&gt;&amp;</a>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := customerservice.Link(tt.text, tt.href); got != tt.want {
				t.Errorf("Link(%q, %q) = %s, want %s", tt.text, tt.href, got, tt.want)
			}
		})
	}
}

func TestMiniProgramLink(t *testing.T) {
	t.Parallel()
	got := customerservice.MiniProgramLink("点击跳小程序", "http://www.qq.com", "APPID", `pages/index/index?id=1&q="x"`)
	want := `<a href="http://www.qq.com" data-miniprogram-appid="APPID" data-miniprogram-path="pages/index/index?id=1&q=%22x%22">点击跳小程序</a>`
	if got != want {
		t.Errorf("MiniProgramLink = %s, want %s", got, want)
	}
}
