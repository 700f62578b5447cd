package menu_test

import (
	"encoding/json"
	"testing"

	"github.com/wxkit/wechat/menu"
)

func TestCurrentSelfMenu(t *testing.T) {
	t.Parallel()
	_, svc, _ := newService(t)
	ctx := t.Context()
	got, err := svc.CurrentSelfMenu(ctx)
	if err != nil || got.Open || len(got.Buttons) != 0 {
		t.Fatalf("CurrentSelfMenu() before Create = %+v, %v; want a closed, empty menu", got, err)
	}
	m := menu.Menu{Buttons: []menu.Button{
		menu.Click("歌曲", "V1001"),
		menu.Sub("菜单", menu.View("搜索", "https://www.soso.com/"), menu.Media("图片", "MEDIA")),
	}}
	if err := svc.Create(ctx, m); err != nil {
		t.Fatalf("Create: %v", err)
	}
	got, err = svc.CurrentSelfMenu(ctx)
	if err != nil {
		t.Fatalf("CurrentSelfMenu: %v", err)
	}
	if !got.Open || len(got.Buttons) != 2 {
		t.Fatalf("CurrentSelfMenu() = %+v, want an open menu of 2 buttons", got)
	}
	if b := got.Buttons[0]; b.Type != menu.TypeClick || b.Name != "歌曲" || b.Key != "V1001" {
		t.Errorf("Buttons[0] = %+v, want the click button", b)
	}
	subs := got.Buttons[1].SubButtons
	if len(subs) != 2 || subs[0].URL != "https://www.soso.com/" || subs[1].MediaID != "MEDIA" {
		t.Errorf("Buttons[1].SubButtons = %+v, want the view and media buttons", subs)
	}
}

// selfMenuFixture is the spec's console-made menu: sub_button and news_info are
// objects holding a list.
const selfMenuFixture = `[
 {"type":"text","name":"text","value":"This is text!"},
 {"name":"button","sub_button":{"list":[
   {"type":"view","name":"view_url","url":"http://www.qq.com"},
   {"type":"news","name":"news","news_info":{"list":[{"title":"MULTI_NEWS","author":"JIMZHENG","digest":"text","show_cover":1,"cover_url":"http://a/cover","content_url":"http://a/content","source_url":""}]}}]}}]`

func TestSelfButtonJSON(t *testing.T) {
	t.Parallel()
	var got []menu.SelfButton
	if err := json.Unmarshal([]byte(selfMenuFixture), &got); err != nil {
		t.Fatalf("json.Unmarshal: %v", err)
	}
	if len(got) != 2 || got[0].Type != menu.TypeText || got[0].Value != "This is text!" {
		t.Fatalf("Unmarshal = %+v, want a text button with its value first", got)
	}
	subs := got[1].SubButtons
	if len(subs) != 2 || subs[0].URL != "http://www.qq.com" {
		t.Fatalf("SubButtons = %+v, want view and news", subs)
	}
	news := subs[1].News
	if subs[1].Type != menu.TypeNews || len(news) != 1 || news[0].Title != "MULTI_NEWS" || news[0].ShowCover != 1 || news[0].ContentURL != "http://a/content" {
		t.Errorf("news button = %+v, want one article MULTI_NEWS", subs[1])
	}
	// Marshalling writes WeChat's shape back: the same buttons after a round trip.
	raw, err := json.Marshal(got)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	var again []menu.SelfButton
	if err := json.Unmarshal(raw, &again); err != nil {
		t.Fatalf("json.Unmarshal(%s): %v", raw, err)
	}
	if a, b := jsonOf(t, again), jsonOf(t, got); a != b {
		t.Errorf("round trip = %s, want %s", a, b)
	}
}
