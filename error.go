package wechat

import (
	"errors"
	"strconv"
	"strings"
)

// Error is a non-zero errcode returned by a WeChat API. Callers inspect it with
// errors.As or with [Code]:
//
//	var we *wechat.Error
//	if errors.As(err, &we) && we.Code == wechat.CodeInvalidOpenID { ... }
type Error struct {
	Code    int    // WeChat's errcode
	Message string // WeChat's errmsg, as sent (often ends in " rid: …")
	API     string // the path called, such as "/cgi-bin/user/info"; never a query string
}

// Error reads like "wechat: /cgi-bin/user/info: 40003 invalid openid". For codes an
// operator must act on (IP allow-list, administrator confirmation) it ends with what
// to do.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("wechat: ")
	if e.API != "" {
		b.WriteString(e.API)
		b.WriteString(": ")
	}
	b.WriteString(strconv.Itoa(e.Code))
	if e.Message != "" {
		b.WriteByte(' ')
		b.WriteString(e.Message)
	}
	if hint := Hint(e.Code); hint != "" {
		b.WriteString(" (")
		b.WriteString(hint)
		b.WriteByte(')')
	}
	return b.String()
}

// RID returns the request id WeChat appends to errmsg (" rid: xxxx-xxxx-xxxx"), or ""
// when there is none. WeChat support and /cgi-bin/openapi/rid/get take it.
func (e *Error) RID() string {
	_, rid, ok := strings.Cut(e.Message, "rid: ")
	if !ok {
		return ""
	}
	return strings.TrimSpace(rid)
}

// Temporary reports whether the same call may succeed if retried after a pause:
// -1 (system busy) and 45011 (per-minute limit).
func (e *Error) Temporary() bool {
	return e.Code == CodeSystemBusy || e.Code == CodeMinuteQuotaLimit
}

// Code returns the errcode of the first *Error in err's chain, 0 when err is nil,
// and -2 ([CodeNotWeChat]) when err is some other error (transport, decoding, …).
func Code(err error) int {
	if err == nil {
		return 0
	}
	var we *Error
	if errors.As(err, &we) {
		return we.Code
	}
	return CodeNotWeChat
}

// IsTokenInvalid reports whether err says the access_token used is no longer good
// (40001, 40014 or 42001): refresh it once and retry the call once.
func IsTokenInvalid(err error) bool {
	switch Code(err) {
	case CodeInvalidCredential, CodeInvalidAccessToken, CodeAccessTokenExpired:
		return true
	}
	return false
}

// IsOperatorAction reports whether err is a credential problem that only a person
// can fix (IP allow-list, administrator confirmation, frozen or wrong secret).
// Retrying such a call in a loop never helps and may make it worse.
func IsOperatorAction(err error) bool {
	switch Code(err) {
	case CodeIPNotInWhitelist, CodeIPNotInWhitelistLegacy,
		CodeIPAwaitingConfirmation, CodeIPNeedsConfirmation,
		CodeIPRejected24h, CodeIPRejected1h,
		CodeAppSecretFrozen, CodeTokenAPIForbidden, CodeAccountFrozen,
		CodeInvalidAppID, CodeInvalidAppSecret, CodeInvalidGrantType,
		CodeAppIDMissing, CodeSecretMissing:
		return true
	}
	return false
}

// Hint returns what an operator must do about code, or "" when the code needs no
// action from a person.
func Hint(code int) string {
	switch code {
	case CodeIPNotInWhitelist, CodeIPNotInWhitelistLegacy:
		return "add this server's egress IP (errmsg shows the one WeChat saw) to the API IP allow-list in the Official Account console, then retry"
	case CodeIPNeedsConfirmation:
		return "a confirmation request was sent to the account administrator; ask them to approve this IP, then retry"
	case CodeIPAwaitingConfirmation:
		return "this IP is waiting for the account administrator's confirmation; ask them to approve it, then retry"
	case CodeIPRejected1h:
		return "the administrator rejected this IP; it is blocked for 1 hour, do not retry before then"
	case CodeIPRejected24h:
		return "the administrator rejected this IP twice; it is blocked for 24 hours, do not retry before then"
	case CodeAppSecretFrozen:
		return "the AppSecret is frozen; unfreeze it in the Official Account console"
	case CodeDailyQuotaLimit:
		return "the daily quota of this API is used up; wait until midnight (Beijing time) or reset it with clear_quota"
	}
	return ""
}
