package user_test

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/user"
	"github.com/wxkit/wechat/wechattest"
)

func TestServiceInfo(t *testing.T) {
	t.Parallel()
	fake, svc := newService(t)
	followed := time.Unix(1382694957, 0)
	fake.AddFollower(wechattest.Follower{OpenID: "o1", Nickname: "Ann", SubscribeTime: followed,
		SubscribeScene: "ADD_SCENE_QR_CODE", QRScene: 98765})
	fake.AddFollower(wechattest.Follower{OpenID: "gone"})
	fake.Unfollow("gone")

	tests := []struct {
		name, openID   string
		opts           []user.InfoOption
		wantSubscribed bool
		wantNick       string
		wantCode       int   // 0: success
		wantErr        error // a local error, checked with errors.Is
		wantLang       string
	}{
		{name: "follower", openID: "o1", wantSubscribed: true, wantNick: "Ann"},
		{name: "english", openID: "o1", opts: []user.InfoOption{user.WithLang("en")}, wantSubscribed: true, wantNick: "Ann", wantLang: "en"},
		{name: "unfollowed", openID: "gone"},
		{name: "unknown openid", openID: "nobody", wantCode: wechat.CodeInvalidOpenID},
		{name: "empty openid", openID: "", wantCode: wechat.CodeNotWeChat, wantErr: user.ErrEmptyOpenID},
		{name: "bad lang", openID: "o1", opts: []user.InfoOption{user.WithLang("fr")}, wantCode: wechat.CodeNotWeChat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := svc.Info(t.Context(), tt.openID, tt.opts...)
			if code := wechat.Code(err); code != tt.wantCode {
				t.Fatalf("Info(%q) errcode = %d, want %d (err: %v)", tt.openID, code, tt.wantCode, err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("Info(%q) err = %v, want %v", tt.openID, err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if got.OpenID != tt.openID || got.Subscribed != tt.wantSubscribed || got.Nickname != tt.wantNick {
				t.Errorf("Info(%q) = %+v, want subscribed %v nickname %q", tt.openID, got, tt.wantSubscribed, tt.wantNick)
			}
			if tt.wantSubscribed && (!got.SubscribeTime.Equal(followed) || got.SubscribeScene != user.SceneQRCode || got.QRScene != 98765) {
				t.Errorf("Info(%q) = %+v, want time %v scene QR 98765", tt.openID, got, followed)
			}
			if !tt.wantSubscribed && !got.SubscribeTime.IsZero() {
				t.Errorf("Info(%q).SubscribeTime = %v for a user who unfollowed, want zero", tt.openID, got.SubscribeTime)
			}
		})
	}
	t.Run("lang is sent", func(t *testing.T) {
		t.Parallel()
		if _, err := svc.Info(t.Context(), "o1", user.WithLang(user.LangZhTW)); err != nil {
			t.Fatal(err)
		}
		var langs []string
		for _, r := range fake.Requests("/cgi-bin/user/info") {
			langs = append(langs, r.Query.Get("lang"))
		}
		if !slices.Contains(langs, "zh_TW") {
			t.Errorf("lang query values = %q, want one zh_TW", langs)
		}
	})
}

func TestInfoJSON(t *testing.T) {
	t.Parallel()
	// The example reply of WeChat's docs.
	raw := `{"subscribe":1,"openid":"o6_bmjrPTlm6_2sgVt7hMZOPfL2M","language":"zh_CN",
	 "subscribe_time":1382694957,"unionid":"o6_bmasdasdsad6_2sgVt7hMZOPfL",
	 "remark":"","groupid":0,"tagid_list":[128,2],
	 "subscribe_scene":"ADD_SCENE_QR_CODE","qr_scene":98765,"qr_scene_str":""}`
	var in user.Info
	if err := json.Unmarshal([]byte(raw), &in); err != nil {
		t.Fatal(err)
	}
	want := user.Info{Subscribed: true, OpenID: "o6_bmjrPTlm6_2sgVt7hMZOPfL2M", Language: "zh_CN",
		SubscribeTime: time.Unix(1382694957, 0), UnionID: "o6_bmasdasdsad6_2sgVt7hMZOPfL",
		TagIDs: []int{128, 2}, SubscribeScene: user.SceneQRCode, QRScene: 98765}
	if in.Subscribed != want.Subscribed || in.OpenID != want.OpenID || !in.SubscribeTime.Equal(want.SubscribeTime) ||
		!slices.Equal(in.TagIDs, want.TagIDs) || in.SubscribeScene != want.SubscribeScene || in.QRScene != want.QRScene || in.UnionID != want.UnionID {
		t.Errorf("Unmarshal = %+v, want %+v", in, want)
	}
	out, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if back["subscribe"] != 1.0 || back["subscribe_time"] != 1382694957.0 || back["openid"] != want.OpenID {
		t.Errorf("Marshal = %s, want subscribe 1, subscribe_time 1382694957", out)
	}
	if !user.SceneQRCode.Known() || user.SubscribeScene("ADD_SCENE_NEW").Known() {
		t.Error("Known() disagrees with the documented scenes")
	}
}

func TestServiceBatchInfo(t *testing.T) {
	t.Parallel()
	fake, svc := newService(t)
	ids := fake.AddFollowers(250)
	slices.Reverse(ids) // an order the fake does not list them in

	got, err := svc.BatchInfo(t.Context(), ids, user.WithLang("en"))
	if err != nil {
		t.Fatalf("BatchInfo(250) error: %v", err)
	}
	if len(got) != len(ids) {
		t.Fatalf("BatchInfo(250) returned %d users", len(got))
	}
	for i := range got {
		if got[i].OpenID != ids[i] || !got[i].Subscribed {
			t.Fatalf("BatchInfo(250)[%d] = %+v, want subscribed %s (order kept)", i, got[i], ids[i])
		}
	}
	if sizes := requestSizes(t, fake, "/cgi-bin/user/info/batchget", "user_list"); !slices.Equal(sizes, []int{100, 100, 50}) {
		t.Errorf("batchget request sizes = %v, want [100 100 50]", sizes)
	}
	var first struct {
		List []struct{ OpenID, Lang string } `json:"user_list"`
	}
	_ = json.Unmarshal(fake.Requests("/cgi-bin/user/info/batchget")[0].Body, &first)
	if first.List[0].Lang != "en" {
		t.Errorf("batchget entry lang = %q, want en", first.List[0].Lang)
	}

	tests := []struct {
		name     string
		ids      []string
		wantCode int
		wantN    int
	}{
		{"none", nil, 0, 0},
		{"unknown openid", []string{ids[0], "nobody"}, wechat.CodeInvalidOpenID, 0},
		{"empty openid", []string{ids[0], ""}, wechat.CodeNotWeChat, 0},
		{"second chunk fails", append(slices.Clone(ids[:100]), "nobody"), wechat.CodeInvalidOpenID, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := svc.BatchInfo(t.Context(), tt.ids)
			if code := wechat.Code(err); code != tt.wantCode {
				t.Fatalf("BatchInfo errcode = %d, want %d (err: %v)", code, tt.wantCode, err)
			}
			if len(got) != tt.wantN {
				t.Errorf("BatchInfo returned %d users, want %d", len(got), tt.wantN)
			}
		})
	}
}

func TestFakeBatchInfoLimit(t *testing.T) {
	t.Parallel()
	fake, _ := newService(t)
	oa := fake.Account(t)
	ids := fake.AddFollowers(101)
	list := make([]map[string]string, len(ids))
	for i, id := range ids {
		list[i] = map[string]string{"openid": id}
	}
	err := oa.PostJSON(t.Context(), "/cgi-bin/user/info/batchget", nil, map[string]any{"user_list": list}, nil)
	if code := wechat.Code(err); code != wechat.CodeOpenIDListTooLong {
		t.Errorf("batchget of 101 errcode = %d, want %d", code, wechat.CodeOpenIDListTooLong)
	}
}
