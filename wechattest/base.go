package wechattest

import "net/http"

// PathAPIDomainIP is the simplest API that checks the access_token:
// GET /cgi-bin/get_api_domain_ip answers the IP addresses of WeChat's API servers.
const PathAPIDomainIP = "/cgi-bin/get_api_domain_ip"

func (s *Server) baseRoutes() {
	s.api(http.MethodGet, PathAPIDomainIP, func(*call) (any, error) {
		return map[string]any{"ip_list": []string{"127.0.0.1"}}, nil
	})
}
