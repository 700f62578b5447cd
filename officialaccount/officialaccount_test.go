package officialaccount_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/internal/account"
	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

func TestNewValidates(t *testing.T) {
	t.Parallel()
	good := officialaccount.Config{AppID: "wx1", AppSecret: "secret"}
	tests := []struct {
		name    string
		mutate  func(*officialaccount.Config)
		wantErr string // "" for success
	}{
		{"minimal", func(*officialaccount.Config) {}, ""},
		{"no AppID", func(c *officialaccount.Config) { c.AppID = "" }, "AppID is required"},
		{"AppID with spaces", func(c *officialaccount.Config) { c.AppID = " wx1" }, "white space"},
		{"AppSecret with a newline", func(c *officialaccount.Config) { c.AppSecret = "s3cr3t-value\n" }, "AppSecret has leading or trailing white space"},
		{"Token with a carriage return", func(c *officialaccount.Config) { c.Token = "t0ken-value\r" }, "Token has leading or trailing white space"},
		{"AES key with a newline", func(c *officialaccount.Config) { c.EncodingAESKey = wechattest.SandboxEncodingAESKey + "\n" }, "EncodingAESKey has leading or trailing white space"},
		{"no secret", func(c *officialaccount.Config) { c.AppSecret = "" }, "AppSecret is required"},
		{"short AES key", func(c *officialaccount.Config) { c.EncodingAESKey = strings.Repeat("a", 42) }, "must be 43 characters, got 42"},
		{"AES key not base64", func(c *officialaccount.Config) { c.EncodingAESKey = strings.Repeat("!", 43) }, "not base64"},
		{"good AES key", func(c *officialaccount.Config) { c.EncodingAESKey = wechattest.SandboxEncodingAESKey }, ""},
		{"relative base URL", func(c *officialaccount.Config) { c.BaseURL = "api.weixin.qq.com" }, "BaseURL must be an absolute"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := good
			tt.mutate(&cfg)
			oa, err := officialaccount.New(cfg)
			if tt.wantErr == "" {
				if err != nil || oa == nil {
					t.Fatalf("New() = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New() error = %v, want %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "secret") && cfg.AppSecret != "" && strings.Contains(err.Error(), cfg.AppSecret) {
				t.Errorf("the secret is in the error: %v", err)
			}
			for _, secret := range []string{cfg.AppSecret, cfg.Token, cfg.EncodingAESKey} {
				if secret = strings.TrimSpace(secret); len(secret) > 6 && strings.Contains(err.Error(), secret) {
					t.Errorf("a secret is in the error: %v", err)
				}
			}
		})
	}
}

func TestNewDoesNoIO(t *testing.T) {
	t.Parallel()
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	cfg := fake.Config()
	cfg.Credential = nil // New builds its own Manager
	oa, err := officialaccount.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if n := fake.Calls("/cgi-bin/token"); n != 0 {
		t.Fatalf("New fetched %d tokens", n)
	}
	if err := oa.GetJSON(t.Context(), wechattest.PathAPIDomainIP, nil, nil); err != nil {
		t.Fatal(err)
	}
	if oa.AppID() != fake.AppID() || len(account.Of(oa).AESKey) != 32 || oa.WebhookToken() != fake.WebhookToken() {
		t.Errorf("accessors do not reflect the config")
	}
}

func TestRetryOnceOnly(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		inject       int // errcode the API answers, twice
		wantCode     int
		wantAPICalls int
	}{
		{"40001 once then ok", 0, 0, 2},
		{"42001 twice", wechat.CodeAccessTokenExpired, wechat.CodeAccessTokenExpired, 2},
		{"40014 twice", wechat.CodeInvalidAccessToken, wechat.CodeInvalidAccessToken, 2},
		{"41001 is not a token refresh", wechat.CodeAccessTokenMissing, wechat.CodeAccessTokenMissing, 1},
		{"40003 is returned as is", wechat.CodeInvalidOpenID, wechat.CodeInvalidOpenID, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := wechattest.NewServer()
			t.Cleanup(fake.Close)
			oa := fake.Account(t)
			if err := oa.GetJSON(t.Context(), wechattest.PathAPIDomainIP, nil, nil); err != nil {
				t.Fatal(err)
			}
			if tt.inject == 0 {
				fake.RevokeTokens()
			} else {
				fake.FailNext(wechattest.PathAPIDomainIP, 2, tt.inject)
			}
			err := oa.GetJSON(t.Context(), wechattest.PathAPIDomainIP, nil, nil)
			if code := wechat.Code(err); code != tt.wantCode {
				t.Fatalf("GetJSON errcode = %d, want %d (err: %v)", code, tt.wantCode, err)
			}
			if n := fake.Calls(wechattest.PathAPIDomainIP) - 1; n != tt.wantAPICalls {
				t.Errorf("API calls = %d, want %d", n, tt.wantAPICalls)
			}
			var we *wechat.Error
			if err != nil && (!errors.As(err, &we) || we.API != wechattest.PathAPIDomainIP) {
				t.Errorf("error %v does not name the API", err)
			}
		})
	}
}

func TestPostJSONDoesNotEscapeHTML(t *testing.T) {
	t.Parallel()
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	oa := fake.Account(t)
	err := oa.PostJSON(t.Context(), wechattest.PathClearQuota, nil, map[string]string{"appid": fake.AppID(), "note": "<a href=\"x?a=1&b=2\">"}, nil)
	if err != nil {
		t.Fatalf("PostJSON: %v", err)
	}
	body := string(fake.Requests(wechattest.PathClearQuota)[0].Body)
	if !strings.Contains(body, `<a href=\"x?a=1&b=2\">`) {
		t.Errorf("body = %s, want raw < > &", body)
	}
}

func TestTransportErrors(t *testing.T) {
	t.Parallel()
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	oa := fake.Account(t)
	fake.FailNextHTTP(wechattest.PathAPIDomainIP, 1, 503)
	if err := oa.GetJSON(t.Context(), wechattest.PathAPIDomainIP, nil, nil); err == nil || !strings.Contains(err.Error(), "HTTP 503") {
		t.Errorf("HTTP 503: err = %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := oa.GetJSON(ctx, wechattest.PathAPIDomainIP, nil, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled ctx: err = %v", err)
	}
	var out struct {
		IPList int `json:"ip_list"`
	} // wrong shape
	if err := oa.GetJSON(t.Context(), wechattest.PathAPIDomainIP, nil, &out); err == nil || !strings.Contains(err.Error(), "decoding reply") {
		t.Errorf("bad shape: err = %v", err)
	}
}

// A webhook replica holds no AppSecret: the account builds, API calls say why
// they cannot be made, and nothing is fetched.
func TestWebhookOnlyAccount(t *testing.T) {
	t.Parallel()
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	oa, err := officialaccount.New(officialaccount.Config{
		AppID: fake.AppID(), Token: fake.WebhookToken(), EncodingAESKey: fake.EncodingAESKey(), BaseURL: fake.URL(),
	})
	if err != nil {
		t.Fatalf("New(AppID, Token, EncodingAESKey) = %v", err)
	}
	if err := oa.GetJSON(t.Context(), wechattest.PathAPIDomainIP, nil, nil); !errors.Is(err, officialaccount.ErrNoCredential) {
		t.Errorf("GetJSON on a webhook-only account = %v, want ErrNoCredential", err)
	}
	if _, err := oa.Credential().Token(t.Context()); !errors.Is(err, officialaccount.ErrNoCredential) {
		t.Errorf("Credential().Token() = %v, want ErrNoCredential", err)
	}
	if err := oa.Start(); err != nil {
		t.Errorf("Start on a webhook-only account = %v", err)
	}
	if err := oa.Shutdown(t.Context()); err != nil {
		t.Errorf("Shutdown on a webhook-only account = %v", err)
	}
	if n := fake.Calls("/cgi-bin/token"); n != 0 {
		t.Errorf("token fetches = %d, want 0", n)
	}
	if account.Of(oa).AppSecret != "" || len(account.Of(oa).AESKey) != 32 {
		t.Error("the private part does not reflect the config")
	}
}

// Start and Shutdown cover the Manager New built: the refresher fetches without
// any API call, and Shutdown ends it.
func TestStartShutdownCoverTheDefaultManager(t *testing.T) {
	t.Parallel()
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	cfg := fake.Config()
	cfg.Credential = nil // New builds its own Manager
	oa, err := officialaccount.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := oa.Start(); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, func() bool { return fake.Calls("/cgi-bin/token") == 1 }, "the refresher's first fetch")
	if err := oa.Shutdown(t.Context()); err != nil {
		t.Fatalf("Shutdown = %v", err)
	}
	if err := oa.Start(); err == nil {
		t.Error("Start after Shutdown succeeded")
	}
	// A Credential given in Config is the caller's: Start leaves it alone.
	given, err := officialaccount.New(fake.Config())
	if err != nil {
		t.Fatal(err)
	}
	if err := given.Start(); err != nil {
		t.Fatal(err)
	}
	if n := fake.Calls("/cgi-bin/token"); n != 1 {
		t.Errorf("token fetches = %d, want 1: Start must not start a Credential it did not build", n)
	}
}

// Do hands the builder the finished URL, token included, and resends with a new
// one after a 40001.
func TestDoBuildsFromTheFinishedURL(t *testing.T) {
	t.Parallel()
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	oa := fake.Account(t)
	if err := oa.GetJSON(t.Context(), wechattest.PathAPIDomainIP, nil, nil); err != nil {
		t.Fatal(err)
	}
	fake.RevokeTokens()
	var urls []string
	_, err := oa.Do(t.Context(), wechattest.PathAPIDomainIP, url.Values{"x": {"1"}}, func(ctx context.Context, u string) (*http.Request, error) {
		urls = append(urls, u)
		return http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	})
	if err != nil {
		t.Fatalf("Do = %v", err)
	}
	if len(urls) != 2 || urls[0] == urls[1] {
		t.Fatalf("builder called with %d URLs, want 2 with different tokens", len(urls))
	}
	for _, u := range urls {
		p, err := url.Parse(u)
		if err != nil || p.Path != wechattest.PathAPIDomainIP || p.Query().Get("x") != "1" || p.Query().Get("access_token") == "" {
			t.Errorf("builder got %q, want the path, the query and a token", u)
		}
	}
	// A builder's error that quotes the URL does not leak the token.
	_, err = oa.Do(t.Context(), wechattest.PathAPIDomainIP, nil, func(ctx context.Context, u string) (*http.Request, error) {
		return nil, errors.New("cannot use " + u)
	})
	tok, _ := oa.Credential().Token(t.Context())
	if err == nil || strings.Contains(err.Error(), tok) {
		t.Errorf("Do with a failing builder = %v, want an error without the token", err)
	}
}

// TestPrintingHidesSecrets: a shared context printed into a log line shows
// neither the AppSecret nor the EncodingAESKey.
func TestPrintingHidesSecrets(t *testing.T) {
	t.Parallel()
	const aesKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	oa, err := officialaccount.New(officialaccount.Config{AppID: "wx1", AppSecret: "s3cr3t-app-secret", EncodingAESKey: aesKey})
	if err != nil {
		t.Fatal(err)
	}
	key := account.Of(oa).AESKey
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(format, oa)
		for _, secret := range []string{"s3cr3t-app-secret", aesKey, fmt.Sprint(key), fmt.Sprintf("%#v", key), fmt.Sprintf("%s", key)} {
			if strings.Contains(out, secret) {
				t.Errorf("Sprintf(%q, oa) shows a secret: %s", format, out)
			}
		}
	}
}
