package officialaccount

import (
	"context"
	"net/url"

	"github.com/wxkit/wechat"
)

// withToken runs attempt with the current access_token and, when WeChat says the
// token went bad (40001, 40014, 42001), once more with a refreshed one: the rule
// every call of the core follows. attempt must be safe to run twice; the uploads
// and downloads that use it rewind their body or have written nothing yet.
func (oa *OfficialAccount) withToken(ctx context.Context, path string, attempt func(token string) error) error {
	token, err := oa.cred.Token(ctx)
	if err != nil {
		return err
	}
	err = attempt(token)
	if !wechat.IsTokenInvalid(err) {
		return err
	}
	oa.logger.Info("wechat: token rejected; refreshing once", "api", path, "errcode", wechat.Code(err))
	if token, err = oa.cred.Refresh(ctx, token); err != nil {
		return err
	}
	return attempt(token)
}

// endpoint is the full URL of path with query and the token. It carries the
// token: it must never reach an error or a log line unredacted (wxhttp does that).
func (oa *OfficialAccount) endpoint(path string, query url.Values, token string) string {
	q := make(url.Values, len(query)+1)
	for k, v := range query {
		q[k] = v
	}
	q.Set("access_token", token)
	return oa.baseURL + path + "?" + q.Encode()
}
