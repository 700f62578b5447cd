package openapi_test

import (
	"context"
	"fmt"
	"log"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/openapi"
	"github.com/wxkit/wechat/wechattest"
)

// An API answers 45009 (daily quota used up): look at its quota and reset it.
func ExampleService_Quota() {
	fake := wechattest.NewServer()
	defer fake.Close()
	fake.SetQuota("/cgi-bin/getcallbackip", 1)
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		log.Fatal(err)
	}
	ctx, svc := context.Background(), openapi.New(oa)
	svc.CallbackIPs(ctx)
	_, err = svc.CallbackIPs(ctx)
	fmt.Println(wechat.Code(err))

	q, err := svc.Quota(ctx, "/cgi-bin/getcallbackip")
	fmt.Println(q.Used, q.DailyLimit, err)
	fmt.Println(svc.ClearAPIQuota(ctx, "/cgi-bin/getcallbackip"))
	_, err = svc.CallbackIPs(ctx)
	fmt.Println(err)
	// Output:
	// 45009
	// 1 1 <nil>
	// <nil>
	// <nil>
}
