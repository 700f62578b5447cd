package user_test

import (
	"slices"
	"testing"

	"github.com/wxkit/wechat"
)

func TestServiceBlock(t *testing.T) {
	t.Parallel()
	fake, svc := newService(t)
	ids := fake.AddFollowers(45)
	const block, unblock = "/cgi-bin/tags/members/batchblacklist", "/cgi-bin/tags/members/batchunblacklist"

	if err := svc.Block(t.Context(), ids); err != nil {
		t.Fatalf("Block(45): %v", err)
	}
	if sizes := requestSizes(t, fake, block, "openid_list"); !slices.Equal(sizes, []int{20, 20, 5}) {
		t.Errorf("batchblacklist request sizes = %v, want [20 20 5]", sizes)
	}
	got, err := collect(t, svc.Blacklist().All(t.Context()))
	if err != nil || !slices.Equal(got, ids) {
		t.Fatalf("Blacklist = %v (err %v), want the 45 blocked in order", got, err)
	}
	page, err := svc.Blacklist().List(t.Context(), ids[39])
	if err != nil || !slices.Equal(page.OpenIDs, ids[40:]) || page.Total != 45 {
		t.Errorf("Blacklist().List(after 40th) = %+v (err %v), want the last 5 of 45", page, err)
	}

	if err := svc.Unblock(t.Context(), ids[:25]); err != nil {
		t.Fatalf("Unblock(25): %v", err)
	}
	if sizes := requestSizes(t, fake, unblock, "openid_list"); !slices.Equal(sizes, []int{20, 5}) {
		t.Errorf("batchunblacklist request sizes = %v, want [20 5]", sizes)
	}
	got, _ = collect(t, svc.Blacklist().All(t.Context()))
	if !slices.Equal(got, ids[25:]) {
		t.Errorf("Blacklist after unblocking 25 = %v, want the last 20", got)
	}

	calls := fake.Calls("/cgi-bin/tags/members/getblacklist")
	for range svc.Blacklist().All(t.Context()) {
		break
	}
	if n := fake.Calls("/cgi-bin/tags/members/getblacklist") - calls; n != 1 {
		t.Errorf("breaking at once sent %d requests, want 1", n)
	}
}

func TestServiceBlockErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		openIDs  []string
		unblock  bool
		wantCode int
		wantSent bool
	}{
		{"unknown openid", []string{"nobody"}, false, wechat.CodeInvalidOpenID, true},
		{"unblock unknown openid", []string{"nobody"}, true, wechat.CodeInvalidOpenID, true},
		{"empty openid", []string{""}, false, wechat.CodeNotWeChat, false},
		{"nothing to do", nil, false, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake, svc := newService(t)
			call, path := svc.Block, "/cgi-bin/tags/members/batchblacklist"
			if tt.unblock {
				call, path = svc.Unblock, "/cgi-bin/tags/members/batchunblacklist"
			}
			err := call(t.Context(), tt.openIDs)
			if code := wechat.Code(err); code != tt.wantCode {
				t.Fatalf("errcode = %d, want %d (err: %v)", code, tt.wantCode, err)
			}
			if sent := fake.Calls(path) > 0; sent != tt.wantSent {
				t.Errorf("sent a request: %v, want %v", sent, tt.wantSent)
			}
		})
	}
}

func TestFakeBlacklistLimit(t *testing.T) {
	t.Parallel()
	fake, _ := newService(t)
	oa := fake.Account(t)
	ids := fake.AddFollowers(21)
	err := oa.PostJSON(t.Context(), "/cgi-bin/tags/members/batchblacklist", nil, map[string]any{"openid_list": ids}, nil)
	if code := wechat.Code(err); code != wechat.CodeOpenIDListTooLong {
		t.Errorf("batchblacklist of 21 errcode = %d, want %d", code, wechat.CodeOpenIDListTooLong)
	}
	err = oa.PostJSON(t.Context(), "/cgi-bin/tags/members/batchtagging", nil, map[string]any{"openid_list": append(ids, fake.AddFollowers(30)...), "tagid": 2}, nil)
	if code := wechat.Code(err); code != wechat.CodeOpenIDListTooLong {
		t.Errorf("batchtagging of 51 errcode = %d, want %d", code, wechat.CodeOpenIDListTooLong)
	}
}
