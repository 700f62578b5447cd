// Package exampletest is what the programs' tests share: the settings of a
// fake account and a port in use (testutil.Serve runs a program until the test
// ends). Only tests import it.
package exampletest

import (
	"maps"
	"net"
	"testing"

	"github.com/wxkit/wechat/wechattest"
)

// AccountEnv returns the WECHAT_* settings of fake's account (AppID,
// AppSecret, Token, EncodingAESKey, its API base URL), with each of changes
// applied on top in turn: an empty value unsets a variable for the program.
func AccountEnv(fake *wechattest.Server, changes ...map[string]string) map[string]string {
	env := map[string]string{
		"WECHAT_APPID": fake.AppID(), "WECHAT_APPSECRET": fake.AppSecret(), "WECHAT_TOKEN": fake.WebhookToken(),
		"WECHAT_ENCODING_AES_KEY": fake.EncodingAESKey(), "WECHAT_API_BASE_URL": fake.URL(),
	}
	for _, c := range changes {
		maps.Copy(env, c)
	}
	return env
}

// BusyAddr returns a loopback address a listener holds until t ends: a port in
// use, for -addr.
func BusyAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().String()
}
