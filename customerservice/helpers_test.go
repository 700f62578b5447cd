package customerservice_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/wxkit/wechat/customerservice"
	"github.com/wxkit/wechat/wechattest"
)

// newService starts a fake platform for one test and returns it with a customerservice
// service talking to it.
func newService(t *testing.T) (*wechattest.Server, *customerservice.Service) {
	t.Helper()
	fake, oa := wechattest.Start(t)
	return fake, customerservice.New(oa)
}

// sameJSON reports whether a and b hold the same JSON value.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("bad JSON %s: %v", a, err)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("bad JSON %s: %v", b, err)
	}
	return reflect.DeepEqual(va, vb)
}
