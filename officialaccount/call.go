package officialaccount

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/internal/wxhttp"
)

// GetJSON calls GET path (relative, such as "/cgi-bin/user/info") with query and
// the access_token, and decodes the reply into out (nil to discard it). A non-zero
// errcode is a *wechat.Error. When WeChat says the token went bad (40001, 40014,
// 42001) the token is refreshed once and the call sent once more.
//
// A reply with a non-zero errcode is decoded into out as well, beside the
// *wechat.Error: a few error replies carry data (a mass send refused with 45065
// names the first send's msg_id). Check err first; read out after an error only
// where the API's doc says the error reply has fields.
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
// refresh and one resend on 40001, 40014, 42001), and returns the reply body. A
// non-zero errcode is a *wechat.Error, returned with the body. It is for calls that
// GetJSON and PostJSON cannot make, such as a multipart upload; build is called
// once per attempt, with a new token on the resend. The URL holds the token: keep
// it out of errors and logs (build's own error is reported without it).
func (oa *OfficialAccount) Do(ctx context.Context, path string, query url.Values, build func(ctx context.Context, url string) (*http.Request, error)) ([]byte, error) {
	return oa.do(ctx, path, query, build, true)
}

// do is Do; without validate, the reply's errcode alone is checked, for a
// caller that decodes the reply (which validates it) once.
func (oa *OfficialAccount) do(ctx context.Context, path string, query url.Values, build func(ctx context.Context, url string) (*http.Request, error), validate bool) ([]byte, error) {
	return withToken(ctx, oa, path, func(token string) ([]byte, error) {
		req, err := oa.newRequest(ctx, path, query, token, build)
		switch {
		case err != nil:
			return nil, err
		case validate:
			return wxhttp.Do(oa.client, req, path)
		default:
			return wxhttp.Send(oa.client, req, path)
		}
	})
}

// withToken runs attempt with the current access_token and, when WeChat says the
// token went bad (40001, 40014, 42001), once more with a refreshed one: the rule
// every call of the core follows. When the refresh fails, the refused attempt's
// result is dropped (it is no answer) and the refresh's error returned. attempt
// must be safe to run twice: the JSON calls resend the same bytes, Upload
// rewinds its file, and Download has written nothing when WeChat refuses the
// token.
func withToken[T any](ctx context.Context, oa *OfficialAccount, path string, attempt func(token string) (T, error)) (T, error) {
	var none T
	token, err := oa.cred.Token(ctx)
	if err != nil {
		return none, err
	}
	got, err := attempt(token)
	if !wechat.IsTokenInvalid(err) {
		return got, err
	}
	oa.logger.Info("wechat: token rejected; refreshing once", "api", path, "errcode", wechat.Code(err))
	if token, err = oa.cred.Refresh(ctx, token); err != nil {
		return none, err
	}
	return attempt(token)
}

// call is GetJSON and PostJSON: one JSON request, with the token rule of
// withToken, its reply decoded into out once. Each attempt reads only the
// errcode of its reply (to know whether to resend); json.Unmarshal into out
// then validates and decodes the whole reply in one pass.
func (oa *OfficialAccount) call(ctx context.Context, method, path string, query url.Values, body []byte, out any) error {
	raw, err := oa.do(ctx, path, query, jsonRequest(method, body), false)
	return wxhttp.Decode(path, raw, err, out)
}

// jsonRequest is the builder of a JSON call for Do's machinery (call,
// Download): method with body (nil for none) sent as JSON. Its error quotes the
// URL: newRequest keeps the token out of it.
func jsonRequest(method string, body []byte) func(context.Context, string) (*http.Request, error) {
	return func(ctx context.Context, u string) (*http.Request, error) {
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
	}
}

// newRequest calls build with the finished URL of path, keeping the token out of
// build's error.
func (oa *OfficialAccount) newRequest(ctx context.Context, path string, query url.Values, token string, build func(context.Context, string) (*http.Request, error)) (*http.Request, error) {
	req, err := build(ctx, oa.url(path, query, token))
	if err != nil {
		return nil, buildError(path, token, err)
	}
	return req, nil
}

// buildError is the error of a request that could not be built, without the
// token: the URL holds it, query-escaped, and net/url's errors quote it.
// wxhttp.Redact hides the access_token parameter however its value is
// escaped; a builder's error that quotes the token elsewhere loses it too.
func buildError(path, token string, err error) error {
	msg := wxhttp.Redact(err.Error())
	if token != "" {
		msg = strings.ReplaceAll(msg, token, "REDACTED")
	}
	if msg != err.Error() {
		return fmt.Errorf("wechat: %s: building the request: %s", path, msg)
	}
	return fmt.Errorf("wechat: %s: building the request: %w", path, err)
}

// url returns the full URL of path with the token first, then query's
// parameters sorted by key, as url.Values.Encode sorts them, built in one
// buffer without copying query.
func (oa *OfficialAccount) url(path string, query url.Values, token string) string {
	var keys [8]string
	sorted := keys[:0]
	n := len(oa.baseURL) + len(path) + len("?access_token=") + len(token)
	for k, vs := range query {
		sorted = append(sorted, k)
		for _, v := range vs {
			n += len(k) + len(v) + 2
		}
	}
	slices.Sort(sorted)
	var b strings.Builder
	b.Grow(n + n/8) // room for some escapes
	b.WriteString(oa.baseURL)
	b.WriteString(path)
	b.WriteString("?access_token=")
	b.WriteString(url.QueryEscape(token))
	for _, k := range sorted {
		ek := url.QueryEscape(k)
		for _, v := range query[k] {
			b.WriteByte('&')
			b.WriteString(ek)
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(v))
		}
	}
	return b.String()
}
