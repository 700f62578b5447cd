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
	"regexp"
	"strings"

	"github.com/tidwall/gjson"
	"github.com/wxkit/wechat"
)

// MaxReply is the largest reply body read (8 MiB). A follower page of 10,000 OpenIDs
// is about 300 KB; anything near this limit is not a WeChat JSON reply.
const MaxReply = 8 << 20

// secretParams are the query parameters Redact hides, beside every
// "…_access_token" (authorizer_access_token, component_access_token).
// refresh_token and code are 网页授权's: a code is single-use but a credential
// for five minutes.
var secretParams = []string{"secret", "appsecret", "access_token", "key", "refresh_token", "code"}

// secretRun matches "name=value" for a secret parameter name: at the start, or
// after a separator of a URL, a query, a form body or free text (so "x_secret"
// and "errcode" are not such names). The value is quoted, or runs to the next
// separator.
var secretRun = regexp.MustCompile(`(?i)((?:^|[?&#;\s"'])(?:[a-z_]*_access_token|` + alternatives(secretParams) + `)=)(?:"[^"]*"|'[^']*'|[^&#;\s"']*)`)

// secretMember matches a JSON member holding a token or a secret. "key" is not
// one: in JSON it is a menu button's key.
var secretMember = regexp.MustCompile(`(?i)("(?:[a-z_]*_access_token|access_token|secret|appsecret|refresh_token)"\s*:\s*")(?:[^"\\]|\\.)*"`)

func alternatives(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = regexp.QuoteMeta(n)
	}
	return strings.Join(quoted, "|")
}

// Redact returns s with every credential in it replaced by "REDACTED", the rest
// kept byte for byte: the values of secretParams and any …_access_token in a URL
// (query or fragment), a query string, a form body or free text quoting them;
// JSON members named like a token or a secret; and a URL's user:password, which
// is removed. Every URL that can reach an error or a log line passes through it,
// and so does what WeChat echoes of a request (openapi's rid look-up).
func Redact(s string) string {
	s = secretRun.ReplaceAllString(s, "${1}REDACTED")
	s = secretMember.ReplaceAllString(s, `${1}REDACTED"`)
	if u, err := url.Parse(s); err == nil && u.User != nil {
		u.User = nil
		s = u.String()
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
// *wechat.Error, returned with the body.
func Do(client *http.Client, req *http.Request, api string) ([]byte, error) {
	resp, err := Open(client, req, api)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return ReadJSON(resp.Body, api)
}

// ReadJSON reads a JSON reply from r, up to MaxReply bytes, and checks it: an
// error when it is too large or not a JSON object, a *wechat.Error (returned with
// the body, since a few error replies carry data) for a non-zero errcode.
func ReadJSON(r io.Reader, api string) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, MaxReply+1))
	if err != nil {
		return nil, fmt.Errorf("wechat: %s: reading reply: %w", api, redactErr(err))
	}
	if len(body) > MaxReply {
		return nil, fmt.Errorf("wechat: %s: reply is larger than %d bytes", api, MaxReply)
	}
	if err := Check(api, body); err != nil {
		if _, ok := err.(*wechat.Error); ok {
			return body, err
		}
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
