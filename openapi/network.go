package openapi

import (
	"context"
	"fmt"
)

// APIDomainIPs returns the egress IPs of api.weixin.qq.com (获取微信API接口IP地址),
// for firewalls. They change: fetch them daily rather than pinning old ones.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/base/api_getapidomainip.html
func (s *Service) APIDomainIPs(ctx context.Context) ([]string, error) {
	return s.ipList(ctx, "/cgi-bin/get_api_domain_ip")
}

// CallbackIPs returns the IPs WeChat pushes to the webhook from
// (获取微信推送服务器IP地址), for an allow-list in front of it.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/base/api_getcallbackip.html
func (s *Service) CallbackIPs(ctx context.Context) ([]string, error) {
	return s.ipList(ctx, "/cgi-bin/getcallbackip")
}

func (s *Service) ipList(ctx context.Context, path string) ([]string, error) {
	var w struct {
		IPList []string `json:"ip_list"`
	}
	if err := s.oa.GetJSON(ctx, path, nil, &w); err != nil {
		return nil, err
	}
	return w.IPList, nil
}

// CheckAction is what CheckCallback checks.
type CheckAction string

const (
	CheckDNS  CheckAction = "dns"  // resolve the webhook's domain
	CheckPing CheckAction = "ping" // ping it
	CheckAll  CheckAction = "all"  // both
)

// Operator is a carrier WeChat checks from.
type Operator string

const (
	OperatorDefault  Operator = "DEFAULT" // chosen by the webhook's IP
	OperatorChinaNet Operator = "CHINANET"
	OperatorUnicom   Operator = "UNICOM"
	OperatorCAP      Operator = "CAP" // 腾讯自建
)

// CheckResult is what CheckCallback found.
type CheckResult struct {
	DNS []struct {
		IP           string `json:"ip"`
		RealOperator string `json:"real_operator"`
	} `json:"dns"`
	Ping []struct {
		IP           string `json:"ip"`
		FromOperator string `json:"from_operator"`
		PackageLoss  string `json:"package_loss"` // "0%" or "100%": one ping
		Time         string `json:"time"`         // such as "23.079ms"
	} `json:"ping"`
}

// CheckCallback has WeChat resolve or ping the webhook's domain from operator's
// network (网络检测), to tell a network problem from a code one. 40201: no
// webhook URL is configured.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/base/api_callbackcheck.html
func (s *Service) CheckCallback(ctx context.Context, action CheckAction, operator Operator) (*CheckResult, error) {
	switch {
	case action != CheckDNS && action != CheckPing && action != CheckAll:
		return nil, fmt.Errorf("openapi: check action %q: use dns, ping or all", action)
	case operator != OperatorDefault && operator != OperatorChinaNet && operator != OperatorUnicom && operator != OperatorCAP:
		return nil, fmt.Errorf("openapi: operator %q: use DEFAULT, CHINANET, UNICOM or CAP", operator)
	}
	var r CheckResult
	body := map[string]string{"action": string(action), "check_operator": string(operator)}
	if err := s.oa.PostJSON(ctx, "/cgi-bin/callback/check", nil, body, &r); err != nil {
		return nil, err
	}
	return &r, nil
}
