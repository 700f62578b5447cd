package officialaccount

import "github.com/wxkit/wechat/internal/accountsecret"

// The AppSecret reaches the module's own packages that must send it (openapi's
// clear_quota/v2) through internal/accountsecret, never through a public method.
func init() {
	accountsecret.Of = func(v any) string {
		if oa, ok := v.(*OfficialAccount); ok && oa != nil && oa.secret != nil {
			return *oa.secret
		}
		return ""
	}
}
