package wechat_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/wxkit/wechat"
)

func TestErrorString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  *wechat.Error
		want string
	}{
		{&wechat.Error{Code: 40003, Message: "invalid openid", API: "/cgi-bin/user/info"}, "wechat: /cgi-bin/user/info: 40003 invalid openid"},
		{&wechat.Error{Code: -1}, "wechat: -1"},
		{&wechat.Error{Code: 40164, Message: "invalid ip 1.2.3.4", API: "/cgi-bin/token"}, "wechat: /cgi-bin/token: 40164 invalid ip 1.2.3.4 (add this server's egress IP"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); !strings.HasPrefix(got, tt.want) {
			t.Errorf("Error() = %q, want prefix %q", got, tt.want)
		}
	}
}

func TestOperatorHints(t *testing.T) {
	t.Parallel()
	for code, want := range map[int]string{
		40164: "allow-list", 61004: "allow-list", 89503: "approve", 89501: "approve",
		89506: "24 hours", 89507: "1 hour", 40243: "unfreeze", 45009: "quota",
	} {
		if got := wechat.Hint(code); !strings.Contains(got, want) {
			t.Errorf("Hint(%d) = %q, want it to mention %q", code, got, want)
		}
	}
	if got := wechat.Hint(40003); got != "" {
		t.Errorf("Hint(40003) = %q, want none", got)
	}
}

func TestCodeAndPredicates(t *testing.T) {
	t.Parallel()
	wrapped := fmt.Errorf("load follower: %w", &wechat.Error{Code: 42001})
	tests := []struct {
		name         string
		err          error
		code         int
		tokenInvalid bool
		operator     bool
	}{
		{"nil", nil, 0, false, false},
		{"plain error", errors.New("dial tcp: refused"), wechat.CodeNotWeChat, false, false},
		{"wrapped 42001", wrapped, 42001, true, false},
		{"40001", &wechat.Error{Code: 40001}, 40001, true, false},
		{"40014", &wechat.Error{Code: 40014}, 40014, true, false},
		{"41001 is not retried", &wechat.Error{Code: 41001}, 41001, false, false},
		{"40164", &wechat.Error{Code: 40164}, 40164, false, true},
		{"89507", &wechat.Error{Code: 89507}, 89507, false, true},
	}
	for _, tt := range tests {
		if got := wechat.Code(tt.err); got != tt.code {
			t.Errorf("%s: Code = %d, want %d", tt.name, got, tt.code)
		}
		if got := wechat.IsTokenInvalid(tt.err); got != tt.tokenInvalid {
			t.Errorf("%s: IsTokenInvalid = %v, want %v", tt.name, got, tt.tokenInvalid)
		}
		if got := wechat.IsOperatorAction(tt.err); got != tt.operator {
			t.Errorf("%s: IsOperatorAction = %v, want %v", tt.name, got, tt.operator)
		}
	}
}

func TestRIDAndTemporary(t *testing.T) {
	t.Parallel()
	e := &wechat.Error{Code: -1, Message: "system error rid: 6571a1b2-3c4d5e6f-7a8b9c0d"}
	if got := e.RID(); got != "6571a1b2-3c4d5e6f-7a8b9c0d" {
		t.Errorf("RID() = %q", got)
	}
	if !e.Temporary() || (&wechat.Error{Code: 40003}).Temporary() {
		t.Error("Temporary(): want true for -1 only")
	}
	if (&wechat.Error{Message: "no rid"}).RID() != "" {
		t.Error("RID() of a message without one is not empty")
	}
}

func ExampleCode() {
	err := fmt.Errorf("load follower: %w", &wechat.Error{Code: wechat.CodeInvalidOpenID, Message: "invalid openid", API: "/cgi-bin/user/info"})
	if wechat.Code(err) == wechat.CodeInvalidOpenID {
		fmt.Println("not a follower:", err)
	}
	// Output: not a follower: load follower: wechat: /cgi-bin/user/info: 40003 invalid openid
}
