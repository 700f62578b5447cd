package user_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/wechattest"
)

func TestServiceUpdateRemark(t *testing.T) {
	t.Parallel()
	const path = "/cgi-bin/user/info/updateremark"
	tests := []struct {
		name, openID, remark string
		wantCode             int
		wantSent             bool
	}{
		{"plain", "o1", "pangzi", 0, true},
		{"html is not escaped", "o1", "<b>&</b>", 0, true},
		{"29 bytes", "o1", strings.Repeat("a", 29), 0, true},
		{"clear", "o1", "", 0, true},
		{"30 bytes", "o1", strings.Repeat("a", 30), wechat.CodeNotWeChat, false},
		{"10 Chinese characters are 30 bytes", "o1", strings.Repeat("胖", 10), wechat.CodeNotWeChat, false},
		{"unknown openid", "nobody", "x", wechat.CodeInvalidOpenID, true},
		{"empty openid", "", "x", wechat.CodeNotWeChat, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake, svc := newService(t)
			fake.AddFollower(wechattest.Follower{OpenID: "o1", Remark: "before"})
			err := svc.UpdateRemark(t.Context(), tt.openID, tt.remark)
			if code := wechat.Code(err); code != tt.wantCode {
				t.Fatalf("UpdateRemark(%q, %q) errcode = %d, want %d (err: %v)", tt.openID, tt.remark, code, tt.wantCode, err)
			}
			if sent := fake.Calls(path) > 0; sent != tt.wantSent {
				t.Fatalf("UpdateRemark sent a request: %v, want %v", sent, tt.wantSent)
			}
			if err != nil {
				return
			}
			if body := fake.Requests(path)[0].Body; !bytes.Contains(body, []byte(`"remark":"`+tt.remark+`"`)) {
				t.Errorf("body = %s, want the remark unescaped", body)
			}
			info, err := svc.Info(t.Context(), "o1")
			if err != nil || info.Remark != tt.remark {
				t.Errorf("Info after UpdateRemark: remark %q (err %v), want %q", info.Remark, err, tt.remark)
			}
		})
	}
}
