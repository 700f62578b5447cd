package user

import (
	"context"
	"fmt"
)

// MaxRemarkBytes bounds a remark: WeChat wants it shorter than 30, and its doc
// revisions disagree on characters or bytes, so wxkit counts UTF-8 bytes.
const MaxRemarkBytes = 29

// UpdateRemark sets the operator's note on the follower openID (设置用户备注名);
// "" clears it. The remark must be shorter than 30 bytes. WeChat allows 10,000
// calls a day and, historically, only to verified service accounts.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/User_Management/Configuring_user_notes.html
func (s *Service) UpdateRemark(ctx context.Context, openID, remark string) error {
	if openID == "" {
		return ErrEmptyOpenID
	}
	if len(remark) > MaxRemarkBytes {
		return fmt.Errorf("user: remark is %d bytes, it must be shorter than 30", len(remark))
	}
	body := struct {
		OpenID string `json:"openid"`
		Remark string `json:"remark"`
	}{openID, remark}
	return s.oa.PostJSON(ctx, "/cgi-bin/user/info/updateremark", nil, body, nil)
}
