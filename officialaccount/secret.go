package officialaccount

import "github.com/wxkit/wechat/internal/webauth"

// The AppSecret has no public accessor: oauth's code exchange, the one call
// besides the token fetch that needs it, reads it through internal/webauth.
func init() {
	webauth.AppSecret = func(v any) string {
		if oa, ok := v.(*OfficialAccount); ok && oa != nil {
			return oa.secret
		}
		return ""
	}
}
