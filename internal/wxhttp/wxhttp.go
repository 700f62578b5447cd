// Package wxhttp is the one send path to WeChat's JSON APIs, shared by credential
// and officialaccount: it sends, reads the reply through a size limit, turns a
// non-zero errcode into *wechat.Error, and keeps secrets out of every error.
package wxhttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/tidwall/gjson"
	"github.com/wxkit/wechat"
)

// MaxReply is the largest reply body read (8 MiB). A follower page of 10,000 OpenIDs
// is about 300 KB; anything near this limit is not a WeChat JSON reply.
const MaxReply = 8 << 20

// secretParams are the query parameters Redact hides.
// refresh_token and code are 网页授权's: a code is single-use but a credential
// for five minutes.
var secretParams = []string{"secret", "appsecret", "access_token", "key", "refresh_token", "code"}

// Redact returns rawURL with the values of secret, appsecret, access_token, key,
// refresh_token and code replaced by "REDACTED". Every URL that can reach an
// error or a log line passes through it. Input that is not a URL is returned
// with any "secret=…" and "access_token=…" runs cut out all the same.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return redactLoose(rawURL)
	}
	if u.RawQuery != "" {
		q := u.Query()
		for _, p := range secretParams {
			if q.Has(p) {
				q.Set(p, "REDACTED")
			}
		}
		u.RawQuery = q.Encode()
	}
	u.User = nil
	return u.String()
}

func redactLoose(s string) string {
	for _, p := range secretParams {
		for from := 0; ; {
			i := strings.Index(s[from:], p+"=")
			if i < 0 {
				break
			}
			start := from + i + len(p) + 1
			end := strings.IndexAny(s[start:], "&# \"")
			if end < 0 {
				end = len(s) - start
			}
			s = s[:start] + "REDACTED" + s[start+end:]
			from = start + len("REDACTED")
		}
	}
	return s
}

// StatusError is a reply whose HTTP status is not 2xx.
type StatusError struct {
	API    string
	Status int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("wechat: %s: HTTP %d %s", e.API, e.Status, http.StatusText(e.Status))
}

// Temporary reports whether the status is worth a retry (5xx, 429).
func (e *StatusError) Temporary() bool {
	return e.Status >= 500 || e.Status == http.StatusTooManyRequests
}

// Do sends req and returns the reply body. api names the path in errors. A
// transport error keeps its chain (errors.Is(err, context.DeadlineExceeded) works)
// with the URL redacted; a non-2xx status is a *StatusError; a non-zero errcode is a
// *wechat.Error.
func Do(client *http.Client, req *http.Request, api string) ([]byte, error) {
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("wechat: %s: %w", api, redactErr(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxReply+1))
	if err != nil {
		return nil, fmt.Errorf("wechat: %s: reading reply: %w", api, redactErr(err))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &StatusError{API: api, Status: resp.StatusCode}
	}
	if len(body) > MaxReply {
		return nil, fmt.Errorf("wechat: %s: reply is larger than %d bytes", api, MaxReply)
	}
	if err := Check(api, body); err != nil {
		return nil, err
	}
	return body, nil
}

// Check returns a *wechat.Error when body carries a non-zero errcode, and an error
// when body is not a JSON object.
func Check(api string, body []byte) error {
	if !gjson.ValidBytes(body) || !gjson.ParseBytes(body).IsObject() {
		return fmt.Errorf("wechat: %s: reply is not a JSON object (%d bytes)", api, len(body))
	}
	code := gjson.GetBytes(body, "errcode")
	if code.Exists() && code.Int() != 0 {
		return &wechat.Error{Code: int(code.Int()), Message: gjson.GetBytes(body, "errmsg").String(), API: api}
	}
	return nil
}

// redactErr rewrites the URL inside net/http's *url.Error, which quotes the whole
// request URL (query string included) in its message.
func redactErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: Redact(ue.URL), Err: ue.Err}
	}
	return err
}

// Retryable reports whether err is worth another attempt: WeChat busy (-1), a 5xx or
// 429 status, or a transport failure. Errors of the caller's own context are not.
func Retryable(ctx context.Context, err error) bool {
	if err == nil || ctx.Err() != nil {
		return false
	}
	var we *wechat.Error
	if errors.As(err, &we) {
		return we.Code == wechat.CodeSystemBusy
	}
	var se *StatusError
	if errors.As(err, &se) {
		return se.Temporary()
	}
	var ue *url.Error
	return errors.As(err, &ue)
}
