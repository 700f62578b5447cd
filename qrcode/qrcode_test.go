package qrcode_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/qrcode"
	"github.com/wxkit/wechat/wechattest"
)

func newService(t *testing.T) (*wechattest.Server, *qrcode.Service) {
	t.Helper()
	fake, oa := wechattest.Start(t)
	return fake, qrcode.New(oa, qrcode.WithImageBaseURL(fake.URL()), qrcode.WithClock(fake.Now))
}

// near: the fake's clock runs with real time, and WeChat counts whole seconds.
func near(got, want time.Duration) bool { return got > want-2*time.Second && got <= want }

func TestTemporaryImageAndScan(t *testing.T) {
	t.Parallel()
	fake, svc := newService(t)
	ctx := t.Context()
	code, err := svc.Temporary(ctx, qrcode.String("invite-42"), 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if code.Ticket == "" || !strings.HasPrefix(code.URL, "http://weixin.qq.com/q/") || !near(code.ExpiresAt.Sub(fake.Now()), 10*time.Minute) {
		t.Fatalf("Temporary = %+v (expires in %v)", code, code.ExpiresAt.Sub(fake.Now()))
	}
	var sent map[string]any
	_ = json.Unmarshal(fake.Requests(wechattest.PathQRCodeCreate)[0].Body, &sent)
	if sent["action_name"] != "QR_STR_SCENE" || sent["expire_seconds"] != 600.0 {
		t.Errorf("request = %v", sent)
	}
	if !strings.Contains(code.ImageURL(), "ticket="+strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(code.Ticket)) {
		t.Errorf("ImageURL %q: the ticket is not percent-encoded", code.ImageURL())
	}
	img, err := svc.Image(ctx, code.Ticket)
	if err != nil {
		t.Fatal(err)
	}
	if got := testutil.DecodeQR(t, img); got != code.URL {
		t.Fatalf("the image decodes to %q, want %q", got, code.URL)
	}
	fake.Advance(10 * time.Minute)
	if _, err := svc.Image(ctx, code.Ticket); !errors.Is(err, qrcode.ErrImageNotFound) {
		t.Errorf("Image of an expired code: %v, want ErrImageNotFound", err)
	}
	if _, err := svc.Image(ctx, "no-such-ticket"); !errors.Is(err, qrcode.ErrImageNotFound) {
		t.Errorf("Image of an unknown ticket: %v", err)
	}
}

func TestPermanent(t *testing.T) {
	t.Parallel()
	fake, svc := newService(t)
	a, err := svc.Permanent(t.Context(), qrcode.ID(100000))
	if err != nil {
		t.Fatal(err)
	}
	b, err := svc.Permanent(t.Context(), qrcode.ID(100000))
	if err != nil || a.Ticket != b.Ticket || !a.ExpiresAt.IsZero() {
		t.Fatalf("Permanent twice: %+v, %+v, %v: want the same code, no expiry", a, b, err)
	}
	s, err := svc.Permanent(t.Context(), qrcode.String("100000"))
	if err != nil || s.Ticket == a.Ticket {
		t.Fatalf("string scene %+v, %v: want a code of its own", s, err)
	}
	fake.Advance(365 * 24 * time.Hour)
	if got, ok := fake.QRCode(a.Ticket); !ok || got.Scene != "100000" {
		t.Errorf("a permanent code after a year: %+v %v", got, ok)
	}
}

func TestLimitsCheckedLocally(t *testing.T) {
	t.Parallel()
	fake, svc := newService(t)
	long := strings.Repeat("码", 65)
	tests := []struct {
		name      string
		scene     qrcode.Scene
		ttl       time.Duration // 0: permanent
		wantInErr string
	}{
		{"temporary id 0", qrcode.ID(0), time.Hour, "1 to 4294967295"},
		{"temporary id negative", qrcode.ID(-5), time.Hour, "1 to 4294967295"},
		{"temporary id over 32 bits", qrcode.ID(1 << 32), time.Hour, "1 to 4294967295"},
		{"permanent id over 100000", qrcode.ID(100001), 0, "1 to 100000"},
		{"empty string", qrcode.String(""), time.Hour, "1 to 64 characters"},
		{"65 characters", qrcode.String(long), 0, "got 65"},
		{"ttl zero", qrcode.ID(1), -1, "1s to 30 days"},
		{"ttl over 30 days", qrcode.ID(1), 30*24*time.Hour + time.Second, "1s to 30 days"},
	}
	for _, tt := range tests {
		var err error
		switch tt.ttl {
		case 0:
			_, err = svc.Permanent(t.Context(), tt.scene)
		case -1:
			_, err = svc.Temporary(t.Context(), tt.scene, 0)
		default:
			_, err = svc.Temporary(t.Context(), tt.scene, tt.ttl)
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantInErr) {
			t.Errorf("%s: %v, want an error saying %q", tt.name, err, tt.wantInErr)
		}
	}
	if n := fake.Calls(wechattest.PathQRCodeCreate); n != 0 {
		t.Errorf("%d requests sent; local checks must send none", n)
	}
	// The edges pass.
	for _, sc := range []qrcode.Scene{qrcode.ID(1), qrcode.ID(1<<32 - 1), qrcode.String(strings.Repeat("码", 64))} {
		if _, err := svc.Temporary(t.Context(), sc, 30*24*time.Hour); err != nil {
			t.Errorf("Temporary(%v): %v", sc, err)
		}
	}
}

// The fake applies WeChat's checks too, for requests built by hand.
func TestFakeRefusesBadRequests(t *testing.T) {
	t.Parallel()
	fake, oa := wechattest.Start(t)
	_ = fake
	for _, tt := range []struct {
		body string
		want int
	}{
		{`{"action_name":"QR_NOPE","action_info":{"scene":{"scene_id":1}}}`, wechat.CodeInvalidActionName},
		{`{"action_name":"QR_LIMIT_SCENE","action_info":{"scene":{"scene_id":100001}}}`, wechat.CodeInvalidActionInfo},
		{`{"action_name":"QR_STR_SCENE","expire_seconds":60,"action_info":{"scene":{}}}`, wechat.CodeInvalidActionInfo},
	} {
		err := oa.PostJSON(t.Context(), wechattest.PathQRCodeCreate, nil, json.RawMessage(tt.body), nil)
		if wechat.Code(err) != tt.want {
			t.Errorf("%s: %v, want %d", tt.body, err, tt.want)
		}
	}
}

func TestShortKeys(t *testing.T) {
	t.Parallel()
	fake, svc := newService(t)
	keys := svc.ShortKeys()
	ctx := t.Context()
	key, err := keys.Generate(ctx, "活动=618&渠道=qr", time.Hour)
	if err != nil || len(key) != 15 {
		t.Fatalf("Generate = %q, %v", key, err)
	}
	fake.Advance(10 * time.Minute)
	got, err := keys.Fetch(ctx, key)
	if err != nil || got.Data != "活动=618&渠道=qr" || !near(got.ExpiresAt.Sub(fake.Now()), 50*time.Minute) {
		t.Fatalf("Fetch = %+v, %v", got, err)
	}
	fake.Advance(time.Hour)
	if _, err := keys.Fetch(ctx, key); wechat.Code(err) != wechat.CodeShortKeyNotFound {
		t.Errorf("Fetch after expiry: %v, want 9410012", err)
	}
	if _, err := keys.Generate(ctx, strings.Repeat("x", 4097), 0); err == nil {
		t.Error("Generate of 4097 bytes: no error")
	}
	if _, err := keys.Generate(ctx, "x", 31*24*time.Hour); err == nil {
		t.Error("Generate for 31 days: no error")
	}
	if _, err := keys.Generate(ctx, strings.Repeat("x", 4096), 0); err != nil {
		t.Errorf("Generate of 4096 bytes for the default: %v", err)
	}
	var sent map[string]any
	reqs := fake.Requests(wechattest.PathShortKeyGen)
	_ = json.Unmarshal(reqs[len(reqs)-1].Body, &sent)
	if sent["expire_seconds"] != 2592000.0 {
		t.Errorf("default expire_seconds sent = %v, want 2592000", sent["expire_seconds"])
	}
}
