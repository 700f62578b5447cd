// Package menu manages an Official Account's custom menu (自定义菜单): the default
// menu, personalized menus (个性化菜单) shown to followers who match a rule, and the
// live configuration whether it was set by API or in the web console.
//
//	svc := menu.New(oa)
//	err := svc.Create(ctx, menu.Menu{Buttons: []menu.Button{menu.Click("今日歌曲", "V1001_TODAY_MUSIC")}})
//	current, err := svc.Get(ctx)
//
// Every call that sends a menu checks WeChat's documented limits first
// ([Menu.Validate]) and names the button that breaks one, so a bad menu file fails
// on your side with a readable message instead of a bare errcode. A menu can live in
// a JSON file in WeChat's own format: see [Load], [Parse] and [Menu.WriteJSON].
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/custommenu/api_createcustommenu.html
package menu
