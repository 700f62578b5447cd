package openapi

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"
)

// Request is what WeChat recorded about one call (rid/get), with every
// access_token and secret in it replaced by REDACTED.
type Request struct {
	InvokeTime   time.Time
	CostInMS     int
	RequestURL   string // the query string WeChat saw
	RequestBody  string
	ResponseBody string
	ClientIP     string // the IP WeChat saw the call from
}

// RID looks up the call whose error ended in "rid: …" (查询rid信息): wechat.Error
// has it as RID(). WeChat keeps rids for 7 days, answers only for the account's
// own calls (76003), and not for /sns/ calls. 76001: no such rid; 76004: expired.
//
// WeChat echoes the access_token in request_url: RID removes it, and any
// secret, before returning.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/apimanage/api_getridinfo.html
func (s *Service) RID(ctx context.Context, rid string) (*Request, error) {
	rid = strings.TrimSpace(rid)
	if rid == "" {
		return nil, errors.New("openapi: empty rid")
	}
	var w struct {
		Request struct {
			InvokeTime   int64  `json:"invoke_time"`
			CostInMS     int    `json:"cost_in_ms"`
			RequestURL   string `json:"request_url"`
			RequestBody  string `json:"request_body"`
			ResponseBody string `json:"response_body"`
			ClientIP     string `json:"client_ip"`
		} `json:"request"`
	}
	if err := s.oa.PostJSON(ctx, "/cgi-bin/openapi/rid/get", nil, map[string]string{"rid": rid}, &w); err != nil {
		return nil, err
	}
	r := w.Request
	return &Request{
		InvokeTime: time.Unix(r.InvokeTime, 0), CostInMS: r.CostInMS, ClientIP: r.ClientIP,
		RequestURL: RedactQuery(r.RequestURL), RequestBody: redactBody(r.RequestBody), ResponseBody: redactBody(r.ResponseBody),
	}, nil
}

// RedactQuery hides access_token, secret and appsecret in a query string
// ("access_token=…&openid=…") or a URL, as rid/get's request_url carries them.
// The rest of the text is kept as it is.
func RedactQuery(s string) string {
	return secretParams.ReplaceAllString(s, "${1}REDACTED")
}

// secretParams are credential parameters anywhere in a URL or query string,
// fragment included.
var secretParams = regexp.MustCompile(`(?i)((?:^|[?&#;\s"'])(?:[a-z_]*access_token|secret|appsecret)=)[^&#;\s"']*`)

// secretFields are JSON members whose values are credentials.
var secretFields = regexp.MustCompile(`("(?:access_token|secret|appsecret|authorizer_access_token|component_access_token|refresh_token)"\s*:\s*")(?:[^"\\]|\\.)*"`)

// redactBody hides credentials in a request or response body: JSON members, or
// form fields.
func redactBody(s string) string {
	s = secretFields.ReplaceAllString(s, `${1}REDACTED"`)
	if strings.Contains(s, "=") && !strings.HasPrefix(strings.TrimSpace(s), "{") {
		s = RedactQuery(s)
	}
	return s
}
