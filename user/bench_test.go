package user_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/user"
	"github.com/wxkit/wechat/wechattest"
)

// BenchmarkInfo puts user.Info beside its floor: the same GET to the same
// loopback fake, the URL built once, the body read and decoded with one
// json.Unmarshal into a plain struct of the reply's fields. Info reports its
// ratios to the floor (time/floor, B/floor, allocs-floor); the targets are
// time ≤ 1.15×, bytes ≤ 1.12× and allocations ≤ floor + 10. Both count the
// fake's allocations, which are the same for both.
func BenchmarkInfo(b *testing.B) {
	fake, oa := wechattest.Start(b)
	id := fake.AddFollower(wechattest.Follower{
		UnionID: "o6_bmasdasdsad6_2sgVt7hMZOPfL", Nickname: "Band", Remark: "老客户", Language: "zh_CN",
		SubscribeTime: time.Unix(1382694957, 0), SubscribeScene: "ADD_SCENE_QR_CODE", QRScene: 98765, QRSceneStr: "spring",
	})
	ctx := context.Background()
	token, err := oa.Credential().Token(ctx)
	if err != nil {
		b.Fatal(err)
	}
	target := oa.BaseURL() + "/cgi-bin/user/info?" + url.Values{"access_token": {token}, "openid": {id}}.Encode()
	client := oa.HTTPClient()
	svc := user.New(oa)

	var floor testutil.Floor
	b.Run("floor", func(b *testing.B) {
		floor.Add(testutil.Loop(b, func() {
			var info infoFloor
			if err := getJSON(ctx, client, target, &info); err != nil || info.Subscribe != 1 {
				b.Fatalf("floor: %+v, %v", info, err)
			}
		}))
	})
	b.Run("Info", func(b *testing.B) {
		floor.Report(b, testutil.Loop(b, func() {
			if info, err := svc.Info(ctx, id); err != nil || !info.Subscribed {
				b.Fatalf("Info: %+v, %v", info, err)
			}
		}))
	})
}

// infoFloor is the user-info reply as a plain struct, for the floor.
type infoFloor struct {
	Subscribe      int    `json:"subscribe"`
	OpenID         string `json:"openid"`
	Nickname       string `json:"nickname"`
	Language       string `json:"language"`
	SubscribeTime  int64  `json:"subscribe_time"`
	UnionID        string `json:"unionid"`
	Remark         string `json:"remark"`
	GroupID        int    `json:"groupid"`
	TagIDs         []int  `json:"tagid_list"`
	SubscribeScene string `json:"subscribe_scene"`
	QRScene        int    `json:"qr_scene"`
	QRSceneStr     string `json:"qr_scene_str"`
}

// getJSON is the floor of an API call: a plain GET of a finished URL and one
// json.Unmarshal of the body.
func getJSON(ctx context.Context, client *http.Client, target string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	return json.Unmarshal(body, out)
}
