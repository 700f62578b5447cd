package user_test

import (
	"context"
	"fmt"
	"log"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/user"
	"github.com/wxkit/wechat/wechattest"
)

func ExampleService_Info() {
	fake := wechattest.NewServer()
	defer fake.Close()
	fake.AddFollower(wechattest.Follower{OpenID: "o6_bmjrPTlm6_2sgVt7hMZOPfL2M", SubscribeScene: "ADD_SCENE_QR_CODE", QRScene: 98765})
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		log.Fatal(err)
	}
	ctx, svc := context.Background(), user.New(oa)

	info, err := svc.Info(ctx, "o6_bmjrPTlm6_2sgVt7hMZOPfL2M", user.WithLang("en"))
	fmt.Println(err, info.Subscribed, info.SubscribeScene, info.QRScene)

	_, err = svc.Info(ctx, "not-a-follower")
	fmt.Println(wechat.Code(err) == wechat.CodeInvalidOpenID)
	// Output:
	// <nil> true ADD_SCENE_QR_CODE 98765
	// true
}

func ExampleService_All() {
	fake := wechattest.NewServer()
	defer fake.Close()
	fake.AddFollowers(25001) // three pages of up to 10,000
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		log.Fatal(err)
	}

	n := 0
	for openID, err := range user.New(oa).All(context.Background()) {
		if err != nil {
			log.Fatal(err)
		}
		if n == 0 {
			fmt.Println("first:", openID)
		}
		n++
	}
	fmt.Println("followers:", n)
	// Output:
	// first: o_wxkit_fake_000000000000001
	// followers: 25001
}

func ExampleService_BatchTag() {
	fake := wechattest.NewServer()
	defer fake.Close()
	ids := fake.AddFollowers(120)
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		log.Fatal(err)
	}
	ctx, svc := context.Background(), user.New(oa)

	tag, err := svc.CreateTag(ctx, "广东")
	if err != nil {
		log.Fatal(err)
	}
	err = svc.BatchTag(ctx, tag.ID, ids) // three requests of up to 50
	fmt.Println(err)
	tags, err := svc.TagIDs(ctx, ids[119])
	fmt.Println(tags[0] == tag.ID, err)
	// Output:
	// <nil>
	// true <nil>
}
