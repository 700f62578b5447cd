package officialaccount_test

import (
	"context"
	"fmt"
	"log"

	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

// GetJSON reaches APIs that wxkit does not wrap yet, with the token handled.
func ExampleOfficialAccount_GetJSON() {
	fake := wechattest.NewServer()
	defer fake.Close()
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		log.Fatal(err)
	}
	var reply struct {
		IPList []string `json:"ip_list"`
	}
	err = oa.GetJSON(context.Background(), "/cgi-bin/get_api_domain_ip", nil, &reply)
	fmt.Println(err, reply.IPList)
	// Output: <nil> [127.0.0.1]
}
