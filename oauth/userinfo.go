package oauth

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// UserInfo is a user's profile as /sns/userinfo gives it (拉取用户信息). Since
// 2021-10-20 WeChat sends Sex as 0 and the region fields empty.
type UserInfo struct {
	OpenID     string   `json:"openid"`
	Nickname   string   `json:"nickname"`
	Sex        int      `json:"sex"`      // 0: no longer provided
	Province   string   `json:"province"` // no longer provided
	City       string   `json:"city"`     // no longer provided
	Country    string   `json:"country"`  // no longer provided
	HeadImgURL string   `json:"headimgurl"`
	Privilege  []string `json:"privilege"`
	UnionID    string   `json:"unionid,omitempty"`
}

// Avatar returns HeadImgURL at another size: 0 (640×640), 46, 64, 96 or 132
// pixels square, the sizes WeChat's avatar URLs offer (the last path segment).
// It returns "" when there is no avatar or size is not one of those.
func (u *UserInfo) Avatar(size int) string {
	switch size {
	case 0, 46, 64, 96, 132:
	default:
		return ""
	}
	i := strings.LastIndexByte(u.HeadImgURL, '/')
	if i < 0 {
		return ""
	}
	return u.HeadImgURL[:i+1] + strconv.Itoa(size)
}

// The languages /sns/userinfo takes.
var langs = map[string]bool{"": true, "zh_CN": true, "zh_TW": true, "en": true}

// UserInfo reads the profile of the user of tok: nickname and avatar, the only
// official source of both since 2021-12-27. tok must have been granted
// ScopeUserInfo and must not be a snapshot user's: both fail here, without a
// request (ErrNeedUserInfoScope, ErrSnapshotUser). lang is "" (WeChat's default,
// zh_CN), "zh_CN", "zh_TW" or "en".
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/webdev/access/api_snsuserinfo.html
func (s *Service) UserInfo(ctx context.Context, tok *Token, lang string) (*UserInfo, error) {
	switch {
	case tok == nil || tok.AccessToken == "" || tok.OpenID == "":
		return nil, ErrNoToken
	case tok.IsSnapshotUser:
		return nil, ErrSnapshotUser
	case !tok.Has(ScopeUserInfo):
		return nil, ErrNeedUserInfoScope
	case !langs[lang]:
		return nil, fmt.Errorf("oauth: lang must be zh_CN, zh_TW or en (or empty for zh_CN), got %q", lang)
	}
	q := url.Values{"access_token": {tok.AccessToken}, "openid": {tok.OpenID}}
	if lang != "" {
		q.Set("lang", lang)
	}
	var info UserInfo
	if err := s.get(ctx, pathUserInfo, q, &info); err != nil {
		return nil, err
	}
	return &info, nil
}

// Check asks WeChat whether tok's access token is still good for its OpenID
// (检验授权凭证): nil when it is, a *wechat.Error otherwise.
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/webdev/access/api_snsauth.html
func (s *Service) Check(ctx context.Context, tok *Token) error {
	if tok == nil || tok.AccessToken == "" || tok.OpenID == "" {
		return ErrNoToken
	}
	return s.get(ctx, pathAuth, url.Values{"access_token": {tok.AccessToken}, "openid": {tok.OpenID}}, nil)
}
