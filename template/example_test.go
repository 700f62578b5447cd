package template_test

import (
	"context"
	"fmt"
	"log"

	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/template"
	"github.com/wxkit/wechat/wechattest"
)

func ExampleService_Send() {
	fake := wechattest.NewServer()
	defer fake.Close()
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		log.Fatal(err)
	}
	ctx, svc := context.Background(), template.New(oa)
	id, err := svc.Add(ctx, "47123", []string{"时间", "地点", "金额"})
	if err != nil {
		log.Fatal(err)
	}
	msgID, err := svc.Send(ctx, template.Message{
		ToUser:      "oia2TjuEGTNoeX76QEjQNrcURxG8",
		TemplateID:  id,
		URL:         "https://example.com/bill?id=42",
		ClientMsgID: "bill-42",
		Data: map[string]template.Value{
			"time1":   {Value: "2024年9月22日 10:00"},
			"thing2":  {Value: "北京朝阳店"},
			"amount3": {Value: "39.8元"},
		},
	})
	fmt.Println("sent:", msgID > 0, err)
	sent := fake.SentTemplates()
	fmt.Println(len(sent), sent[0].Data["thing2"])
	// Output:
	// sent: true <nil>
	// 1 北京朝阳店
}

func ExampleParseStatus() {
	// m.Status of a TEMPLATESENDJOBFINISH event parsed by the message package.
	status := template.ParseStatus("failed:user block")
	fmt.Println(status == template.StatusUserBlock, status.Delivered())
	// Output: true false
}
