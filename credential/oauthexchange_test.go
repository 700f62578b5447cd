package credential_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/wechattest"
)

// webCode gets a 网页授权 code from the fake, as a browser would.
func webCode(t *testing.T, fake *wechattest.Server) string {
	t.Helper()
	link := fake.URL() + "/connect/oauth2/authorize?appid=" + fake.AppID() + "&redirect_uri=" +
		url.QueryEscape("http://127.0.0.1/cb") + "&response_type=code&scope=snsapi_base&state=s#wechat_redirect"
	to, err := fake.Authorize(t.Context(), link, true)
	if err != nil {
		t.Fatal(err)
	}
	return to.Query().Get("code")
}

func TestServerOAuthExchange(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	logger, logs := testutil.Logger()
	srv, err := credential.NewServer(newManager(t, fake), serverKey, credential.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	auth := "Bearer " + serverKey
	path := credential.PathServerOAuthExchange

	code := webCode(t, fake)
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(`{"code":"`+code+`"}`))
	req.Header.Set("Authorization", auth)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	var ok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		OpenID       string `json:"openid"`
		ExpiresIn    int    `json:"expires_in"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &ok); rec.Code != http.StatusOK || err != nil || ok.AccessToken == "" || ok.OpenID == "" || ok.ExpiresIn != 7200 {
		t.Fatalf("exchange: %d %s", rec.Code, rec.Body)
	}
	if q := fake.Requests("/sns/oauth2/access_token")[0].Query; q.Get("secret") != fake.AppSecret() || q.Get("code") != code {
		t.Errorf("the server sent %v", q)
	}

	tests := []struct {
		name, method, auth, body string
		wantStatus, wantCode     int
	}{
		{"reused code: WeChat's answer", http.MethodPost, auth, `{"code":"` + code + `"}`, http.StatusOK, wechat.CodeOAuthCodeUsed},
		{"unknown code", http.MethodPost, auth, `{"code":"nope"}`, http.StatusOK, wechat.CodeInvalidOAuthCode},
		{"no key", http.MethodPost, "", `{"code":"x"}`, http.StatusUnauthorized, wechat.CodeInvalidCredential},
		{"wrong key", http.MethodPost, "Bearer wrong-key-0123456789", `{"code":"x"}`, http.StatusUnauthorized, wechat.CodeInvalidCredential},
		{"GET", http.MethodGet, auth, "", http.StatusMethodNotAllowed, wechat.CodePOSTRequired},
		{"empty code", http.MethodPost, auth, `{"code":""}`, http.StatusBadRequest, wechat.CodeOAuthCodeMissing},
		{"not JSON", http.MethodPost, auth, `code=x`, http.StatusBadRequest, wechat.CodeBodyUnparsable},
		{"too big", http.MethodPost, auth, `{"code":"` + strings.Repeat("x", 5000) + `"}`, http.StatusBadRequest, wechat.CodeBodyUnparsable},
	}
	for _, tt := range tests {
		status, got, _ := serve(t, srv, tt.method, path, tt.auth, tt.body)
		if status != tt.wantStatus || got.ErrCode != tt.wantCode {
			t.Errorf("%s: %d errcode %d (%s), want %d errcode %d", tt.name, status, got.ErrCode, got.ErrMsg, tt.wantStatus, tt.wantCode)
		}
	}
	for _, secret := range []string{fake.AppSecret(), code, ok.AccessToken, ok.RefreshToken, serverKey} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log holds %q:\n%s", secret, logs.String())
		}
	}
}

// A server whose Provider holds no AppSecret says it cannot exchange codes.
func TestServerOAuthExchangeWithoutSecret(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	tickets := credential.NewTicket(newManager(t, fake), fake.AppID(), credential.TicketJSAPI, fake.CredentialOptions()...)
	for _, p := range []credential.Provider{tickets, providerFunc(func(context.Context) (string, error) { return "t", nil })} {
		srv, err := credential.NewServer(p, serverKey)
		if err != nil {
			t.Fatal(err)
		}
		status, got, _ := serve(t, srv, http.MethodPost, credential.PathServerOAuthExchange, "Bearer "+serverKey, `{"code":"x"}`)
		if status != http.StatusNotImplemented || got.ErrCode != wechat.CodeAPIUnauthorized || !strings.Contains(got.ErrMsg, "AppSecret") {
			t.Errorf("%T: %d %+v, want 501 naming the AppSecret", p, status, got)
		}
	}
}

type providerFunc func(context.Context) (string, error)

func (f providerFunc) Token(ctx context.Context) (string, error)             { return f(ctx) }
func (f providerFunc) Refresh(ctx context.Context, _ string) (string, error) { return f(ctx) }
