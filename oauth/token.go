package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/wxkit/wechat/internal/account"
	"github.com/wxkit/wechat/internal/webauth"
)

// Paths of the /sns APIs (on the account's API host, like every other call).
const (
	pathAccessToken  = webauth.PathAccessToken // the code exchange
	pathRefreshToken = "/sns/oauth2/refresh_token"
	pathUserInfo     = "/sns/userinfo"
	pathAuth         = "/sns/auth"
)

// Token is a web authorization token (网页授权 access_token): user-scoped, unrelated
// to the account's access_token, good only for the /sns APIs. Keep it server-side
// (a session), never in the page: it and RefreshToken are credentials.
type Token struct {
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token"` // lives 30 days; see Refresh
	OpenID       string    `json:"openid"`        // the user, for this account; followers or not
	UnionID      string    `json:"unionid,omitempty"`
	Scope        string    `json:"scope"`      // as WeChat sends it: comma-separated scopes
	ExpiresAt    time.Time `json:"expires_at"` // of AccessToken
	// IsSnapshotUser is set for a user of snapshot mode (快照页, is_snapshotuser=1):
	// OpenID and UnionID are virtual, so never bind them to a real account.
	IsSnapshotUser bool `json:"is_snapshot_user,omitempty"`
}

// Has reports whether the token was granted scope.
func (t *Token) Has(scope Scope) bool {
	for _, s := range strings.Split(t.Scope, ",") {
		if strings.TrimSpace(s) == string(scope) {
			return true
		}
	}
	return false
}

// Valid reports whether the access token has not expired at now.
func (t *Token) Valid(now time.Time) bool { return t.AccessToken != "" && now.Before(t.ExpiresAt) }

// tokenReply is WeChat's answer to the exchange and the refresh.
type tokenReply struct {
	AccessToken    string `json:"access_token"`
	ExpiresIn      int64  `json:"expires_in"`
	RefreshToken   string `json:"refresh_token"`
	OpenID         string `json:"openid"`
	Scope          string `json:"scope"`
	UnionID        string `json:"unionid"`
	IsSnapshotUser int    `json:"is_snapshotuser"`
}

// ErrEmptyCode is returned by Exchange for an empty code, before any request.
var ErrEmptyCode = errors.New("oauth: empty code")

// Exchange trades the code WeChat passed to the callback for a web token
// (通过code换取网页授权access_token). A code is single-use and lives 5 minutes;
// the call is sent once, never retried (a retry of a request that reached WeChat
// would only earn 40163). Errors of the code (40029, 40163) say so.
//
// With WithTokenServer the exchange goes through the central token server;
// otherwise the AppSecret travels in the query string, as WeChat wants it, and
// is redacted from every error.
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/webdev/access/api_snsaccesstoken.html
func (s *Service) Exchange(ctx context.Context, code string) (*Token, error) {
	if code == "" {
		return nil, ErrEmptyCode
	}
	var (
		r   tokenReply
		err error
	)
	if s.exchanger != nil {
		err = exchangeAtServer(ctx, s.exchanger, code, &r)
	} else {
		secret := account.Of(s.oa).AppSecret // checked by New
		err = webauth.ExchangeCodeInto(ctx, s.oa.HTTPClient(), s.oa.BaseURL(), s.oa.AppID(), secret, code, &r)
	}
	if err != nil {
		return nil, explain(err)
	}
	return s.token(pathAccessToken, &r)
}

// Refresh gets a new web access token with refreshToken (a Token's RefreshToken)
// (刷新access_token). The refresh token lives 30 days (WeChat sometimes revokes
// it earlier, 40030); after that the user must authorize again. No AppSecret is
// needed. The result is a new *Token.
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/webdev/access/api_snsrefreshtoken.html
func (s *Service) Refresh(ctx context.Context, refreshToken string) (*Token, error) {
	if refreshToken == "" {
		return nil, errors.New("oauth: empty refresh token")
	}
	q := url.Values{"appid": {s.oa.AppID()}, "grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}
	var r tokenReply
	if err := s.get(ctx, pathRefreshToken, q, &r); err != nil {
		return nil, err
	}
	return s.token(pathRefreshToken, &r)
}

func (s *Service) token(api string, r *tokenReply) (*Token, error) {
	if r.AccessToken == "" || r.OpenID == "" || r.ExpiresIn <= 0 {
		return nil, fmt.Errorf("wechat: %s: reply has no access_token, openid or expires_in", api)
	}
	return &Token{
		AccessToken: r.AccessToken, RefreshToken: r.RefreshToken, OpenID: r.OpenID, UnionID: r.UnionID,
		Scope: r.Scope, ExpiresAt: s.now().Add(time.Duration(r.ExpiresIn) * time.Second),
		IsSnapshotUser: r.IsSnapshotUser == 1,
	}, nil
}

// get calls a /sns API on the account's API host (no account access_token: the
// query carries what the call needs) and decodes the reply into out once (nil
// to only check it), with hints on the errors.
func (s *Service) get(ctx context.Context, api string, q url.Values, out any) error {
	return explain(webauth.Get(ctx, s.oa.HTTPClient(), s.oa.BaseURL(), api, q, out))
}
