// Package exampletest is what the programs' tests share: the settings of a
// fake account (testutil.Serve runs a program until the test ends, and
// testutil.BusyAddr gives a port in use). Only tests import it.
package exampletest

import (
	"maps"

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
