package wechattest

import (
	"net/http"

	"github.com/wxkit/wechat"
)

// Paths of the base APIs the fake serves.
const (
	// PathAPIDomainIP is the simplest API that checks the access_token:
	// GET /cgi-bin/get_api_domain_ip answers the IP addresses of WeChat's API servers.
	PathAPIDomainIP = "/cgi-bin/get_api_domain_ip"
	// PathClearQuota resets the account's daily API counters (POST {"appid": …}).
	PathClearQuota = "/cgi-bin/clear_quota"
)

func (s *Server) baseRoutes() {
	s.api(http.MethodGet, PathAPIDomainIP, func(*call) (any, error) {
		return map[string]any{"ip_list": []string{"127.0.0.1"}}, nil
	})
	s.api(http.MethodPost, PathClearQuota, func(c *call) (any, error) {
		var req struct {
			AppID string `json:"appid"`
		}
		if err := c.bind(&req); err != nil {
			return nil, err
		}
		if req.AppID != s.appID {
			return nil, apiError(wechat.CodeInvalidAppID, "invalid appid")
		}
		if err := s.clearAll(c.now); err != nil { // 10 a month, shared with v2 (quota.go)
			return nil, err
		}
		return ok(), nil
	})
}
