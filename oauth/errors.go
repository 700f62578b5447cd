package oauth

import (
	"errors"
	"fmt"

	"github.com/wxkit/wechat"
)

// Errors returned before any request, for callers that branch on them.
var (
	// ErrSnapshotUser: UserInfo on a snapshot-mode user (快照页), whose data is
	// virtual; WeChat answers 48001 anyway.
	ErrSnapshotUser = errors.New("oauth: snapshot-mode user (is_snapshotuser=1): WeChat gives virtual data only; " +
		"the user must tap 使用完整服务 and authorize again")
	// ErrNeedUserInfoScope: UserInfo with a token granted snsapi_base only.
	ErrNeedUserInfoScope = errors.New("oauth: the token was granted snsapi_base; the user's profile needs scope snsapi_userinfo")
	// ErrNoToken: a nil *Token or one without OpenID or AccessToken.
	ErrNoToken = errors.New("oauth: no web token (nil, or without access token or OpenID)")
)

// hints say what happened for the errcodes 网页授权 users meet most.
var hints = map[int]string{
	wechat.CodeInvalidOAuthCode:    "the code is invalid: a code is single-use, lives 5 minutes and belongs to one AppID; start the authorization again",
	wechat.CodeOAuthCodeUsed:       "the code was already exchanged: a reload of the callback page, or a duplicated redirect, reuses it; start the authorization again",
	wechat.CodeOAuthCodeExpired:    "the code expired: it lives 5 minutes; start the authorization again",
	wechat.CodeInvalidRefreshToken: "the refresh token is invalid (it lives 30 days, and WeChat may revoke it earlier): the user must authorize again",
	wechat.CodeRefreshTokenExpired: "the refresh token's 30 days are over: the user must authorize again",
	wechat.CodeUserPasswordChanged: "the user changed their password and WeChat revoked their web tokens: the user must authorize again",
	wechat.CodeAPIUnauthorized:     "this web token may not read the profile: it needs scope snsapi_userinfo and a user who is not in snapshot mode",
	wechat.CodeAccessTokenExpired:  "the web access token expired (2 hours): Refresh it with the refresh token",
	wechat.CodeInvalidCredential:   "the web access token is not valid: Refresh it, or authorize again",
	wechat.CodeInvalidAppSecret:    "WeChat rejected the AppSecret: check it in the Official Account console",
}

// explain wraps a *wechat.Error of the /sns APIs with what it means; errors.As
// and wechat.Code still reach WeChat's errcode.
func explain(err error) error {
	if h, ok := hints[wechat.Code(err)]; ok {
		return fmt.Errorf("oauth: %s: %w", h, err)
	}
	return err
}
