package subscribe_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/subscribe"
	"github.com/wxkit/wechat/wechattest"
)

func ExampleService_Send() {
	fake := wechattest.NewServer()
	defer fake.Close()
	openID := fake.AddFollower(wechattest.Follower{})
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		log.Fatal(err)
	}
	ctx, svc := context.Background(), subscribe.New(oa)
	tid, err := svc.Templates().Add(ctx, 99, []int{1, 3}, "发货提醒") // 商品名称 thing1, 发货时间 time3
	if err != nil {
		log.Fatal(err)
	}
	msg := subscribe.Message{ToUser: openID, TemplateID: tid, Page: "https://example.com/orders/42",
		Data: map[string]string{"thing1": "机械键盘", "time3": "2024年1月1日 12:00"}}

	err = svc.Send(ctx, msg)
	fmt.Println(errors.Is(err, subscribe.ErrNoConsent)) // the user has not accepted yet

	fake.AcceptSubscription(openID, tid, false) // they tap 允许 in an H5 page
	fmt.Println(svc.Send(ctx, msg))

	msg.Data["thing1"] = "一个名字远远超过二十个字符限制的商品名称示例文字"
	fmt.Println(svc.Send(ctx, msg))
	// Output:
	// true
	// <nil>
	// subscribe: data.thing1 "一个名字远远超过二十个字符限制的商品名称示例文字": 24 characters, the limit is 20
}
