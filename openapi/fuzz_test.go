package openapi_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/wxkit/wechat/openapi"
)

// FuzzRedactQuery feeds request_url-like text: the result never carries an
// access_token or secret value the input carried.
func FuzzRedactQuery(f *testing.F) {
	f.Add("access_token=50_Im7xxxx")
	f.Add("openid=o1&access_token=tok_123&lang=zh_CN")
	f.Add("https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=abcdef")
	f.Add("access_token=a%26b&x=%zz")
	f.Add("?access_token=q#frag")
	f.Fuzz(func(t *testing.T, in string) {
		out := openapi.RedactQuery(in)
		_, query, _ := strings.Cut(in, "?")
		if !strings.Contains(in, "?") {
			query = in
		}
		q, err := url.ParseQuery(query)
		if err != nil {
			return // not a query WeChat would echo; Redact cuts what it can
		}
		for _, k := range []string{"access_token", "secret", "appsecret"} {
			for _, v := range q[k] {
				if len(v) >= 6 && v != "REDACTED" && strings.Contains(out, k+"="+url.QueryEscape(v)) {
					t.Errorf("RedactQuery(%q) = %q still carries %s", in, out, k)
				}
			}
		}
	})
}
