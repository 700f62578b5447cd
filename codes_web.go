package wechat

// Errcodes of the web side: 网页授权 (OAuth2), parametric QR codes and short keys
// (see shared spec web.md). The comment gives WeChat's meaning.
const (
	// Web authorization: the code exchange and the refresh.
	CodeInvalidOAuthCode    = 40029 // invalid code: expired, already used, or issued to another AppID
	CodeInvalidRefreshToken = 40030 // invalid refresh_token
	CodeOAuthCodeUsed       = 40163 // code been used: a reload of the callback page reuses the code
	CodeRefreshTokenMissing = 41003
	CodeOAuthCodeMissing    = 41008
	CodeOpenIDMissing       = 41009
	CodeRefreshTokenExpired = 42002 // the refresh_token's 30 days are over: authorize again
	CodeOAuthCodeExpired    = 42003 // the code's 5 minutes are over
	CodeUserPasswordChanged = 42007 // the user changed the password: web tokens were revoked
	// /sns/userinfo with an snsapi_base token answers CodeAPIUnauthorized (48001).

	// Errors WeChat shows on its authorize page (never sent to redirect_uri).
	CodeAuthorizeDomainMismatch = 10003 // redirect_uri's host is not the 网页授权域名 (or has a port)
	CodeAuthorizeAccountBanned  = 10004
	CodeAuthorizeNoScope        = 10005 // the account may not use this scope (unverified, 订阅号)
	CodeAuthorizeMustFollow     = 10006 // test accounts: the user must follow first
	CodeAuthorizeTooFrequent    = 10009
	CodeAuthorizeScopeEmpty     = 10010
	CodeAuthorizeRedirectEmpty  = 10011
	CodeAuthorizeAppIDEmpty     = 10012
	CodeAuthorizeStateEmpty     = 10013
	CodeAuthorizeNoComponent    = 10015 // the account has not authorized the third-party platform
	CodeAuthorizeOpenPlatform   = 10016 // an Open Platform AppID: use the Official Account's

	// Parametric QR codes (带参数二维码) and short keys (短key托管).
	CodeInvalidActionName     = 40052 // qrcode/create: unknown action_name
	CodeInvalidActionInfo     = 40053 // qrcode/create: bad action_info (scene)
	CodeShortDataTooLong      = 9410010
	CodeShortKeyExpireTooLong = 9410011
	CodeShortKeyNotFound      = 9410012 // missing, expired, or another account's
)
