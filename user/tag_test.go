package user_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/user"
	"github.com/wxkit/wechat/wechattest"
)

func TestServiceCreateTag(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, tag string
		wantCode  int
	}{
		{"plain", "广东", 0},
		{"30 bytes", strings.Repeat("广", 10), 0},
		{"31 bytes", strings.Repeat("广", 10) + "a", wechat.CodeNotWeChat},
		{"empty", "", wechat.CodeNotWeChat},
		{"duplicate", "taken", wechat.CodeInvalidTagName},
		{"system tag name", "星标组", wechat.CodeInvalidTagName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, svc := newService(t)
			if _, err := svc.CreateTag(t.Context(), "taken"); err != nil {
				t.Fatal(err)
			}
			got, err := svc.CreateTag(t.Context(), tt.tag)
			if code := wechat.Code(err); code != tt.wantCode {
				t.Fatalf("CreateTag(%q) errcode = %d, want %d (err: %v)", tt.tag, code, tt.wantCode, err)
			}
			if err != nil {
				return
			}
			tags, err := svc.Tags(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != tt.tag || !slices.Contains(tags, user.Tag{ID: got.ID, Name: tt.tag}) {
				t.Errorf("CreateTag(%q) = %+v; Tags() = %+v, want it listed", tt.tag, got, tags)
			}
		})
	}
}

func TestServiceCreateTagLimit(t *testing.T) {
	t.Parallel()
	_, svc := newService(t)
	for i := range user.MaxTags {
		if _, err := svc.CreateTag(t.Context(), fmt.Sprint("tag", i)); err != nil {
			t.Fatalf("CreateTag #%d: %v", i+1, err)
		}
	}
	_, err := svc.CreateTag(t.Context(), "one too many")
	if code := wechat.Code(err); code != wechat.CodeTooManyTags {
		t.Errorf("CreateTag #101 errcode = %d, want %d (err: %v)", code, wechat.CodeTooManyTags, err)
	}
}

func TestServiceUpdateDeleteTag(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		id       func(a, b int) int // the tag to change, given two created ones
		rename   string             // "" deletes instead
		wantCode int
		wantErr  error
	}{
		{"rename", func(a, _ int) int { return a }, "广东人", 0, nil},
		{"rename to own name", func(a, _ int) int { return a }, "a", 0, nil},
		{"rename to taken name", func(a, _ int) int { return a }, "b", wechat.CodeInvalidTagName, nil},
		{"rename unknown", func(int, int) int { return 999 }, "x", wechat.CodeInvalidTagID, nil},
		{"rename system tag", func(int, int) int { return 2 }, "x", wechat.CodeNotWeChat, user.ErrSystemTag},
		{"delete", func(a, _ int) int { return a }, "", 0, nil},
		{"delete unknown", func(int, int) int { return 999 }, "", wechat.CodeInvalidTagID, nil},
		{"delete system tag", func(int, int) int { return 0 }, "", wechat.CodeNotWeChat, user.ErrSystemTag},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake, svc := newService(t)
			a, errA := svc.CreateTag(t.Context(), "a")
			b, errB := svc.CreateTag(t.Context(), "b")
			if err := errors.Join(errA, errB); err != nil {
				t.Fatal(err)
			}
			openID := fake.AddFollower(wechattest.Follower{})
			if err := svc.BatchTag(t.Context(), a.ID, []string{openID}); err != nil {
				t.Fatal(err)
			}
			id := tt.id(a.ID, b.ID)
			var err error
			if tt.rename != "" {
				err = svc.UpdateTag(t.Context(), id, tt.rename)
			} else {
				err = svc.DeleteTag(t.Context(), id)
			}
			if code := wechat.Code(err); code != tt.wantCode {
				t.Fatalf("errcode = %d, want %d (err: %v)", code, tt.wantCode, err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			tags, _ := svc.Tags(t.Context())
			userTags, _ := svc.TagIDs(t.Context(), openID)
			if tt.rename != "" {
				if !slices.Contains(tags, user.Tag{ID: id, Name: tt.rename, Count: 1}) {
					t.Errorf("Tags() after rename = %+v, want %d named %q with 1 follower", tags, id, tt.rename)
				}
				return
			}
			if slices.ContainsFunc(tags, func(tg user.Tag) bool { return tg.ID == id }) || slices.Contains(userTags, id) {
				t.Errorf("after delete: Tags() = %+v, user's tags %v, want %d gone from both", tags, userTags, id)
			}
		})
	}
}

func TestServiceBatchTag(t *testing.T) {
	t.Parallel()
	fake, svc := newService(t)
	ids := fake.AddFollowers(120)
	tag, err := svc.CreateTag(t.Context(), "vip")
	if err != nil {
		t.Fatal(err)
	}
	const tagging = "/cgi-bin/tags/members/batchtagging"
	if err := svc.BatchTag(t.Context(), tag.ID, ids); err != nil {
		t.Fatalf("BatchTag(120): %v", err)
	}
	if sizes := requestSizes(t, fake, tagging, "openid_list"); !slices.Equal(sizes, []int{50, 50, 20}) {
		t.Errorf("batchtagging request sizes = %v, want [50 50 20]", sizes)
	}
	members, err := collect(t, svc.TagMembers(tag.ID).All(t.Context()))
	if err != nil || !slices.Equal(members, ids) {
		t.Fatalf("TagMembers = %d OpenIDs (err %v), want the 120 tagged in order", len(members), err)
	}
	if got, err := svc.TagIDs(t.Context(), ids[7]); err != nil || !slices.Equal(got, []int{tag.ID}) {
		t.Errorf("TagIDs = %v (err %v), want [%d]", got, err, tag.ID)
	}
	if err := svc.BatchUntag(t.Context(), tag.ID, ids[:60]); err != nil {
		t.Fatalf("BatchUntag(60): %v", err)
	}
	members, _ = collect(t, svc.TagMembers(tag.ID).All(t.Context()))
	if !slices.Equal(members, ids[60:]) {
		t.Errorf("TagMembers after untagging 60 = %d OpenIDs, want the last 60", len(members))
	}
}

func TestServiceBatchTagErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		tagID    func(vip int) int
		openIDs  func(ids []string) []string
		wantCode int
		wantSent int // requests that reached the fake
	}{
		{"unknown openid", func(v int) int { return v }, func(ids []string) []string { return []string{ids[0], "nobody"} }, wechat.CodeInvalidOpenID, 1},
		{"unknown tag", func(int) int { return 12345 }, func(ids []string) []string { return ids[:1] }, wechat.CodeInvalidTagID, 1},
		{"empty openid", func(v int) int { return v }, func(ids []string) []string { return []string{ids[0], ""} }, wechat.CodeNotWeChat, 0},
		{"user with 20 tags", func(v int) int { return v }, func(ids []string) []string { return ids[1:2] }, wechat.CodeUserTooManyTags, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake, svc := newService(t)
			ids := fake.AddFollowers(2)
			vip, err := svc.CreateTag(t.Context(), "vip")
			if err != nil {
				t.Fatal(err)
			}
			for i := range user.MaxTagsPerUser { // ids[1] carries 20 tags
				tg, err := svc.CreateTag(t.Context(), fmt.Sprint("t", i))
				if err != nil {
					t.Fatal(err)
				}
				if err := svc.BatchTag(t.Context(), tg.ID, ids[1:2]); err != nil {
					t.Fatal(err)
				}
			}
			before := fake.Calls("/cgi-bin/tags/members/batchtagging")
			err = svc.BatchTag(t.Context(), tt.tagID(vip.ID), tt.openIDs(ids))
			if code := wechat.Code(err); code != tt.wantCode {
				t.Fatalf("BatchTag errcode = %d, want %d (err: %v)", code, tt.wantCode, err)
			}
			if sent := fake.Calls("/cgi-bin/tags/members/batchtagging") - before; sent != tt.wantSent {
				t.Errorf("BatchTag sent %d requests, want %d", sent, tt.wantSent)
			}
			if got, _ := svc.TagIDs(t.Context(), ids[0]); len(got) != 0 {
				t.Errorf("a failed batch tagged %s with %v, want nothing", ids[0], got)
			}
		})
	}
}

func TestServiceTagMembersPaging(t *testing.T) {
	t.Parallel()
	fake, svc := newService(t)
	ids := fake.AddFollowers(10050)
	tag, err := svc.CreateTag(t.Context(), "many")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.BatchTag(t.Context(), tag.ID, ids); err != nil {
		t.Fatal(err)
	}
	const path = "/cgi-bin/user/tag/get"
	got, err := collect(t, svc.TagMembers(tag.ID).All(t.Context()))
	if err != nil || !slices.Equal(got, ids) {
		t.Fatalf("TagMembers = %d OpenIDs (err %v), want all 10050 in order", len(got), err)
	}
	if n := fake.Calls(path); n != 3 { // 10,000, 50, then the empty page
		t.Errorf("TagMembers sent %d requests, want 3", n)
	}
	for range svc.TagMembers(tag.ID).All(t.Context()) {
		break
	}
	if n := fake.Calls(path); n != 4 {
		t.Errorf("breaking at once sent %d more requests, want 1", n-3)
	}
	_, err = collect(t, svc.TagMembers(4242).All(t.Context()))
	if code := wechat.Code(err); code != wechat.CodeInvalidTagID {
		t.Errorf("TagMembers(unknown).All errcode = %d, want %d", code, wechat.CodeInvalidTagID)
	}
}
