package wechattest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/wxkit/wechat"
)

// Paths of the OpenAPI management and network-check APIs (接口管理, 网络检测) the
// fake serves, beside PathClearQuota and PathAPIDomainIP (base.go).
const (
	PathClearQuotaV2  = "/cgi-bin/clear_quota/v2"
	PathQuotaGet      = "/cgi-bin/openapi/quota/get"
	PathQuotaClear    = "/cgi-bin/openapi/quota/clear"
	PathRIDGet        = "/cgi-bin/openapi/rid/get"
	PathCallbackIP    = "/cgi-bin/getcallbackip"
	PathCallbackCheck = "/cgi-bin/callback/check"
)

// Reset limits (publishing.md §5): clear_quota and clear_quota/v2 share 10 a
// month; openapi/quota/clear allows 50. Rids are kept 7 days.
const (
	clearQuotaMonth = 10
	clearPathMonth  = 50
	ridLifetime     = 7 * 24 * time.Hour
)

type quotaState struct {
	month      string // Beijing month the counts below are of
	clears     int
	pathClears int
}

// ridRecord is what rid/get reports about an error reply.
type ridRecord struct {
	at       time.Time
	query    string // as received, access_token included, as WeChat echoes it
	body     string
	response string
}

func (s *Server) quotaRoutes() {
	s.route(http.MethodPost, PathClearQuotaV2, false, s.clearQuotaV2)
	s.api(http.MethodPost, PathQuotaGet, s.quotaGet)
	s.api(http.MethodPost, PathQuotaClear, s.quotaClear)
	s.api(http.MethodPost, PathRIDGet, s.ridGet)
	s.api(http.MethodGet, PathCallbackIP, func(*call) (any, error) {
		return map[string]any{"ip_list": []string{"127.0.0.1"}}, nil
	})
	s.api(http.MethodPost, PathCallbackCheck, s.callbackCheck)
}

// newRID is a request id shaped like WeChat's: three groups of 8 hex digits.
func newRID() string { return randomHex(4) + "-" + randomHex(4) + "-" + randomHex(4) }

var ridPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$`)

// noteRID keeps what rid/get reports about an error reply; s.mu is held.
func (s *Server) noteRID(reply map[string]any, r *http.Request, body []byte, now time.Time) {
	msg, _ := reply["errmsg"].(string)
	_, rid, ok := strings.Cut(msg, " rid: ")
	if !ok {
		return
	}
	resp, _ := json.Marshal(reply)
	s.content.rids[rid] = ridRecord{at: now, query: r.URL.RawQuery, body: string(body), response: string(resp)}
}

// countClear counts one reset against a monthly limit: 48006 past it.
func (s *Server) countClear(now time.Time, n *int, limit int) error {
	st := &s.content.quotas
	if month := now.In(beijing).Format("2006-01"); month != st.month {
		st.month, st.clears, st.pathClears = month, 0, 0
	}
	if *n >= limit {
		return apiError(wechat.CodeClearQuotaLimit, "forbid to clear quota because of reaching the limit")
	}
	*n++
	return nil
}

// ClearQuotaCount returns how many account-wide quota resets (clear_quota and
// clear_quota/v2) the platform has counted this month; WeChat allows 10.
func (s *Server) ClearQuotaCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.content.quotas.clears
}

// clearAll is clear_quota's reset, shared with v2.
func (s *Server) clearAll(now time.Time) error {
	if err := s.countClear(now, &s.content.quotas.clears, clearQuotaMonth); err != nil {
		return err
	}
	s.used = map[string]int{}
	return nil
}

func (s *Server) clearQuotaV2(c *call) (any, error) {
	// The doc's table calls appid and appsecret body fields, its example puts
	// them in the query: the fake takes either.
	appID, secret := c.query.Get("appid"), c.query.Get("appsecret")
	var body struct {
		AppID     string `json:"appid"`
		AppSecret string `json:"appsecret"`
	}
	if len(c.body) > 0 && json.Unmarshal(c.body, &body) == nil && appID == "" {
		appID, secret = body.AppID, body.AppSecret
	}
	switch {
	case appID == "":
		return nil, apiError(wechat.CodeAppIDMissing, "appid missing")
	case secret == "":
		return nil, apiError(wechat.CodeSecretMissing, "appsecret missing")
	case appID != s.appID:
		return nil, apiError(wechat.CodeInvalidAppID, "invalid appid")
	case secret != s.secret:
		return nil, apiError(wechat.CodeInvalidAppSecret, "invalid appsecret")
	}
	if err := s.clearAll(c.now); err != nil {
		return nil, err
	}
	return ok(), nil
}

// cgiPath reads and checks the body's cgi_path: 76003 without a leading "/",
// 76022 for /sns/ paths, 76021 for paths the platform does not serve.
func (s *Server) cgiPath(c *call) (string, error) {
	var req struct {
		CGIPath string `json:"cgi_path"`
	}
	if err := c.bind(&req); err != nil {
		return "", err
	}
	p := req.CGIPath
	switch {
	case !strings.HasPrefix(p, "/"):
		return "", apiError(wechat.CodeRIDOtherAccount, "cgi_path must start with / and carry no host")
	case strings.HasPrefix(p, "/sns/"):
		return "", apiError(wechat.CodeQuotaPathNotAllowed, "cgi_path not permitted")
	}
	if _, pattern := s.mux.Handler(&http.Request{Method: http.MethodPost, URL: &url.URL{Path: p}}); pattern != p {
		return "", apiError(wechat.CodeQuotaPathNotFound, "cgi_path not found")
	}
	return p, nil
}

func (s *Server) quotaGet(c *call) (any, error) {
	p, err := s.cgiPath(c)
	if err != nil {
		return nil, err
	}
	used := s.used[p]
	if s.usedDay != c.now.In(beijing).Format(time.DateOnly) {
		used = 0 // a new day; countQuota resets the map on the next call
	}
	// A path without a limit (SetQuota) reports daily_limit 0: the fake does not
	// limit it.
	limit := s.quota[p]
	return map[string]any{
		"errcode": 0, "errmsg": "ok",
		"quota":      map[string]any{"daily_limit": limit, "used": used, "remain": max(limit-used, 0)},
		"rate_limit": map[string]any{"call_count": 0, "refresh_second": 0},
	}, nil
}

func (s *Server) quotaClear(c *call) (any, error) {
	p, err := s.cgiPath(c)
	if err != nil {
		return nil, err
	}
	if err := s.countClear(c.now, &s.content.quotas.pathClears, clearPathMonth); err != nil {
		return nil, err
	}
	delete(s.used, p)
	return ok(), nil
}

func (s *Server) ridGet(c *call) (any, error) {
	var req struct {
		RID string `json:"rid"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	if !ridPattern.MatchString(req.RID) {
		return nil, apiError(wechat.CodeRIDMalformed, "rid is empty or malformed")
	}
	r, ok := s.content.rids[req.RID]
	switch {
	case !ok:
		return nil, apiError(wechat.CodeRIDNotFound, "rid not found")
	case c.now.Sub(r.at) >= ridLifetime:
		return nil, apiError(wechat.CodeRIDExpired, "rid expired")
	}
	return map[string]any{"errcode": 0, "errmsg": "ok", "request": map[string]any{
		"invoke_time": r.at.Unix(), "cost_in_ms": 1, "request_url": r.query,
		"request_body": r.body, "response_body": r.response, "client_ip": "127.0.0.1",
	}}, nil
}

func (s *Server) callbackCheck(c *call) (any, error) {
	var req struct {
		Action        string `json:"action"`
		CheckOperator string `json:"check_operator"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	switch {
	case s.content.webhook == nil:
		return nil, apiError(wechat.CodeCallbackURLMissing, "no callback url: register one with SetWebhook")
	case req.Action != "dns" && req.Action != "ping" && req.Action != "all":
		return nil, apiError(wechat.CodeCallbackBadAction, "invalid action")
	case !slices.Contains([]string{"CHINANET", "UNICOM", "CAP", "DEFAULT"}, req.CheckOperator):
		return nil, apiError(wechat.CodeCallbackBadOperator, "invalid check_operator")
	}
	op := req.CheckOperator
	if op == "DEFAULT" {
		op = "UNICOM"
	}
	reply := map[string]any{"errcode": 0, "errmsg": "ok", "dns": []any{}, "ping": []any{}}
	if req.Action != "ping" {
		reply["dns"] = []any{map[string]any{"ip": "127.0.0.1", "real_operator": op}}
	}
	if req.Action != "dns" {
		reply["ping"] = []any{map[string]any{"ip": "127.0.0.1", "from_operator": op, "package_loss": "0%", "time": "0.050ms"}}
	}
	return reply, nil
}
