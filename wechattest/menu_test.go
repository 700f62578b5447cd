package wechattest

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestMenuWireShapes checks the replies' raw JSON against WeChat's documented
// shapes, which a tolerant client would not notice: "sub_button":[] on leaves,
// menuid a number in menu/get but a string from addconditional, and
// get_current_selfmenu_info's sub_button as an object with a list.
func TestMenuWireShapes(t *testing.T) {
	t.Parallel()
	_, oa := Start(t)
	ctx := t.Context()
	raw := func(method, path string, body any) string {
		t.Helper()
		var out json.RawMessage
		var err error
		if method == "GET" {
			err = oa.GetJSON(ctx, path, nil, &out)
		} else {
			err = oa.PostJSON(ctx, path, nil, body, &out)
		}
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		return string(out)
	}
	menu := map[string]any{"button": []any{
		map[string]any{"type": "click", "name": "a", "key": "k"},
		map[string]any{"name": "m", "sub_button": []any{map[string]any{"type": "view", "name": "v", "url": "https://a.cn/"}}},
	}}
	raw("POST", PathMenuCreate, menu)
	if got := raw("GET", PathMenuGet, nil); !strings.Contains(got, `"sub_button":[]`) || strings.Contains(got, "menuid") {
		t.Errorf("menu/get = %s, want leaves with \"sub_button\":[] and no menuid", got)
	}
	cond := map[string]any{"button": menu["button"], "matchrule": map[string]string{"tag_id": "2"}}
	if got := raw("POST", PathMenuAddConditional, cond); !strings.Contains(got, `"menuid":"`) {
		t.Errorf("addconditional = %s, want menuid as a string", got)
	}
	var get struct {
		Menu struct {
			MenuID json.RawMessage `json:"menuid"`
		} `json:"menu"`
		Conditional []struct {
			MenuID json.RawMessage `json:"menuid"`
		} `json:"conditionalmenu"`
	}
	if err := json.Unmarshal([]byte(raw("GET", PathMenuGet, nil)), &get); err != nil {
		t.Fatal(err)
	}
	if len(get.Conditional) != 1 || get.Menu.MenuID[0] == '"' || get.Conditional[0].MenuID[0] == '"' {
		t.Errorf("menu/get menuids = %s, %v; want numbers", get.Menu.MenuID, get.Conditional)
	}
	if got := raw("GET", PathSelfMenuInfo, nil); !strings.Contains(got, `"is_menu_open":1`) || !strings.Contains(got, `"sub_button":{"list":[`) {
		t.Errorf("get_current_selfmenu_info = %s, want is_menu_open 1 and sub_button.list", got)
	}
	// delconditional takes the menuid as a number too.
	var id int64
	if err := json.Unmarshal(get.Conditional[0].MenuID, &id); err != nil {
		t.Fatal(err)
	}
	if err := oa.PostJSON(ctx, PathMenuDelConditional, nil, map[string]int64{"menuid": id}, nil); err != nil {
		t.Errorf("delconditional with a numeric menuid: %v", err)
	}
}

// TestMenuQuotas checks the documented daily quotas are in place by default.
func TestMenuQuotas(t *testing.T) {
	t.Parallel()
	fake := NewServer()
	t.Cleanup(fake.Close)
	want := map[string]int{PathMenuCreate: 1000, PathMenuGet: 10000, PathMenuDelete: 1000,
		PathMenuAddConditional: 2000, PathMenuDelConditional: 2000, PathMenuTryMatch: 20000}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	for path, n := range want {
		if got := fake.quota[path]; got != n {
			t.Errorf("quota of %s = %d, want %d", path, got, n)
		}
	}
}
