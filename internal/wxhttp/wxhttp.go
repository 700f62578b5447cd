// Package wxhttp is the one send path to WeChat's JSON APIs, shared by credential
// and officialaccount: it sends, reads the reply through a size limit, turns a
// non-zero errcode into *wechat.Error, and keeps secrets out of every error.
package wxhttp

import (
	"context"
	"encoding/json"
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
	return userInfo.ReplaceAllString(s, "${1}")
}

// userInfo matches the user:password@ after a URL's scheme, whether or not
// the rest parses as a URL: a base URL that cannot make a request is the one
// an error quotes. It runs to the last '@' before the path, as url.Parse
// does: a password may hold an '@' of its own.
var userInfo = regexp.MustCompile(`(?i)([a-z][a-z0-9+.-]*://)[^/?#\s"']*@`)

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

// NewRequest builds a request to baseURL+api, with q as its query when q is
// not nil. Its URL may carry a credential (an AppSecret, a token), so a
// failure names only api and the redacted base URL.
func NewRequest(ctx context.Context, method, baseURL, api string, q url.Values, body io.Reader) (*http.Request, error) {
	u := baseURL + api
	if q != nil {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, fmt.Errorf("wechat: %s: cannot build a request with base URL %q: %w", api, Redact(baseURL), RedactErr(err))
	}
	return req, nil
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
	body, err := read(r, -1, api)
	if err != nil {
		return nil, err
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
		return NotJSON(api, body)
	}
	return ErrCode(api, body)
}

// ReadReply reads the body of resp, up to MaxReply bytes, into a buffer sized
// by its Content-Length; unlike ReadJSON it leaves checking the body to the
// caller (see ErrCode), for a caller that decodes it anyway.
func ReadReply(resp *http.Response, api string) ([]byte, error) {
	return read(resp.Body, resp.ContentLength, api)
}

// read reads r, up to MaxReply bytes, into a buffer sized by length (the
// announced length; -1 when unknown).
func read(r io.Reader, length int64, api string) ([]byte, error) {
	size := int64(512)
	if length >= 0 {
		if length > MaxReply {
			return nil, errTooLarge(api)
		}
		size = length + 1 // the read that sees EOF needs room
	}
	body := make([]byte, 0, size)
	for {
		if len(body) == cap(body) {
			body = append(body, 0)[:len(body)]
		}
		n, err := r.Read(body[len(body):cap(body)])
		body = body[:len(body)+n]
		if len(body) > MaxReply {
			return nil, errTooLarge(api)
		}
		if err == io.EOF {
			return body, nil
		}
		if err != nil {
			return nil, fmt.Errorf("wechat: %s: reading reply: %w", api, RedactErr(err))
		}
	}
}

// ErrCode returns a *wechat.Error when body, a JSON object, carries a
// non-zero errcode. It reads only errcode (and errmsg when set), without
// validating the rest: for a caller that decodes the body anyway, which
// validates it, or calls Check. A body that does not start like an object is
// an error.
func ErrCode(api string, body []byte) error {
	if !objectStart(body) {
		return NotJSON(api, body)
	}
	code := gjson.GetBytes(body, "errcode")
	if code.Exists() && code.Int() != 0 {
		return &wechat.Error{Code: int(code.Int()), Message: gjson.GetBytes(body, "errmsg").String(), API: api}
	}
	return nil
}

// Decode finishes a call whose reply is raw and whose error so far is err (a
// *wechat.Error goes with a reply that may carry data): raw is decoded into out,
// when both are there, in one pass that also validates it. A reply that is not
// JSON is an error whatever its errcode looked like; one that does not fit out
// is an error unless err already is. Without out, raw is validated only.
func Decode(api string, raw []byte, err error, out any) error {
	if raw == nil {
		return err
	}
	if out == nil {
		if !gjson.ValidBytes(raw) {
			return NotJSON(api, raw)
		}
		return err
	}
	if derr := json.Unmarshal(raw, out); derr != nil {
		if _, ok := derr.(*json.SyntaxError); ok {
			return NotJSON(api, raw)
		}
		if err == nil {
			return fmt.Errorf("wechat: %s: decoding reply: %w", api, derr)
		}
	}
	return err
}

// DoJSON sends req and decodes the reply into out (nil to only check it), the
// errcode read first and the whole reply decoded once: a non-zero errcode is a
// *wechat.Error, returned after out was filled, since a few error replies
// carry data. It is Do for a caller that wants a struct.
func DoJSON(client *http.Client, req *http.Request, api string, out any) error {
	raw, err := Send(client, req, api)
	return Decode(api, raw, err, out)
}

// Send sends req and reads the reply, checking its errcode only: a non-zero
// errcode is a *wechat.Error returned with the reply, whose other fields are
// not yet validated (Decode does that, in the pass that decodes them). A reply
// that is not an object, and a token refusal that is not valid JSON, are a
// not-JSON error without the reply: a caller resends only on a real refusal.
func Send(client *http.Client, req *http.Request, api string) ([]byte, error) {
	resp, err := Open(client, req, api)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := ReadReply(resp, api)
	if err != nil {
		return nil, err
	}
	return checkCode(api, raw)
}

// checkCode checks the errcode of raw, a reply read whole, as Send describes:
// the reply comes back with the error unless it cannot be used.
func checkCode(api string, raw []byte) ([]byte, error) {
	switch err := ErrCode(api, raw); {
	case err == nil:
		return raw, nil
	case wechat.Code(err) == wechat.CodeNotWeChat:
		return nil, err
	case wechat.IsTokenInvalid(err) && !json.Valid(raw):
		return nil, NotJSON(api, raw)
	default:
		return raw, err
	}
}

// DecodeReply checks the errcode of raw, a reply read whole, and decodes it
// into out (nil to only check it) once, as DoJSON does.
func DecodeReply(api string, raw []byte, out any) error {
	raw, err := checkCode(api, raw)
	return Decode(api, raw, err, out)
}

// objectStart reports whether body's first byte after white space opens an
// object.
func objectStart(body []byte) bool {
	for _, c := range body {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return c == '{'
	}
	return false
}

// NotJSON is the error of a reply that is not a JSON object.
func NotJSON(api string, body []byte) error {
	return fmt.Errorf("wechat: %s: reply is not a JSON object (%d bytes)", api, len(body))
}

func errTooLarge(api string) error {
	return fmt.Errorf("wechat: %s: reply is larger than %d bytes", api, MaxReply)
}

// RedactErr rewrites the URL inside a *url.Error (net/http's and
// url.Parse's), which quotes the whole URL (user info and query string
// included) in its message.
func RedactErr(err error) error {
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
