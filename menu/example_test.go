package menu_test

import (
	"context"
	"fmt"
	"log"

	"github.com/wxkit/wechat/menu"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

func ExampleService_Create() {
	fake := wechattest.NewServer()
	defer fake.Close()
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		log.Fatal(err)
	}
	ctx, svc := context.Background(), menu.New(oa)
	err = svc.Create(ctx, menu.Menu{Buttons: []menu.Button{
		menu.Click("今日歌曲", "V1001_TODAY_MUSIC"),
		menu.Sub("菜单", menu.View("搜索", "https://www.soso.com/")),
	}})
	fmt.Println("create:", err)
	got, err := svc.Get(ctx)
	fmt.Println("get:", err, got.Buttons[0].Name, got.Buttons[0].Key, got.Buttons[1].SubButtons[0].URL)
	// Output:
	// create: <nil>
	// get: <nil> 今日歌曲 V1001_TODAY_MUSIC https://www.soso.com/
}

func ExampleService_AddConditional() {
	fake := wechattest.NewServer()
	defer fake.Close()
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		log.Fatal(err)
	}
	ctx, svc := context.Background(), menu.New(oa)
	if err := svc.Create(ctx, menu.Menu{Buttons: []menu.Button{menu.Click("首页", "HOME")}}); err != nil {
		log.Fatal(err)
	}
	vip := menu.Menu{Buttons: []menu.Button{menu.Click("会员", "VIP")}}
	_, err = svc.AddConditional(ctx, vip, menu.MatchRule{TagID: "2"})
	fmt.Println("add:", err)
	fake.SetMenuUser("oVIP", wechattest.MenuUser{TagIDs: []string{"2"}})
	seen, err := svc.TryMatch(ctx, "oVIP")
	fmt.Println("oVIP sees:", seen.Buttons[0].Key, err)
	_, err = svc.AddConditional(ctx, vip, menu.MatchRule{Sex: "1"})
	fmt.Println(err)
	// Output:
	// add: <nil>
	// oVIP sees: VIP <nil>
	// menu: matchrule: sex: WeChat no longer accepts rules on sex, region or language (privacy change; it answers 65320); match on tag_id or client_platform_type instead
}

func ExampleMenu_Validate() {
	m := menu.Menu{Buttons: []menu.Button{
		menu.Click("今日歌曲", "V1001_TODAY_MUSIC"),
		menu.Sub("更多", menu.View("这个子菜单的名字实在是太长了太长了太长了太长了太长了", "https://example.com/")),
	}}
	fmt.Println(m.Validate())
	// Output:
	// menu: button[1].sub_button[0]: name is 78 bytes, the limit is 60
}
