package officialaccount_test

import (
	"context"
	"fmt"
	"log"

	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

// GetJSON reaches APIs that wxkit does not wrap yet, with the token handled:
// here the auto-reply rules set in the console (获取自动回复规则).
func ExampleOfficialAccount_GetJSON() {
	fake := wechattest.NewServer()
	defer fake.Close()
	fake.SetAutoReply(wechattest.AutoReply{OnSubscribe: "欢迎关注"})
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		log.Fatal(err)
	}
	var reply struct {
		IsAddFriendReplyOpen   int `json:"is_add_friend_reply_open"`
		AddFriendAutoReplyInfo struct {
			Type    string `json:"type"`
			Content string `json:"content"`
		} `json:"add_friend_autoreply_info"`
	}
	err = oa.GetJSON(context.Background(), "/cgi-bin/get_current_autoreply_info", nil, &reply)
	fmt.Println(err, reply.IsAddFriendReplyOpen, reply.AddFriendAutoReplyInfo.Content)
	// Output: <nil> 1 欢迎关注
}
