package user_test

import (
	"slices"
	"testing"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/wechattest"
)

func TestServiceAll(t *testing.T) {
	t.Parallel()
	fake, svc := newService(t)
	want := fake.AddFollowers(25001)
	fake.AddFollower(wechattest.Follower{OpenID: "left"})
	fake.Unfollow("left")

	got, err := collect(t, svc.All(t.Context()))
	if err != nil {
		t.Fatalf("All: %v", err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("All yielded %d OpenIDs, want the %d followers in order", len(got), len(want))
	}
	// Pages of 10,000, 10,000 and 1, then the empty page that ends the list.
	if n := fake.Calls("/cgi-bin/user/get"); n != 4 {
		t.Errorf("All sent %d requests to user/get, want 4", n)
	}
	reqs := fake.Requests("/cgi-bin/user/get")
	if next := reqs[1].Query.Get("next_openid"); next != want[9999] {
		t.Errorf("second page next_openid = %q, want the 10,000th follower %q", next, want[9999])
	}
}

func TestServiceAllBreak(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		stopAfter int // OpenIDs taken before breaking
		wantCalls int
	}{
		{"first", 1, 1},
		{"last of the first page", 10000, 1},
		{"first of the second page", 10001, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake, svc := newService(t)
			ids := fake.AddFollowers(25001)
			n := 0
			for id, err := range svc.All(t.Context()) {
				if err != nil {
					t.Fatal(err)
				}
				if id != ids[n] {
					t.Fatalf("All()[%d] = %q, want %q", n, id, ids[n])
				}
				if n++; n == tt.stopAfter {
					break
				}
			}
			if got := fake.Calls("/cgi-bin/user/get"); got != tt.wantCalls {
				t.Errorf("breaking after %d sent %d requests, want %d", tt.stopAfter, got, tt.wantCalls)
			}
		})
	}
}

func TestServiceAllError(t *testing.T) {
	t.Parallel()
	fake, svc := newService(t)
	fake.AddFollowers(10001)
	n, errs := 0, 0
	for _, err := range svc.All(t.Context()) {
		if err != nil {
			errs++
			if code := wechat.Code(err); code != wechat.CodeDailyQuotaLimit {
				t.Errorf("All error errcode = %d, want %d (err: %v)", code, wechat.CodeDailyQuotaLimit, err)
			}
			continue
		}
		if n++; n == 1 {
			fake.FailNext("/cgi-bin/user/get", 1, wechat.CodeDailyQuotaLimit) // the second page fails
		}
	}
	if n != 10000 || errs != 1 {
		t.Errorf("All yielded %d OpenIDs and %d errors, want 10000 and 1", n, errs)
	}
}

func TestServiceList(t *testing.T) {
	t.Parallel()
	fake, svc := newService(t)
	ids := fake.AddFollowers(3)
	tests := []struct {
		name, next string
		want       []string
		wantNext   string
		wantCode   int
	}{
		{"first page", "", ids, ids[2], 0},
		{"after the first", ids[0], ids[1:], ids[2], 0},
		{"after the last", ids[2], nil, "", 0},
		{"unknown next", "nobody", nil, "", wechat.CodeInvalidOpenID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := svc.List(t.Context(), tt.next)
			if code := wechat.Code(err); code != tt.wantCode {
				t.Fatalf("List(%q) errcode = %d, want %d (err: %v)", tt.next, code, tt.wantCode, err)
			}
			if err != nil {
				return
			}
			if !slices.Equal(p.OpenIDs, tt.want) || p.NextOpenID != tt.wantNext || p.Total != 3 {
				t.Errorf("List(%q) = %+v, want %q next %q total 3", tt.next, p, tt.want, tt.wantNext)
			}
		})
	}
}
