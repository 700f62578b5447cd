package mass_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/wxkit/wechat/mass"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

// A send retried with the same client message id, say after a timeout, returns
// the first send instead of sending twice.
func ExampleWithClientMsgID() {
	fake := wechattest.NewServer()
	defer fake.Close()
	fake.AddFollowers(3)
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		log.Fatal(err)
	}
	ctx, svc := context.Background(), mass.New(oa)

	first, err := svc.SendToAll(ctx, mass.Text("今晚八点直播"), mass.WithClientMsgID("live-20240101"))
	if err != nil {
		log.Fatal(err)
	}
	fake.Advance(2 * time.Minute) // within a minute WeChat answers 45066: retry later
	again, err := svc.SendToAll(ctx, mass.Text("今晚八点直播"), mass.WithClientMsgID("live-20240101"))
	fmt.Println(err, again.Duplicate, again.MsgID == first.MsgID, len(fake.SentMass()))
	// Output: <nil> true true 1
}
