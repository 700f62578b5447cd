// Package webauth is what officialaccount, credential and oauth share about
// 网页授权 without making it public API: the AppSecret handed from an
// *officialaccount.OfficialAccount to oauth, and the one request that carries it,
// the code exchange.
package webauth

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/wxkit/wechat/internal/wxhttp"
)

// AppSecret returns the AppSecret of oa, an *officialaccount.OfficialAccount, or
// "" when it was built without one (on a credential.Remote, say). officialaccount
// sets it in its init; it takes any because internal packages sit below
// officialaccount and cannot name its type.
var AppSecret func(oa any) string

// PathAccessToken is WeChat's code exchange (通过code换取网页授权access_token).
const PathAccessToken = "/sns/oauth2/access_token"

// ExchangeCode sends the code exchange to baseURL (the API host) and returns
// WeChat's reply, checked for errcode (a non-zero one is a *wechat.Error). The
// AppSecret travels in the query string, as WeChat wants it; every error is
// redacted by wxhttp. It is sent once: a code is single-use, and a retry after a
// request that reached WeChat would only earn 40163.
func ExchangeCode(ctx context.Context, client *http.Client, baseURL, appID, secret, code string) ([]byte, error) {
	q := url.Values{"appid": {appID}, "secret": {secret}, "code": {code}, "grant_type": {"authorization_code"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+PathAccessToken+"?"+q.Encode(), nil)
	if err != nil { // the URL holds the secret: name the base URL only
		return nil, fmt.Errorf("wechat: %s: cannot build a request with base URL %q", PathAccessToken, wxhttp.Redact(baseURL))
	}
	return wxhttp.Do(client, req, PathAccessToken)
}
