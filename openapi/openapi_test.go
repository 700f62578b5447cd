package openapi_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/openapi"
	"github.com/wxkit/wechat/wechattest"
)

// TestSeeAndClearQuota is the operator's path after 45009: see the quota, clear
// it, call again.
func TestSeeAndClearQuota(t *testing.T) {
	t.Parallel()
	fake, oa := wechattest.Start(t)
	svc := openapi.New(oa)
	ctx := t.Context()
	path := wechattest.PathAPIDomainIP
	fake.SetQuota(path, 2)
	for range 2 {
		if _, err := svc.APIDomainIPs(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.APIDomainIPs(ctx); wechat.Code(err) != wechat.CodeDailyQuotaLimit {
		t.Fatalf("third call = %v, want 45009", err)
	}
	q, err := svc.Quota(ctx, path)
	if err != nil || q.DailyLimit != 2 || q.Used != 2 || q.Remain != 0 {
		t.Fatalf("Quota = %+v, %v; want 2 of 2 used", q, err)
	}
	if err := svc.ClearAPIQuota(ctx, path); err != nil {
		t.Fatalf("ClearAPIQuota: %v", err)
	}
	if ips, err := svc.APIDomainIPs(ctx); err != nil || len(ips) == 0 {
		t.Errorf("after the reset: %v, %v", ips, err)
	}
	if q, _ := svc.Quota(ctx, path); q.Used != 1 {
		t.Errorf("Quota after reset and one call: used %d, want 1", q.Used)
	}

	// The account-wide reset, 10 a month shared with v2.
	for i := range 10 {
		var err error
		if i%2 == 0 {
			err = svc.ClearQuota(ctx)
		} else {
			err = svc.ClearQuotaWithSecret(ctx)
		}
		if err != nil {
			t.Fatalf("reset %d: %v", i+1, err)
		}
	}
	if err := svc.ClearQuota(ctx); wechat.Code(err) != wechat.CodeClearQuotaLimit {
		t.Errorf("the 11th reset this month = %v, want 48006", err)
	}
	if n := fake.ClearQuotaCount(); n != 10 {
		t.Errorf("resets counted = %d, want 10", n)
	}
	fake.Advance(32 * 24 * time.Hour) // next month
	if err := svc.ClearQuotaWithSecret(ctx); err != nil {
		t.Errorf("a reset next month: %v", err)
	}
}

func TestQuotaErrors(t *testing.T) {
	t.Parallel()
	fake, oa := wechattest.Start(t)
	svc := openapi.New(oa)
	for _, bad := range []string{"cgi-bin/token", "https://api.weixin.qq.com/cgi-bin/token", "//x", "/cgi-bin/token?x=1"} {
		if _, err := svc.Quota(t.Context(), bad); err == nil || wechat.Code(err) != wechat.CodeNotWeChat {
			t.Errorf("Quota(%q) = %v, want a local refusal", bad, err)
		}
	}
	if n := fake.Calls(wechattest.PathQuotaGet); n != 0 {
		t.Errorf("%d refused paths reached WeChat", n)
	}
	if _, err := svc.Quota(t.Context(), "/cgi-bin/no/such/api"); wechat.Code(err) != wechat.CodeQuotaPathNotFound {
		t.Errorf("Quota(unknown) = %v, want 76021", err)
	}
	if _, err := svc.Quota(t.Context(), "/sns/userinfo"); wechat.Code(err) != wechat.CodeQuotaPathNotAllowed {
		t.Errorf("Quota(/sns/) = %v, want 76022", err)
	}
}

func TestClearQuotaWithSecretKeepsItSecret(t *testing.T) {
	t.Parallel()
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	cfg := fake.Config()
	cfg.AppSecret = "wrong-s3cr3t-value"
	oa, err := officialaccount.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = openapi.New(oa).ClearQuotaWithSecret(t.Context())
	if wechat.Code(err) != wechat.CodeInvalidAppSecret || strings.Contains(err.Error(), "wrong-s3cr3t-value") {
		t.Errorf("v2 with a wrong secret = %v, want 40125 without the secret", err)
	}
	if q := fake.Requests(wechattest.PathClearQuotaV2)[0].Query; q.Get("appsecret") != "wrong-s3cr3t-value" || q.Get("access_token") != "" {
		t.Errorf("v2 query = %v, want the secret and no token", q)
	}

	// Transport errors quote the URL: it must be redacted.
	fake.Close()
	err = openapi.New(oa).ClearQuotaWithSecret(t.Context())
	if err == nil || strings.Contains(err.Error(), "wrong-s3cr3t-value") {
		t.Errorf("v2 to a closed server = %v, want an error without the secret", err)
	}

	// A shared context with only a Credential has no secret to send.
	noSecret, err := officialaccount.New(officialaccount.Config{AppID: "wx1", Credential: credential.New("wx1", "x")})
	if err != nil {
		t.Fatal(err)
	}
	if err := openapi.New(noSecret).ClearQuotaWithSecret(t.Context()); !errors.Is(err, openapi.ErrNoSecret) {
		t.Errorf("v2 without a secret = %v, want ErrNoSecret", err)
	}
}

func TestRIDRedactsTheToken(t *testing.T) {
	t.Parallel()
	fake, oa := wechattest.Start(t)
	svc := openapi.New(oa)
	ctx := t.Context()
	err := oa.PostJSON(ctx, wechattest.PathMassPreview, nil, map[string]any{"touser": "nobody", "msgtype": "text", "text": map[string]string{"content": "hi"}}, nil)
	var we *wechat.Error
	if !errors.As(err, &we) || we.RID() == "" {
		t.Fatalf("a failing call = %v, want a *wechat.Error with a rid", err)
	}
	token := fake.Requests(wechattest.PathMassPreview)[0].Query.Get("access_token")
	r, err := svc.RID(ctx, we.RID())
	if err != nil {
		t.Fatalf("RID: %v", err)
	}
	if strings.Contains(r.RequestURL, token) || !strings.Contains(r.RequestURL, "access_token=REDACTED") {
		t.Errorf("RequestURL = %q, want the token redacted", r.RequestURL)
	}
	if !strings.Contains(r.RequestBody, `"touser":"nobody"`) || !strings.Contains(r.ResponseBody, "40003") || r.ClientIP == "" || r.InvokeTime.IsZero() {
		t.Errorf("RID = %+v", r)
	}
	if _, err := svc.RID(ctx, "not-a-rid"); wechat.Code(err) != wechat.CodeRIDMalformed {
		t.Errorf("RID(malformed) = %v, want 76002", err)
	}
	if _, err := svc.RID(ctx, "00000000-00000000-00000000"); wechat.Code(err) != wechat.CodeRIDNotFound {
		t.Errorf("RID(unknown) = %v, want 76001", err)
	}
	fake.Advance(7 * 24 * time.Hour)
	if _, err := svc.RID(ctx, we.RID()); wechat.Code(err) != wechat.CodeRIDExpired {
		t.Errorf("RID after 7 days = %v, want 76004", err)
	}
}

func TestIPsAndCallbackCheck(t *testing.T) {
	t.Parallel()
	fake, oa := wechattest.Start(t)
	svc := openapi.New(oa)
	ctx := t.Context()
	if ips, err := svc.CallbackIPs(ctx); err != nil || len(ips) == 0 {
		t.Errorf("CallbackIPs = %v, %v", ips, err)
	}
	if _, err := svc.CheckCallback(ctx, openapi.CheckAll, openapi.OperatorDefault); wechat.Code(err) != wechat.CodeCallbackURLMissing {
		t.Errorf("CheckCallback without a webhook = %v, want 40201", err)
	}
	fake.SetWebhook("http://127.0.0.1:1/wechat", wechattest.ModeSafe)
	r, err := svc.CheckCallback(ctx, openapi.CheckAll, openapi.OperatorUnicom)
	if err != nil || len(r.DNS) != 1 || len(r.Ping) != 1 || r.Ping[0].PackageLoss != "0%" {
		t.Errorf("CheckCallback = %+v, %v", r, err)
	}
	if _, err := svc.CheckCallback(ctx, "trace", openapi.OperatorDefault); err == nil {
		t.Error("CheckCallback(trace) succeeded")
	}
	if _, err := svc.CheckCallback(ctx, openapi.CheckDNS, "MOBILE"); err == nil {
		t.Error("CheckCallback(MOBILE) succeeded")
	}
}
