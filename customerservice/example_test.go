package customerservice_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/customerservice"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

func ExampleService_Send() {
	fake := wechattest.NewServer()
	defer fake.Close()
	fake.AddFollower(wechattest.Follower{OpenID: "o1"})
	fake.OpenWindow("o1") // as if o1 had just written to the account
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		log.Fatal(err)
	}
	ctx, svc := context.Background(), customerservice.New(oa)

	link := customerservice.MiniProgramLink("open the shop", "https://example.com/shop", "wx0123456789abcdef", "pages/index/index")
	err = svc.Send(ctx, "o1", customerservice.Text{Content: "Thanks! " + link})
	fmt.Println("send:", err)
	fmt.Println("sent:", fake.SentMessages()[0].Content)

	fake.Advance(49 * time.Hour) // o1 has not written since
	err = svc.Send(ctx, "o1", customerservice.Text{Content: "still there?"})
	fmt.Println(errors.Is(err, customerservice.ErrOutsideWindow), wechat.Code(err))
	// Output:
	// send: <nil>
	// sent: Thanks! <a href="https://example.com/shop" data-miniprogram-appid="wx0123456789abcdef" data-miniprogram-path="pages/index/index">open the shop</a>
	// true 45015
}

func ExampleService_AddAccount() {
	fake := wechattest.NewServer()
	defer fake.Close()
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		log.Fatal(err)
	}
	ctx, svc := context.Background(), customerservice.New(oa)

	fmt.Println(svc.AddAccount(ctx, "kf2001@gh_test", "客服小王"))
	accounts, err := svc.Accounts(ctx)
	fmt.Println(accounts[0].Account, accounts[0].Nickname, err)
	// Output:
	// <nil>
	// kf2001@gh_test 客服小王 <nil>
}
