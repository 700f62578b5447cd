package menu_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/menu"
	"github.com/wxkit/wechat/wechattest"
)

// everyType is a menu with every creatable button type.
func everyType() menu.Menu {
	return menu.Menu{Buttons: []menu.Button{
		menu.Sub("今日",
			menu.Click("今日歌曲", "V1001_TODAY_MUSIC"),
			menu.ViewLimited("图文", "MEDIA_ID2"),
			menu.ArticleView("看文章", "ARTICLE_ID2"),
		),
		menu.Sub("菜单",
			menu.View("搜索", "https://www.soso.com/"),
			menu.MiniProgram("wxa", "wx286b93c14bbf93aa", "pages/lunar/index?x=1", "https://mp.weixin.qq.com"),
			menu.ScanCodeWaitMsg("扫码带提示", "rselfmenu_0_0"),
			menu.ScanCodePush("扫码推事件", "rselfmenu_0_1"),
			menu.Article("文章", "ARTICLE_ID"),
		),
		menu.Sub("更多",
			menu.PicSysPhoto("拍照", "rselfmenu_1_0"),
			menu.PicPhotoOrAlbum("拍照或相册", "rselfmenu_1_1"),
			menu.PicWeixin("微信相册", "rselfmenu_1_2"),
			menu.LocationSelect("发送位置", "rselfmenu_2_0"),
			menu.Media("图片", "MEDIA_ID1"),
		),
	}}
}

func TestCreateGetDelete(t *testing.T) {
	t.Parallel()
	fake, svc, _ := newService(t)
	ctx := t.Context()

	if _, err := svc.Get(ctx); wechat.Code(err) != wechat.CodeMenuNotExist {
		t.Fatalf("Get before Create: errcode %d, want %d (err: %v)", wechat.Code(err), wechat.CodeMenuNotExist, err)
	}
	want := everyType()
	if err := svc.Create(ctx, want); err != nil {
		t.Fatalf("Create: %v", err)
	}
	got, err := svc.Get(ctx)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if g, w := jsonOf(t, got.Menu), jsonOf(t, want); g != w {
		t.Errorf("Get().Menu = %s, want %s", g, w)
	}
	if got.MenuID != "" || len(got.Conditional) != 0 {
		t.Errorf("Get() = menuid %q, %d conditional menus; want none without personalized menus", got.MenuID, len(got.Conditional))
	}
	if err := svc.Delete(ctx); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := svc.Get(ctx); wechat.Code(err) != wechat.CodeMenuNotExist {
		t.Errorf("Get after Delete: errcode %d, want %d", wechat.Code(err), wechat.CodeMenuNotExist)
	}
	if n := fake.Calls(wechattest.PathMenuCreate); n != 1 {
		t.Errorf("create calls = %d, want 1", n)
	}
}

func TestCreateSendsNoHTMLEscapes(t *testing.T) {
	t.Parallel()
	fake, svc, _ := newService(t)
	m := menu.Menu{Buttons: []menu.Button{
		menu.View("a<b>&c", "https://example.com/p?x=1&y=<2>"),
	}}
	if err := svc.Create(t.Context(), m); err != nil {
		t.Fatalf("Create: %v", err)
	}
	reqs := fake.Requests(wechattest.PathMenuCreate)
	if len(reqs) != 1 {
		t.Fatalf("create requests = %d, want 1", len(reqs))
	}
	body := string(reqs[0].Body)
	for _, want := range []string{`"name":"a<b>&c"`, `"url":"https://example.com/p?x=1&y=<2>"`} {
		if !strings.Contains(body, want) {
			t.Errorf("create body = %s, want it to contain %s", body, want)
		}
	}
	if strings.Contains(body, `\u00`) {
		t.Errorf("create body = %s, has \\u escapes", body)
	}
}

func TestCreateLimits(t *testing.T) {
	t.Parallel()
	top := func(b menu.Button) menu.Menu { return menu.Menu{Buttons: []menu.Button{b}} }
	sub := func(b menu.Button) menu.Menu {
		return menu.Menu{Buttons: []menu.Button{menu.Click("a", "k"), menu.Sub("more", menu.Click("s0", "k"), menu.Click("s1", "k"), menu.Click("s2", "k"), b)}}
	}
	clicks := func(n int) []menu.Button {
		var bs []menu.Button
		for range n {
			bs = append(bs, menu.Click("c", "k"))
		}
		return bs
	}
	tests := []struct {
		name     string
		m        menu.Menu
		wantErr  error  // sentinel; nil means valid
		wantMsg  string // the local error's text
		wantCode int    // the fake's errcode when the local check is bypassed
	}{
		{"one button", top(menu.Click("a", "k")), nil, "", 0},
		{"three buttons", menu.Menu{Buttons: clicks(3)}, nil, "", 0},
		{"no buttons", menu.Menu{}, menu.ErrButtonCount, "menu: button: no buttons, at least 1 is required", wechat.CodeInvalidButtonCount},
		{"four buttons", menu.Menu{Buttons: clicks(4)}, menu.ErrButtonCount, "menu: button: 4 buttons, the limit is 3", wechat.CodeInvalidButtonCount},
		{"name 16 bytes", top(menu.Click(bytesOf(16), "k")), nil, "", 0},
		{"name 17 bytes", top(menu.Click(bytesOf(17), "k")), menu.ErrTooLong, "menu: button[0]: name is 17 bytes, the limit is 16", wechat.CodeButtonNameTooLong},
		{"CJK name 18 bytes", top(menu.Click("今日歌曲推荐", "k")), menu.ErrTooLong, "menu: button[0]: name is 18 bytes, the limit is 16", wechat.CodeButtonNameTooLong},
		{"parent name 17 bytes", top(menu.Sub(bytesOf(17), menu.Click("s", "k"))), menu.ErrTooLong, "menu: button[0]: name is 17 bytes, the limit is 16", wechat.CodeButtonNameTooLong},
		{"empty name", top(menu.Click("", "k")), menu.ErrMissingField, "menu: button[0]: name is required", wechat.CodeButtonNameTooLong},
		{"sub name 60 bytes", sub(menu.Click(bytesOf(60), "k")), nil, "", 0},
		{"sub name 70 bytes", sub(menu.Click(bytesOf(70), "k")), menu.ErrTooLong, "menu: button[1].sub_button[3]: name is 70 bytes, the limit is 60", wechat.CodeSubButtonNameTooLong},
		{"five sub-buttons", top(menu.Sub("m", clicks(5)...)), nil, "", 0},
		{"six sub-buttons", top(menu.Sub("m", clicks(6)...)), menu.ErrButtonCount, "menu: button[0].sub_button: 6 sub-buttons, the limit is 5", wechat.CodeInvalidSubButtonCount},
		{"nested sub-menu", sub(menu.Sub("deep", menu.Click("x", "k"))), menu.ErrNesting, "menu: button[1].sub_button[3]: has a sub_button, but a sub-menu button cannot open another sub-menu", wechat.CodeInvalidSubMenuLevel},
		{"key 128 bytes", top(menu.Click("a", bytesOf(128))), nil, "", 0},
		{"key 129 bytes", top(menu.Click("a", bytesOf(129))), menu.ErrTooLong, "menu: button[0]: key is 129 bytes, the limit is 128", wechat.CodeButtonKeyTooLong},
		{"sub key 129 bytes", sub(menu.ScanCodePush("a", bytesOf(129))), menu.ErrTooLong, "menu: button[1].sub_button[3]: key is 129 bytes, the limit is 128", wechat.CodeSubButtonKeyTooLong},
		{"url 1024 bytes", top(menu.View("a", "https://a.cn/"+bytesOf(1011))), nil, "", 0},
		{"url 1025 bytes", top(menu.View("a", "https://a.cn/"+bytesOf(1012))), menu.ErrTooLong, "menu: button[0]: url is 1025 bytes, the limit is 1024", wechat.CodeButtonURLTooLong},
		{"sub url 1025 bytes", sub(menu.MiniProgram("a", "wx1", "p", "https://a.cn/"+bytesOf(1012))), menu.ErrTooLong, "menu: button[1].sub_button[3]: url is 1025 bytes, the limit is 1024", wechat.CodeSubButtonURLTooLong},
		{"click without key", top(menu.Click("a", "")), menu.ErrMissingField, `menu: button[0]: key is required for type "click"`, wechat.CodeButtonKeyTooLong},
		{"location without key", sub(menu.LocationSelect("a", "")), menu.ErrMissingField, `menu: button[1].sub_button[3]: key is required for type "location_select"`, wechat.CodeSubButtonKeyTooLong},
		{"view without url", top(menu.View("a", "")), menu.ErrMissingField, `menu: button[0]: url is required for type "view"`, wechat.CodeButtonURLTooLong},
		{"miniprogram without appid", top(menu.MiniProgram("a", "", "p", "https://a.cn")), menu.ErrMissingField, `menu: button[0]: appid is required for type "miniprogram"`, wechat.CodeArgumentInvalid},
		{"miniprogram without pagepath", top(menu.MiniProgram("a", "wx1", "", "https://a.cn")), menu.ErrMissingField, `menu: button[0]: pagepath is required for type "miniprogram"`, wechat.CodeArgumentInvalid},
		{"media_id without id", top(menu.Media("a", "")), menu.ErrMissingField, `menu: button[0]: media_id is required for type "media_id"`, wechat.CodeInvalidMediaID},
		{"view_limited without id", top(menu.ViewLimited("a", "")), menu.ErrMissingField, `menu: button[0]: media_id is required for type "view_limited"`, wechat.CodeInvalidMediaID},
		{"article_id without id", top(menu.Article("a", "")), menu.ErrMissingField, `menu: button[0]: article_id is required for type "article_id"`, wechat.CodeArgumentInvalid},
		{"article_view_limited without id", top(menu.ArticleView("a", "")), menu.ErrMissingField, `menu: button[0]: article_id is required for type "article_view_limited"`, wechat.CodeArgumentInvalid},
		{"console type", top(menu.Button{Type: menu.TypeText, Name: "a"}), menu.ErrButtonType, `menu: button[0]: type "text" can only be set in the web console, not through the API`, wechat.CodeInvalidButtonType},
		{"unknown sub type", sub(menu.Button{Type: "hop", Name: "a"}), menu.ErrButtonType, `menu: button[1].sub_button[3]: unknown type "hop"`, wechat.CodeInvalidSubButtonType},
		{"sub without type", sub(menu.Button{Name: "a"}), menu.ErrMissingField, "menu: button[1].sub_button[3]: type is required", wechat.CodeInvalidSubButtonType},
		{"neither type nor sub_button", top(menu.Button{Name: "a"}), menu.ErrMissingField, "menu: button[0]: has neither type nor sub_button", wechat.CodeSubMenuMissing},
		{"parent with a type", top(menu.Button{Type: menu.TypeClick, Name: "a", Key: "k", SubButtons: []menu.Button{menu.Click("s", "k")}}), menu.ErrButtonType, `menu: button[0]: has both type "click" and sub_button`, wechat.CodeInvalidButtonType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake, svc, oa := newService(t)
			err := svc.Create(t.Context(), tt.m)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("Create() = %v, want errors.Is %v", err, tt.wantErr)
			}
			if err != nil {
				if !strings.HasPrefix(err.Error(), tt.wantMsg) {
					t.Errorf("Create() error = %q, want it to start with %q", err, tt.wantMsg)
				}
				var ve *menu.ValidationError
				if !errors.As(err, &ve) || !strings.HasPrefix(tt.wantMsg, "menu: "+ve.Path+": ") {
					t.Errorf("Create() error %v: want a *ValidationError naming the path in %q", err, tt.wantMsg)
				}
				if n := fake.Calls(wechattest.PathMenuCreate); n != 0 {
					t.Errorf("an invalid menu reached WeChat (%d calls)", n)
				}
			}
			// Skip the local check: the fake must catch the same problem.
			err = oa.PostJSON(t.Context(), "/cgi-bin/menu/create", nil, tt.m, nil)
			if code := wechat.Code(err); code != tt.wantCode {
				t.Errorf("create bypassing Validate: errcode %d, want %d (err: %v)", code, tt.wantCode, err)
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	t.Parallel()
	m := menu.Menu{Buttons: []menu.Button{
		menu.Click(bytesOf(20), ""),
		menu.Sub("m", menu.View("v", "")),
	}}
	err := m.Validate()
	for _, want := range []string{
		"menu: button[0]: name is 20 bytes, the limit is 16",
		`menu: button[0]: key is required for type "click"`,
		`menu: button[1].sub_button[0]: url is required for type "view"`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to report %q", err, want)
		}
	}
	if !errors.Is(err, menu.ErrTooLong) || !errors.Is(err, menu.ErrMissingField) {
		t.Errorf("Validate() = %v, want both ErrTooLong and ErrMissingField", err)
	}
}
