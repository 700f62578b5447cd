package openapi

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/wxkit/wechat/internal/wxhttp"
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
		RequestURL: wxhttp.Redact(r.RequestURL), RequestBody: wxhttp.Redact(r.RequestBody), ResponseBody: wxhttp.Redact(r.ResponseBody),
	}, nil
}
