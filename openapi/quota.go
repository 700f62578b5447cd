package openapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/wxkit/wechat/internal/account"
	"github.com/wxkit/wechat/internal/wxhttp"
	"github.com/wxkit/wechat/officialaccount"
)

// Service calls the OpenAPI management and network-check APIs. It is safe for
// concurrent use.
type Service struct {
	oa *officialaccount.OfficialAccount
}

// New returns the operator tools of oa.
func New(oa *officialaccount.OfficialAccount) *Service { return &Service{oa: oa} }

// Quota is an API's daily quota and rate limit.
type Quota struct {
	DailyLimit int `json:"daily_limit"`
	Used       int `json:"used"`
	Remain     int `json:"remain"`
	// RateLimit is the API's own frequency limit, ComponentRateLimit the one a
	// third-party platform calling for the account gets.
	RateLimit          RateLimit `json:"-"`
	ComponentRateLimit RateLimit `json:"-"`
}

// RateLimit allows CallCount calls every RefreshSecond seconds.
type RateLimit struct {
	CallCount     int `json:"call_count"`
	RefreshSecond int `json:"refresh_second"`
}

// checkPath refuses what quota/get would refuse with 76003: the path must start
// with "/" and carry no host or query.
func checkPath(cgiPath string) error {
	if !strings.HasPrefix(cgiPath, "/") || strings.HasPrefix(cgiPath, "//") || strings.ContainsAny(cgiPath, "?#") {
		return fmt.Errorf("openapi: API path %q must start with / and carry no host or query, such as /cgi-bin/message/custom/send", cgiPath)
	}
	return nil
}

// Quota returns the daily quota of the API cgiPath, such as
// "/cgi-bin/message/custom/send" (查询API调用额度). 76021: WeChat does not know
// the path; 76022: not for this account (every /sns/ path).
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/apimanage/api_getapiquota.html
func (s *Service) Quota(ctx context.Context, cgiPath string) (*Quota, error) {
	if err := checkPath(cgiPath); err != nil {
		return nil, err
	}
	var w struct {
		Quota              Quota     `json:"quota"`
		RateLimit          RateLimit `json:"rate_limit"`
		ComponentRateLimit RateLimit `json:"component_rate_limit"`
	}
	if err := s.oa.PostJSON(ctx, "/cgi-bin/openapi/quota/get", nil, map[string]string{"cgi_path": cgiPath}, &w); err != nil {
		return nil, err
	}
	q := w.Quota
	q.RateLimit, q.ComponentRateLimit = w.RateLimit, w.ComponentRateLimit
	return &q, nil
}

// ClearAPIQuota resets today's count of the one API cgiPath (重置指定API调用次数);
// 50 a month. The page's field rule asks for a /channels/ec/ path while its
// text says it works for Official Account paths: wxkit sends any path.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/apimanage/api_clearapiquota.html
func (s *Service) ClearAPIQuota(ctx context.Context, cgiPath string) error {
	if err := checkPath(cgiPath); err != nil {
		return err
	}
	return s.oa.PostJSON(ctx, "/cgi-bin/openapi/quota/clear", nil, map[string]string{"cgi_path": cgiPath}, nil)
}

// ClearQuota resets today's counts of every API of the account (重置API调用次数).
// WeChat allows 10 a month, web console and ClearQuotaWithSecret included;
// past them it answers 48006.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/apimanage/api_clearquota.html
func (s *Service) ClearQuota(ctx context.Context) error {
	return s.oa.PostJSON(ctx, "/cgi-bin/clear_quota", nil, map[string]string{"appid": s.oa.AppID()}, nil)
}

// ErrNoSecret is returned by ClearQuotaWithSecret when the shared context was
// built without an AppSecret (Config.Credential only).
var ErrNoSecret = errors.New("openapi: clear_quota/v2 needs the AppSecret, and this account was built without one (Config.Credential only); call it where Config.AppSecret is set, such as on the token server")

// ClearQuotaWithSecret is ClearQuota for when no access_token can be had, the
// token API's own quota being used up: it authenticates with the AppID and
// AppSecret instead (使用AppSecret重置API调用次数, clear_quota/v2). Same 10 a month. Not for third-party
// platforms. The AppSecret travels in the query, as WeChat's example shows
// (its table calls them body fields); it never reaches an error or a log.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/apimanage/api_clearquotabyappsecret.html
func (s *Service) ClearQuotaWithSecret(ctx context.Context) error {
	const path = "/cgi-bin/clear_quota/v2"
	secret := account.Of(s.oa).AppSecret
	if secret == "" {
		return ErrNoSecret
	}
	q := url.Values{"appid": {s.oa.AppID()}, "appsecret": {secret}}
	req, err := wxhttp.NewRequest(ctx, http.MethodPost, s.oa.BaseURL(), path, q, nil) // the URL holds the secret
	if err != nil {
		return err
	}
	_, err = wxhttp.Do(s.oa.HTTPClient(), req, path)
	return err
}
