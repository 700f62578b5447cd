package officialaccount

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/internal/wxhttp"
)

// GetJSON calls GET path (relative, such as "/cgi-bin/user/info") with query and
// the access_token, and decodes the reply into out (nil to discard it). A non-zero
// errcode is a *wechat.Error. When WeChat says the token went bad (40001, 40014,
// 42001) the token is refreshed once and the call sent once more.
//
// It is exported for the APIs wxkit does not wrap yet.
func (oa *OfficialAccount) GetJSON(ctx context.Context, path string, query url.Values, out any) error {
	return oa.call(ctx, http.MethodGet, path, query, nil, out)
}

// PostJSON is GetJSON with a POST of body encoded as JSON. Text is sent as UTF-8
// without HTML escaping (WeChat rejects "\u003c" in some fields). The body is
// encoded once, so a retry resends the same bytes.
func (oa *OfficialAccount) PostJSON(ctx context.Context, path string, query url.Values, body, out any) error {
	raw, err := EncodeJSON(body)
	if err != nil {
		return fmt.Errorf("wechat: %s: encoding request: %w", path, err)
	}
	return oa.call(ctx, http.MethodPost, path, query, raw, out)
}

// EncodeJSON encodes v the way WeChat wants it: UTF-8, no HTML escaping, no
// trailing newline.
func EncodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}

// Do sends a request built by build for the access_token it is given, with the same
// token handling as GetJSON (one refresh and one resend on 40001, 40014, 42001), and
// returns the reply body after checking errcode. It is for calls that GetJSON and
// PostJSON cannot make, such as a multipart upload; build is called once per attempt.
func (oa *OfficialAccount) Do(ctx context.Context, path string, build func(ctx context.Context, token string) (*http.Request, error)) ([]byte, error) {
	token, err := oa.cred.Token(ctx)
	if err != nil {
		return nil, err
	}
	raw, err := oa.sendBuilt(ctx, path, token, build)
	if wechat.IsTokenInvalid(err) {
		oa.logger.Info("wechat: token rejected; refreshing once", "api", path, "errcode", wechat.Code(err))
		if token, err = oa.cred.Refresh(ctx, token); err != nil {
			return nil, err
		}
		raw, err = oa.sendBuilt(ctx, path, token, build)
	}
	return raw, err
}

func (oa *OfficialAccount) call(ctx context.Context, method, path string, query url.Values, body []byte, out any) error {
	raw, err := oa.Do(ctx, path, func(ctx context.Context, token string) (*http.Request, error) {
		return oa.newRequest(ctx, method, path, query, token, body)
	})
	if err != nil || out == nil {
		return err
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("wechat: %s: decoding reply: %w", path, err)
	}
	return nil
}

func (oa *OfficialAccount) sendBuilt(ctx context.Context, path, token string, build func(context.Context, string) (*http.Request, error)) ([]byte, error) {
	req, err := build(ctx, token)
	if err != nil {
		return nil, fmt.Errorf("wechat: %s: building request: %w", path, err)
	}
	return wxhttp.Do(oa.client, req, path)
}

// URL returns the full URL of path with query and token, for building requests in
// Do. Keep it out of logs: it carries the token (wxhttp redacts it in errors).
func (oa *OfficialAccount) URL(path string, query url.Values, token string) string {
	q := make(url.Values, len(query)+1)
	for k, v := range query {
		q[k] = v
	}
	q.Set("access_token", token)
	return oa.baseURL + path + "?" + q.Encode()
}

func (oa *OfficialAccount) newRequest(ctx context.Context, method, path string, query url.Values, token string, body []byte) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, oa.URL(path, query, token), rd)
	if err != nil {
		return nil, fmt.Errorf("bad path or base URL %q", oa.baseURL) // the URL holds the token: not quoted
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	return req, nil
}
