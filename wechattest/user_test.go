package wechattest

import (
	"net/url"
	"slices"
	"testing"

	"github.com/wxkit/wechat/officialaccount"
)

// TestFollowerListPaging checks user/get's paging against WeChat's documented
// shape: pages of 10,000, next_openid the last OpenID of a page, and an empty page
// with next_openid "" after the last.
func TestFollowerListPaging(t *testing.T) {
	t.Parallel()
	fake := NewServer()
	t.Cleanup(fake.Close)
	ids := fake.AddFollowers(10001)
	if ids[0] != "o_wxkit_fake_000000000000001" || len(ids[10000]) != 28 {
		t.Errorf("AddFollowers OpenIDs = %q … %q, want deterministic 28-character ids", ids[0], ids[10000])
	}
	fake.Unfollow(ids[5])
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		t.Fatal(err)
	}
	type page struct {
		Total int `json:"total"`
		Count int `json:"count"`
		Data  *struct {
			OpenID []string `json:"openid"`
		} `json:"data"`
		NextOpenID string `json:"next_openid"`
	}
	want := slices.Delete(slices.Clone(ids), 5, 6)
	tests := []struct {
		name, next string
		wantIDs    []string
		wantNext   string
	}{
		{"first", "", want[:10000], want[9999]},
		{"second", want[9999], nil, ""},
	}
	for _, tt := range tests {
		var p page
		if err := oa.GetJSON(t.Context(), "/cgi-bin/user/get", url.Values{"next_openid": {tt.next}}, &p); err != nil {
			t.Fatalf("%s page: %v", tt.name, err)
		}
		var got []string
		if p.Data != nil {
			got = p.Data.OpenID
		}
		if p.Total != 10000 || p.Count != len(tt.wantIDs) || !slices.Equal(got, tt.wantIDs) || p.NextOpenID != tt.wantNext {
			t.Errorf("%s page: total %d count %d, %d ids, next %q; want total 10000, %d ids, next %q",
				tt.name, p.Total, p.Count, len(got), p.NextOpenID, len(tt.wantIDs), tt.wantNext)
		}
		if tt.wantIDs == nil && p.Data != nil {
			t.Errorf("%s page has data %v, want none", tt.name, p.Data)
		}
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if !fake.isFollower(ids[0]) || fake.isFollower(ids[5]) || fake.isFollower("nobody") {
		t.Error("isFollower disagrees with AddFollowers and Unfollow")
	}
}
