package template_test

import (
	"testing"

	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/template"
	"github.com/wxkit/wechat/wechattest"
)

// newService starts a fake platform for one test and returns it with a template
// service and the shared context (for bypassing local checks with PostJSON).
func newService(t *testing.T) (*wechattest.Server, *template.Service, *officialaccount.OfficialAccount) {
	t.Helper()
	fake, oa := wechattest.Start(t)
	return fake, template.New(oa), oa
}

// orderTemplate is a category template with two fields, plus the legacy first and
// remark that WeChat no longer shows.
var orderTemplate = wechattest.PrivateTemplate{
	Title:    "订单支付成功",
	Content:  "{{first.DATA}}\n商品:{{thing1.DATA}}\n金额:{{amount2.DATA}}\n{{remark.DATA}}",
	Category: true,
}

func data(kv ...string) map[string]template.Value {
	m := map[string]template.Value{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = template.Value{Value: kv[i+1]}
	}
	return m
}
