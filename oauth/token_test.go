package oauth_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/oauth"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

func TestExchangeAndUserInfo(t *testing.T) {
	t.Parallel()
	fake, svc := newService(t, nil)
	fake.AddFollower(wechattest.Follower{OpenID: "oAnn", Nickname: "安妮", UnionID: "uAnn"})
	fake.AuthorizeAs("oAnn")
	ctx := t.Context()

	tok, err := svc.Exchange(ctx, codeFor(t, fake, svc, oauth.ScopeUserInfo))
	if err != nil {
		t.Fatal(err)
	}
	if tok.OpenID != "oAnn" || tok.UnionID != "uAnn" || !tok.Has(oauth.ScopeUserInfo) || tok.IsSnapshotUser || tok.RefreshToken == "" {
		t.Fatalf("Exchange = %+v", tok)
	}
	if left := tok.ExpiresAt.Sub(fake.Now()); left < 7190*time.Second || left > 7200*time.Second {
		t.Errorf("ExpiresAt is %v from now, want 7200s", left)
	}
	info, err := svc.UserInfo(ctx, tok, "")
	if err != nil {
		t.Fatal(err)
	}
	if info.Nickname != "安妮" || info.OpenID != "oAnn" || !strings.HasSuffix(info.HeadImgURL, "/132") || info.UnionID != "uAnn" {
		t.Fatalf("UserInfo = %+v", info)
	}
	if got := info.Avatar(0); !strings.HasSuffix(got, "/0") || info.Avatar(100) != "" {
		t.Errorf("Avatar(0) = %q, Avatar(100) = %q", got, info.Avatar(100))
	}
	resp, err := fake.Client().Get(info.Avatar(46))
	if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("GET avatar: %v %v", resp, err)
	}
	resp.Body.Close()
	if err := svc.Check(ctx, tok); err != nil {
		t.Errorf("Check: %v", err)
	}
	if got := fake.Requests(wechattest.PathSNSUserInfo)[0].Query.Get("lang"); got != "" {
		t.Errorf("lang sent = %q, want none for the default", got)
	}
	if _, err := svc.UserInfo(ctx, tok, "en"); err != nil {
		t.Errorf("UserInfo en: %v", err)
	}
}

func TestExchangeCodeErrors(t *testing.T) {
	t.Parallel()
	fake, svc := newService(t, nil)
	ctx := t.Context()

	code := codeFor(t, fake, svc, oauth.ScopeBase)
	if _, err := svc.Exchange(ctx, code); err != nil {
		t.Fatal(err)
	}
	_, err := svc.Exchange(ctx, code) // a reload of the callback page
	if wechat.Code(err) != wechat.CodeOAuthCodeUsed || !strings.Contains(err.Error(), "reload of the callback page") {
		t.Errorf("second Exchange: %v, want 40163 saying a reload reuses the code", err)
	}

	code = codeFor(t, fake, svc, oauth.ScopeBase)
	fake.Advance(5 * time.Minute)
	if _, err := svc.Exchange(ctx, code); wechat.Code(err) != wechat.CodeInvalidOAuthCode || !strings.Contains(err.Error(), "5 minutes") {
		t.Errorf("Exchange after 5 minutes: %v, want 40029 saying a code lives 5 minutes", err)
	}
	if _, err := svc.Exchange(ctx, "never-issued"); wechat.Code(err) != wechat.CodeInvalidOAuthCode {
		t.Errorf("Exchange of an unknown code: %v, want 40029", err)
	}
	if _, err := svc.Exchange(ctx, ""); !errors.Is(err, oauth.ErrEmptyCode) {
		t.Errorf("Exchange(\"\"): %v, want ErrEmptyCode", err)
	}
	if n := fake.Calls(wechattest.PathSNSAccessToken); n != 4 {
		t.Errorf("exchanges sent = %d, want 4 (none for the empty code, no retries)", n)
	}
	code = codeFor(t, fake, svc, oauth.ScopeBase)
	fake.FailNext(wechattest.PathSNSAccessToken, 1, wechat.CodeSystemBusy)
	if _, err := svc.Exchange(ctx, code); wechat.Code(err) != wechat.CodeSystemBusy {
		t.Errorf("Exchange on -1: %v", err)
	}
	if n := fake.Calls(wechattest.PathSNSAccessToken); n != 5 {
		t.Errorf("exchanges sent = %d, want 5: a code exchange is never retried", n)
	}
}

func TestRefresh(t *testing.T) {
	t.Parallel()
	fake, svc := newService(t, nil)
	ctx := t.Context()
	tok, err := svc.Exchange(ctx, codeFor(t, fake, svc, oauth.ScopeUserInfo))
	if err != nil {
		t.Fatal(err)
	}
	fake.Advance(2 * time.Hour)
	if _, err := svc.UserInfo(ctx, tok, ""); wechat.Code(err) != wechat.CodeAccessTokenExpired || !strings.Contains(err.Error(), "Refresh") {
		t.Errorf("UserInfo with an expired token: %v, want 42001 saying Refresh", err)
	}
	if err := svc.Check(ctx, tok); wechat.Code(err) != wechat.CodeAccessTokenExpired {
		t.Errorf("Check with an expired token: %v", err)
	}
	fresh, err := svc.Refresh(ctx, tok.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.AccessToken == tok.AccessToken || fresh.OpenID != tok.OpenID || !fresh.Valid(fake.Now()) {
		t.Fatalf("Refresh = %+v", fresh)
	}
	if _, err := svc.UserInfo(ctx, fresh, "zh_TW"); err != nil {
		t.Errorf("UserInfo after Refresh: %v", err)
	}
	if q := fake.Requests(wechattest.PathSNSRefreshToken)[0].Query; q.Has("secret") || q.Get("grant_type") != "refresh_token" {
		t.Errorf("refresh query = %v: no secret, grant_type refresh_token", q)
	}

	if _, err := svc.Refresh(ctx, "never-issued"); wechat.Code(err) != wechat.CodeInvalidRefreshToken || !strings.Contains(err.Error(), "authorize again") {
		t.Errorf("Refresh(unknown): %v, want 40030 saying authorize again", err)
	}
	fake.Advance(30 * 24 * time.Hour)
	if _, err := svc.Refresh(ctx, tok.RefreshToken); wechat.Code(err) != wechat.CodeRefreshTokenExpired {
		t.Errorf("Refresh after 30 days: %v, want 42002", err)
	}

	tok, _ = svc.Exchange(ctx, codeFor(t, fake, svc, oauth.ScopeUserInfo))
	fake.UserChangedPassword(tok.OpenID)
	if _, err := svc.Refresh(ctx, tok.RefreshToken); wechat.Code(err) != wechat.CodeUserPasswordChanged {
		t.Errorf("Refresh after a password change: %v, want 42007", err)
	}
}

func TestUserInfoRefusedLocally(t *testing.T) {
	t.Parallel()
	fake, svc := newService(t, nil)
	ctx := t.Context()
	base, err := svc.Exchange(ctx, codeFor(t, fake, svc, oauth.ScopeBase))
	if err != nil {
		t.Fatal(err)
	}
	fake.SetSnapshotMode(true)
	snap, err := svc.Exchange(ctx, codeFor(t, fake, svc, oauth.ScopeUserInfo))
	if err != nil {
		t.Fatal(err)
	}
	if !snap.IsSnapshotUser || snap.OpenID == base.OpenID {
		t.Fatalf("snapshot Exchange = %+v, want a virtual user flagged is_snapshotuser", snap)
	}
	before := fake.Calls(wechattest.PathSNSUserInfo)
	tests := []struct {
		name    string
		tok     *oauth.Token
		lang    string
		wantErr error
	}{
		{"snsapi_base", base, "", oauth.ErrNeedUserInfoScope},
		{"snapshot user", snap, "", oauth.ErrSnapshotUser},
		{"nil token", nil, "", oauth.ErrNoToken},
		{"no openid", &oauth.Token{AccessToken: "x", Scope: "snsapi_userinfo"}, "", oauth.ErrNoToken},
	}
	for _, tt := range tests {
		if _, err := svc.UserInfo(ctx, tt.tok, tt.lang); !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: UserInfo = %v, want %v", tt.name, err, tt.wantErr)
		}
	}
	if _, err := svc.UserInfo(ctx, snap, "fr"); err == nil {
		t.Error("UserInfo with lang fr: no error")
	}
	if n := fake.Calls(wechattest.PathSNSUserInfo); n != before {
		t.Errorf("UserInfo sent %d requests; local refusals must send none", n-before)
	}
	// WeChat refuses such tokens too: 48001 with a hint.
	forced := *base
	forced.Scope = "snsapi_userinfo"
	if _, err := svc.UserInfo(ctx, &forced, ""); wechat.Code(err) != wechat.CodeAPIUnauthorized || !strings.Contains(err.Error(), "snsapi_userinfo") {
		t.Errorf("UserInfo with a base token passed off as userinfo: %v, want 48001 with a hint", err)
	}
	if err := svc.Check(ctx, &oauth.Token{AccessToken: base.AccessToken, OpenID: "someone-else"}); wechat.Code(err) != wechat.CodeInvalidOpenID {
		t.Errorf("Check with another OpenID: %v, want 40003", err)
	}
}

// No secret, code or token in any error or log line, on any failure path.
func TestSecretsStayOutOfErrorsAndLogs(t *testing.T) {
	t.Parallel()
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	cfg := fake.Config()
	logger, logs := testutil.Logger()
	cfg.Logger = logger
	// Every request fails the way net/http fails: a *url.Error quoting the URL.
	cfg.HTTPClient = &http.Client{Transport: testutil.RoundTripFunc(func(*http.Request) (*http.Response, error) {
		return nil, errors.New("connection refused")
	})}
	oa, err := officialaccount.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	svc := service(t, fake, oa)
	var errs []error
	_, err = svc.Exchange(t.Context(), "the-code-123")
	errs = append(errs, err)
	_, err = svc.Refresh(t.Context(), "the-refresh-456")
	errs = append(errs, err)
	_, err = svc.UserInfo(t.Context(), &oauth.Token{AccessToken: "the-web-token-789", OpenID: "o", Scope: "snsapi_userinfo"}, "")
	errs = append(errs, err)
	for _, err := range errs {
		if err == nil {
			t.Fatal("a call through a failing transport succeeded")
		}
		for _, secret := range []string{fake.AppSecret(), "the-code-123", "the-refresh-456", "the-web-token-789"} {
			if strings.Contains(err.Error(), secret) || strings.Contains(logs.String(), secret) {
				t.Errorf("%q leaked: %v", secret, err)
			}
		}
	}
}

// A business server on a credential.Remote holds no AppSecret: New says so, and
// WithTokenServer exchanges through the central token server's /oauth/exchange.
func TestExchangeThroughTokenServer(t *testing.T) {
	t.Parallel()
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	const key = "0123456789abcdef0123456789abcdef"
	central := credential.New(fake.AppID(), fake.AppSecret(), fake.CredentialOptions()...)
	handler, err := credential.NewServer(central, key)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(handler)
	t.Cleanup(ts.Close)

	remote, err := credential.NewRemote(ts.URL, key)
	if err != nil {
		t.Fatal(err)
	}
	oa, err := officialaccount.New(officialaccount.Config{AppID: fake.AppID(), BaseURL: fake.URL(), Credential: remote})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oauth.New(oa); err == nil || !strings.Contains(err.Error(), "WithTokenServer") {
		t.Fatalf("oauth.New without a secret: %v, want an error naming WithTokenServer", err)
	}
	svc := service(t, fake, oa, oauth.WithTokenServer(ts.URL, key))
	fake.AddFollower(wechattest.Follower{OpenID: "oBob", Nickname: "Bob"})
	fake.AuthorizeAs("oBob")

	code := codeFor(t, fake, svc, oauth.ScopeUserInfo)
	tok, err := svc.Exchange(t.Context(), code)
	if err != nil {
		t.Fatal(err)
	}
	if tok.OpenID != "oBob" {
		t.Fatalf("Exchange through the token server = %+v", tok)
	}
	if info, err := svc.UserInfo(t.Context(), tok, ""); err != nil || info.Nickname != "Bob" {
		t.Fatalf("UserInfo = %+v, %v", info, err)
	}
	// WeChat's errcode comes back as WeChat's, with the hint.
	if _, err := svc.Exchange(t.Context(), code); wechat.Code(err) != wechat.CodeOAuthCodeUsed || !strings.Contains(err.Error(), "reload") {
		t.Errorf("reused code through the token server: %v, want 40163", err)
	}
	// A wrong key is refused, and says what to do.
	wrong := service(t, fake, oa, oauth.WithTokenServer(ts.URL, strings.Repeat("x", 32)))
	if _, err := wrong.Exchange(t.Context(), codeFor(t, fake, svc, oauth.ScopeBase)); err == nil || !strings.Contains(err.Error(), "refused the key") {
		t.Errorf("wrong key: %v", err)
	}
	for _, r := range fake.Requests(wechattest.PathSNSAccessToken) {
		if r.Query.Get("secret") != fake.AppSecret() {
			t.Errorf("the token server sent secret %q", r.Query.Get("secret"))
		}
	}
	if _, err := oauth.New(oa, oauth.WithTokenServer(ts.URL, "short")); err == nil {
		t.Error("WithTokenServer with a short key: no error")
	}
}
