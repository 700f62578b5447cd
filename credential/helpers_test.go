package credential_test

import (
	"net/url"

	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/wechattest"
)

var (
	waitFor   = testutil.WaitFor
	errString = testutil.ErrString
)

// useUpTokenQuota sets a daily token quota of 1 and spends it.
func useUpTokenQuota(f *wechattest.Server) {
	f.SetQuota(pathToken, 1)
	q := url.Values{"grant_type": {"client_credential"}, "appid": {f.AppID()}, "secret": {f.AppSecret()}}
	resp, err := f.Client().Get(f.URL() + pathToken + "?" + q.Encode())
	if err == nil {
		resp.Body.Close()
	}
}
