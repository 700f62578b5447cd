// Package webauth is the one 网页授权 request that carries the AppSecret, the
// code exchange, shared by the two packages that send it: oauth, with the secret
// of its account (internal/account hands it over), and credential's token
// server, with the secret of its Manager, for servers that hold none.
package webauth

import (
	"context"
	"net/http"
	"net/url"

	"github.com/wxkit/wechat/internal/wxhttp"
)

// PathAccessToken is WeChat's code exchange (通过code换取网页授权access_token).
const PathAccessToken = "/sns/oauth2/access_token"

// ExchangeCode sends the code exchange to baseURL (the API host) and returns
// WeChat's reply, checked for errcode (a non-zero one is a *wechat.Error). The
// AppSecret travels in the query string, as WeChat wants it; every error is
// redacted by wxhttp. It is sent once: a code is single-use, and a retry after a
// request that reached WeChat would only earn 40163.
func ExchangeCode(ctx context.Context, client *http.Client, baseURL, appID, secret, code string) ([]byte, error) {
	req, err := wxhttp.NewRequest(ctx, http.MethodGet, baseURL, PathAccessToken, exchangeQuery(appID, secret, code), nil)
	if err != nil {
		return nil, err
	}
	return wxhttp.Do(client, req, PathAccessToken)
}

// ExchangeCodeInto is ExchangeCode for a caller that wants the reply decoded:
// it is decoded into out once, beside a *wechat.Error for a non-zero errcode.
func ExchangeCodeInto(ctx context.Context, client *http.Client, baseURL, appID, secret, code string, out any) error {
	return Get(ctx, client, baseURL, PathAccessToken, exchangeQuery(appID, secret, code), out)
}

func exchangeQuery(appID, secret, code string) url.Values {
	return url.Values{"appid": {appID}, "secret": {secret}, "code": {code}, "grant_type": {"authorization_code"}}
}

// Get sends GET api (a /sns path) with q to baseURL and decodes the reply into
// out once (nil to only check it); a non-zero errcode is a *wechat.Error. The
// /sns calls carry their own credentials in q (the AppSecret, a web token, a
// refresh token), never the account's access_token; errors name api and the
// redacted base URL only.
func Get(ctx context.Context, client *http.Client, baseURL, api string, q url.Values, out any) error {
	req, err := wxhttp.NewRequest(ctx, http.MethodGet, baseURL, api, q, nil)
	if err != nil {
		return err
	}
	return wxhttp.DoJSON(client, req, api, out)
}
