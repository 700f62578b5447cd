package officialaccount

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

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
	raw, err := encodeJSON(body)
	if err != nil {
		return fmt.Errorf("wechat: %s: encoding request: %w", path, err)
	}
	return oa.call(ctx, http.MethodPost, path, query, raw, out)
}

// encodeJSON encodes v the way WeChat wants it: UTF-8, no HTML escaping, no
// trailing newline.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}

// Do sends the request build makes for the finished URL of path (the base URL,
// path, query and the access_token), with the same token handling as GetJSON (one
// refresh and one resend on 40001, 40014, 42001), and returns the reply body after
// checking errcode. It is for calls that GetJSON and PostJSON cannot make, such as
// a multipart upload; build is called once per attempt, with a new token on the
// resend. The URL holds the token: keep it out of errors and logs (build's own
// error is reported without it).
func (oa *OfficialAccount) Do(ctx context.Context, path string, query url.Values, build func(ctx context.Context, url string) (*http.Request, error)) ([]byte, error) {
	token, err := oa.cred.Token(ctx)
	if err != nil {
		return nil, err
	}
	raw, err := oa.sendBuilt(ctx, path, query, token, build)
	if wechat.IsTokenInvalid(err) {
		oa.logger.Info("wechat: token rejected; refreshing once", "api", path, "errcode", wechat.Code(err))
		if token, err = oa.cred.Refresh(ctx, token); err != nil {
			return nil, err
		}
		raw, err = oa.sendBuilt(ctx, path, query, token, build)
	}
	return raw, err
}

func (oa *OfficialAccount) call(ctx context.Context, method, path string, query url.Values, body []byte, out any) error {
	raw, err := oa.Do(ctx, path, query, func(ctx context.Context, u string) (*http.Request, error) {
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, u, rd)
		if err != nil {
			return nil, err
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json; charset=utf-8")
		}
		return req, nil
	})
	if err != nil || out == nil {
		return err
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("wechat: %s: decoding reply: %w", path, err)
	}
	return nil
}

func (oa *OfficialAccount) sendBuilt(ctx context.Context, path string, query url.Values, token string, build func(context.Context, string) (*http.Request, error)) ([]byte, error) {
	req, err := build(ctx, oa.url(path, query, token))
	if err != nil {
		// The URL holds the token, and net/url's errors quote it.
		if msg := err.Error(); token != "" && strings.Contains(msg, token) {
			return nil, fmt.Errorf("wechat: %s: building the request: %s", path, strings.ReplaceAll(msg, token, "REDACTED"))
		}
		return nil, fmt.Errorf("wechat: %s: building the request: %w", path, err)
	}
	return wxhttp.Do(oa.client, req, path)
}

// url returns the full URL of path with query and token.
func (oa *OfficialAccount) url(path string, query url.Values, token string) string {
	q := make(url.Values, len(query)+1)
	for k, v := range query {
		q[k] = v
	}
	q.Set("access_token", token)
	return oa.baseURL + path + "?" + q.Encode()
}
