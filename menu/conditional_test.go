package menu_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/menu"
	"github.com/wxkit/wechat/wechattest"
)

func TestAddConditionalRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		rule     menu.MatchRule
		wantErr  error  // sentinel; nil means valid
		wantMsg  string // part of the local error
		wantCode int    // the fake's errcode when the local check is bypassed
	}{
		{"tag", menu.MatchRule{TagID: "2"}, nil, "", 0},
		{"platform", menu.MatchRule{ClientPlatformType: menu.PlatformAndroid}, nil, "", 0},
		{"legacy group", menu.MatchRule{GroupID: "1"}, nil, "", 0},
		{"empty", menu.MatchRule{}, menu.ErrMatchRule, "menu: matchrule: empty; set tag_id or client_platform_type", wechat.CodeMatchRuleEmpty},
		{"sex", menu.MatchRule{TagID: "2", Sex: "1"}, menu.ErrPrivacyFields, "menu: matchrule: sex: WeChat no longer accepts rules on sex, region or language", wechat.CodeMatchRulePrivacy},
		{"language", menu.MatchRule{Language: "zh_CN"}, menu.ErrPrivacyFields, "menu: matchrule: language: ", wechat.CodeMatchRulePrivacy},
		{"full region", menu.MatchRule{Country: "中国", Province: "广东", City: "广州"}, menu.ErrPrivacyFields, "country, province, city: ", wechat.CodeMatchRulePrivacy},
		{"province without country", menu.MatchRule{Province: "广东"}, menu.ErrMatchRule, "province and city need country", wechat.CodeMatchRuleNoCountry},
		{"city without province", menu.MatchRule{Country: "中国", City: "广州"}, menu.ErrMatchRule, "city needs province", wechat.CodeMatchRuleNoProvince},
		// An undocumented platform is caught locally; the fake, like the spec, says nothing.
		{"unknown platform", menu.MatchRule{ClientPlatformType: "4"}, menu.ErrMatchRule, `client_platform_type is "4"`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake, svc, oa := newService(t)
			if err := svc.Create(t.Context(), simple()); err != nil {
				t.Fatalf("Create: %v", err)
			}
			id, err := svc.AddConditional(t.Context(), simple(), tt.rule)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("AddConditional() = %q, %v; want errors.Is %v", id, err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("AddConditional() error = %q, want it to contain %q", err, tt.wantMsg)
			}
			if err == nil && id == "" {
				t.Errorf("AddConditional() = empty menuid")
			}
			if err != nil && fake.Calls(wechattest.PathMenuAddConditional) != 0 {
				t.Errorf("an invalid rule reached WeChat")
			}
			body := map[string]any{"button": simple().Buttons, "matchrule": tt.rule}
			err = oa.PostJSON(t.Context(), "/cgi-bin/menu/addconditional", nil, body, nil)
			if code := wechat.Code(err); code != tt.wantCode {
				t.Errorf("addconditional bypassing Validate: errcode %d, want %d (err: %v)", code, tt.wantCode, err)
			}
		})
	}
}

func TestAddConditionalChecksButtons(t *testing.T) {
	t.Parallel()
	_, svc, _ := newService(t)
	bad := menu.Menu{Buttons: []menu.Button{menu.Click(bytesOf(17), "k")}}
	_, err := svc.AddConditional(t.Context(), bad, menu.MatchRule{})
	for _, want := range []string{"button[0]: name is 17 bytes", "matchrule: empty"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("AddConditional() = %v, want it to report %q", err, want)
		}
	}
}

func TestAddConditionalNeedsDefaultMenu(t *testing.T) {
	t.Parallel()
	_, svc, _ := newService(t)
	_, err := svc.AddConditional(t.Context(), simple(), menu.MatchRule{TagID: "2"})
	if code := wechat.Code(err); code != wechat.CodeNoDefaultMenu {
		t.Fatalf("AddConditional without a default menu: errcode %d, want %d (err: %v)", code, wechat.CodeNoDefaultMenu, err)
	}
}

func TestAddConditionalDomainLimit(t *testing.T) {
	t.Parallel()
	_, svc, _ := newService(t)
	ctx := t.Context()
	if err := svc.Create(ctx, simple()); err != nil {
		t.Fatalf("Create: %v", err)
	}
	views := func(hosts ...string) menu.Menu {
		var bs []menu.Button
		for _, h := range hosts {
			bs = append(bs, menu.View(h, "https://"+h+"/x"))
		}
		return menu.Menu{Buttons: bs}
	}
	rule := menu.MatchRule{TagID: "1"}
	if _, err := svc.AddConditional(ctx, views("a.cn", "b.cn"), rule); err != nil {
		t.Fatalf("AddConditional(2 domains): %v", err)
	}
	if _, err := svc.AddConditional(ctx, views("b.cn", "c.cn"), rule); err != nil {
		t.Fatalf("AddConditional(3 domains in all): %v", err)
	}
	_, err := svc.AddConditional(ctx, views("d.cn"), rule)
	if code := wechat.Code(err); code != wechat.CodeMenuTooManyDomains {
		t.Errorf("AddConditional(4th domain): errcode %d, want %d (err: %v)", code, wechat.CodeMenuTooManyDomains, err)
	}
}

func TestConditionalLifecycle(t *testing.T) {
	t.Parallel()
	_, svc, _ := newService(t)
	ctx := t.Context()
	if err := svc.Create(ctx, simple()); err != nil {
		t.Fatalf("Create: %v", err)
	}
	tagMenu := menu.Menu{Buttons: []menu.Button{menu.Click("VIP", "vip")}}
	iosMenu := menu.Menu{Buttons: []menu.Button{menu.View("App", "https://apps.apple.com/")}}
	tagID, err := svc.AddConditional(ctx, tagMenu, menu.MatchRule{TagID: "2"})
	if err != nil {
		t.Fatalf("AddConditional(tag): %v", err)
	}
	iosID, err := svc.AddConditional(ctx, iosMenu, menu.MatchRule{ClientPlatformType: menu.PlatformIOS})
	if err != nil {
		t.Fatalf("AddConditional(iOS): %v", err)
	}
	got, err := svc.Get(ctx)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if got.MenuID == "" || len(got.Conditional) != 2 {
		t.Fatalf("Get() = menuid %q and %d personalized menus, want a menuid and 2", got.MenuID, len(got.Conditional))
	}
	if c := got.Conditional[0]; c.MenuID != tagID || c.MatchRule != (menu.MatchRule{TagID: "2"}) || c.Buttons[0].Key != "vip" {
		t.Errorf("Get().Conditional[0] = %+v, want menuid %s with tag 2 and the VIP button", c, tagID)
	}
	if c := got.Conditional[1]; c.MenuID != iosID || c.MatchRule.ClientPlatformType != menu.PlatformIOS {
		t.Errorf("Get().Conditional[1] = %+v, want menuid %s for iOS", c, iosID)
	}

	if err := svc.DeleteConditional(ctx, tagID); err != nil {
		t.Fatalf("DeleteConditional(%s): %v", tagID, err)
	}
	if err := svc.DeleteConditional(ctx, tagID); wechat.Code(err) != wechat.CodeConditionalMenuNotFound {
		t.Errorf("DeleteConditional(%s) again: errcode %d, want %d", tagID, wechat.Code(err), wechat.CodeConditionalMenuNotFound)
	}
	if err := svc.DeleteConditional(ctx, ""); err == nil || wechat.Code(err) != wechat.CodeNotWeChat {
		t.Errorf("DeleteConditional(\"\") = %v, want a local error", err)
	}
	got, err = svc.Get(ctx)
	if err != nil || len(got.Conditional) != 1 || got.Conditional[0].MenuID != iosID {
		t.Errorf("Get() after DeleteConditional = %+v, %v; want only menu %s", got.Conditional, err, iosID)
	}

	if err := svc.Delete(ctx); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := svc.Get(ctx); wechat.Code(err) != wechat.CodeMenuNotExist {
		t.Errorf("Get after Delete: errcode %d, want %d", wechat.Code(err), wechat.CodeMenuNotExist)
	}
	if err := svc.DeleteConditional(ctx, iosID); wechat.Code(err) != wechat.CodeConditionalMenuNotFound {
		t.Errorf("Delete left personalized menu %s behind (errcode %d)", iosID, wechat.Code(err))
	}
}

func TestTryMatch(t *testing.T) {
	t.Parallel()
	fake, svc, _ := newService(t)
	ctx := t.Context()
	if err := svc.Create(ctx, simple()); err != nil {
		t.Fatalf("Create: %v", err)
	}
	add := func(key string, rule menu.MatchRule) {
		t.Helper()
		if _, err := svc.AddConditional(ctx, menu.Menu{Buttons: []menu.Button{menu.Click(key, key)}}, rule); err != nil {
			t.Fatalf("AddConditional(%s): %v", key, err)
		}
	}
	add("android-vip", menu.MatchRule{TagID: "2", ClientPlatformType: menu.PlatformAndroid})
	add("ios", menu.MatchRule{ClientPlatformType: menu.PlatformIOS})
	add("vip", menu.MatchRule{TagID: "2"})
	fake.SetMenuUser("oVIPandroid", wechattest.MenuUser{Platform: "2", TagIDs: []string{"2"}})
	fake.SetMenuUser("oVIPios", wechattest.MenuUser{Platform: "1", TagIDs: []string{"2"}})
	fake.SetMenuUser("oRetagged", wechattest.MenuUser{Platform: "2", TagIDs: []string{"2", "5"}})
	fake.SetMenuUser("oIOS", wechattest.MenuUser{Platform: "1"})

	tests := []struct {
		name, userID, wantKey string
		wantCode              int
	}{
		{"plain follower sees the default menu", "oPlain_follower-28charsXXXXX", "V1001", 0},
		{"newest matching rule wins", "oVIPios", "vip", 0},
		{"tag and platform", "oVIPandroid", "vip", 0},
		{"only the latest tag counts", "oRetagged", "V1001", 0},
		{"platform only", "oIOS", "ios", 0},
		{"not a user id", "not a user!", "", wechat.CodeTryMatchNoUser},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := svc.TryMatch(t.Context(), tt.userID)
			if code := wechat.Code(err); code != tt.wantCode {
				t.Fatalf("TryMatch(%q) errcode = %d, want %d (err: %v)", tt.userID, code, tt.wantCode, err)
			}
			if err == nil && (len(got.Buttons) != 1 || got.Buttons[0].Key != tt.wantKey) {
				t.Errorf("TryMatch(%q) = %s, want the %q button", tt.userID, jsonOf(t, got), tt.wantKey)
			}
		})
	}
	if _, err := svc.TryMatch(ctx, ""); err == nil || wechat.Code(err) != wechat.CodeNotWeChat {
		t.Errorf("TryMatch(\"\") = %v, want a local error", err)
	}
}

func TestMatchRuleAcceptsNumbers(t *testing.T) {
	t.Parallel()
	// Older /menu/get replies sent rule fields and menuid as numbers.
	raw := `{"button":[{"type":"click","name":"a","key":"k","sub_button":[]}],
		"matchrule":{"group_id":2,"sex":1,"country":"中国","client_platform_type":2,"unknown":true},"menuid":208396993}`
	var got menu.ConditionalMenu
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatalf("json.Unmarshal: %v", err)
	}
	want := menu.MatchRule{GroupID: "2", Sex: "1", Country: "中国", ClientPlatformType: menu.PlatformAndroid}
	if got.MatchRule != want || got.MenuID != "208396993" || got.Buttons[0].Key != "k" {
		t.Errorf("Unmarshal = %+v, want rule %+v and menuid 208396993", got, want)
	}
	var escaped menu.MatchRule // escapes take the full decoder
	if err := json.Unmarshal([]byte(`{"country":"\u4e2d\u56fd","city":"a\"b","tag_id":null}`), &escaped); err != nil ||
		escaped != (menu.MatchRule{Country: "中国", City: `a"b`}) {
		t.Errorf("Unmarshal of escaped strings = %+v, %v", escaped, err)
	}
	var bad menu.MatchRule
	if err := json.Unmarshal([]byte(`{"tag_id":{"x":1}}`), &bad); err == nil {
		t.Errorf("Unmarshal of an object tag_id = nil error, want one")
	}
}

func TestTryMatchFollowers(t *testing.T) {
	t.Parallel()
	fake, svc, oa := newService(t)
	ctx := t.Context()
	fan := fake.AddFollower(wechattest.Follower{OpenID: "oFan"})
	plain := fake.AddFollower(wechattest.Follower{OpenID: "oPlain"})
	var tag struct {
		Tag struct {
			ID int `json:"id"`
		} `json:"tag"`
	}
	if err := oa.PostJSON(ctx, "/cgi-bin/tags/create", nil, map[string]any{"tag": map[string]string{"name": "VIP"}}, &tag); err != nil {
		t.Fatalf("tags/create: %v", err)
	}
	if err := oa.PostJSON(ctx, "/cgi-bin/tags/members/batchtagging", nil, map[string]any{"openid_list": []string{fan}, "tagid": tag.Tag.ID}, nil); err != nil {
		t.Fatalf("batchtagging: %v", err)
	}
	if err := svc.Create(ctx, simple()); err != nil {
		t.Fatalf("Create: %v", err)
	}
	vip := menu.Menu{Buttons: []menu.Button{menu.Click("VIP", "vip")}}
	if _, err := svc.AddConditional(ctx, vip, menu.MatchRule{TagID: strconv.Itoa(tag.Tag.ID)}); err != nil {
		t.Fatalf("AddConditional: %v", err)
	}
	tests := []struct {
		userID, wantKey string
		wantCode        int
	}{
		{fan, "vip", 0},
		{plain, "V1001", 0},
		{"oNotAFollower", "", wechat.CodeTryMatchNoUser}, // followers are seeded: strangers are unknown
	}
	for _, tt := range tests {
		got, err := svc.TryMatch(ctx, tt.userID)
		if code := wechat.Code(err); code != tt.wantCode {
			t.Errorf("TryMatch(%q) errcode = %d, want %d (err: %v)", tt.userID, code, tt.wantCode, err)
			continue
		}
		if err == nil && got.Buttons[0].Key != tt.wantKey {
			t.Errorf("TryMatch(%q) = %s, want the %q button", tt.userID, jsonOf(t, got), tt.wantKey)
		}
	}
}
