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
// json.Unmarshal into a plain struct of the reply's fields. Info is measured
// side by side with the floor (testutil.Interleave: loopback round trips
// drift by ±15 % between separate runs) and reports its ratios to it
// (time/floor, B/floor, allocs-floor); the floor also runs alone for its own
// figures. The targets are time ≤ 1.15×, bytes ≤ 1.12× and allocations ≤
// floor + 10. Both count the fake's allocations, which are the same for both.
func BenchmarkInfo(b *testing.B) {
	floorOp, infoOp := infoCalls(b)
	b.Run("floor", func(b *testing.B) { testutil.Loop(b, floorOp) })
	b.Run("Info", func(b *testing.B) {
		c := testutil.Interleave(b, infoOp, floorOp)
		testutil.Override(b, c[0])
		testutil.Against(b, c[0], c[1], "floor")
	})
}

// TestInfoAllocations holds user.Info to its allocation budget, floor + 10
// (allocation counts, unlike times, do not depend on how busy the machine
// is). It runs alone: it is not parallel, and other tests' allocations would
// count.
func TestInfoAllocations(t *testing.T) {
	if testutil.Race {
		t.Skip("the race detector changes allocation counts")
	}
	floorOp, infoOp := infoCalls(t)
	floor, info := testing.AllocsPerRun(200, floorOp), testing.AllocsPerRun(200, infoOp)
	if info > floor+10 {
		t.Errorf("user.Info makes %.1f allocations, its floor (GET and one json.Unmarshal) %.1f: over the budget of floor + 10", info, floor)
	}
}

// infoCalls returns the floor of user.Info and the call itself, against one
// fake with one follower.
func infoCalls(tb testing.TB) (floor, info func()) {
	fake, oa := wechattest.Start(tb)
	id := fake.AddFollower(wechattest.Follower{
		UnionID: "o6_bmasdasdsad6_2sgVt7hMZOPfL", Nickname: "Band", Remark: "老客户", Language: "zh_CN",
		SubscribeTime: time.Unix(1382694957, 0), SubscribeScene: "ADD_SCENE_QR_CODE", QRScene: 98765, QRSceneStr: "spring",
	})
	ctx := context.Background()
	token, err := oa.Credential().Token(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	target := oa.BaseURL() + "/cgi-bin/user/info?" + url.Values{"access_token": {token}, "openid": {id}}.Encode()
	client := oa.HTTPClient()
	svc := user.New(oa)
	floor = func() {
		var info infoFloor
		if err := getJSON(ctx, client, target, &info); err != nil || info.Subscribe != 1 {
			tb.Fatalf("floor: %+v, %v", info, err)
		}
	}
	info = func() {
		if info, err := svc.Info(ctx, id); err != nil || !info.Subscribed {
			tb.Fatalf("Info: %+v, %v", info, err)
		}
	}
	return floor, info
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
