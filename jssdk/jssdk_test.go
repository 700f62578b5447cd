package jssdk_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/jssdk"
	"github.com/wxkit/wechat/wechattest"
)

const specTicket = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg"

func TestSignVectors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, url, want string }{
		{"spec vector 1", "http://mp.weixin.qq.com?params=value", "0f9de62fce790f9a083d5c99e95740ceb90c27ed"},
		{"spec vector 2", "http://mp.weixin.qq.com", "f4d90daf4b3bca3078ab155816175ba34c443a7b"},
		{"fragment dropped", "http://mp.weixin.qq.com?params=value#/spa/route?x=1", "0f9de62fce790f9a083d5c99e95740ceb90c27ed"},
		// Our own, checked with: printf '%s' 'jsapi_ticket=…&noncestr=Wm3WZYTPz0wzccnW&timestamp=1414587457&url=https://a.example/p?x=1&y=%E4%BD%A0' | sha1sum
		{"raw query, percent-escapes kept", "https://a.example/p?x=1&y=%E4%BD%A0", "29c8a917abd2b9ae66af74a23ae044699a86b724"},
	}
	for _, tt := range tests {
		if got := jssdk.Sign(specTicket, "Wm3WZYTPz0wzccnW", 1414587457, tt.url); got != tt.want {
			t.Errorf("%s: Sign(%q) = %s, want %s", tt.name, tt.url, got, tt.want)
		}
	}
	if jssdk.Sign(specTicket, "n", 1, "http://a/?x=1&y=2") == jssdk.Sign(specTicket, "n", 1, "http://a/?x=1&amp;y=2") {
		t.Error("an HTML-escaped URL signs the same as the raw one")
	}
}

func TestConfigPassesTheFakeJSSDKCheck(t *testing.T) {
	t.Parallel()
	fake, oa := wechattest.Start(t)
	tickets := credential.NewTicket(oa.Credential(), oa.AppID(), credential.TicketJSAPI, fake.CredentialOptions()...)
	signer := jssdk.New(tickets)
	page := "http://127.0.0.1:8080/share?id=7&from=timeline#top"
	cfg, err := signer.Config(t.Context(), page, []string{"updateAppMessageShareData"}, []string{"wx-open-subscribe"})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(cfg)
	for _, key := range []string{`"debug":false`, `"appId":"` + oa.AppID() + `"`, `"timestamp":`, `"nonceStr":"`, `"signature":"`,
		`"jsApiList":["updateAppMessageShareData"]`, `"openTagList":["wx-open-subscribe"]`} {
		if !strings.Contains(string(raw), key) {
			t.Errorf("Config JSON %s lacks %s", raw, key)
		}
	}
	if len(cfg.NonceStr) != 16 {
		t.Errorf("nonce %q", cfg.NonceStr)
	}
	if got := verify(t, fake, cfg, page); got != "" {
		t.Fatalf("the fake JS-SDK refused the config: %s", got)
	}
	if got := verify(t, fake, cfg, "http://127.0.0.1:8080/other"); got != "invalid signature" {
		t.Errorf("another page: %q, want invalid signature", got)
	}
	if got := verify(t, fake, cfg, "http://evil.example/share?id=7&from=timeline"); got != "invalid url domain" {
		t.Errorf("another domain: %q, want invalid url domain", got)
	}

	// A refused ticket is refreshed through the provider: a new fetch.
	before := fake.Calls(wechattest.PathTicket)
	if err := signer.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if fake.Calls(wechattest.PathTicket) != before+1 {
		t.Errorf("Refresh fetched %d tickets, want 1", fake.Calls(wechattest.PathTicket)-before)
	}
	cfg2, err := signer.Config(t.Context(), page, nil, nil)
	if err != nil || verify(t, fake, cfg2, page) != "" {
		t.Fatalf("after Refresh: %v", err)
	}
	if raw, _ := json.Marshal(cfg2); !strings.Contains(string(raw), `"jsApiList":[]`) || strings.Contains(string(raw), "openTagList") {
		t.Errorf("no APIs: %s", raw)
	}
}

func TestConfigRefusesBadPages(t *testing.T) {
	t.Parallel()
	_, oa := wechattest.Start(t)
	signer := jssdk.New(credential.NewTicket(oa.Credential(), oa.AppID(), credential.TicketJSAPI))
	for _, page := range []string{"", "/relative", "file:///x", "http://a.example/?x=1&amp;y=2", "http://a.example/" + strings.Repeat("x", 9000)} {
		if _, err := signer.Config(t.Context(), page, nil, nil); err == nil {
			t.Errorf("Config(%.40q): no error", page)
		}
	}
}

// verify asks the fake JS-SDK's check, as its jweixin.js does: "" when accepted.
func verify(t *testing.T, fake *wechattest.Server, cfg *jssdk.Config, page string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"appId": cfg.AppID, "timestamp": cfg.Timestamp, "nonceStr": cfg.NonceStr, "signature": cfg.Signature, "url": page})
	resp, err := fake.Client().Post(fake.URL()+wechattest.PathJSSDKVerify, "text/plain", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var r struct {
		OK     bool   `json:"ok"`
		ErrMsg string `json:"errMsg"`
	}
	if err := json.Unmarshal(raw, &r); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("verify: %d %s", resp.StatusCode, raw)
	}
	if r.OK {
		return ""
	}
	return r.ErrMsg
}

// staticTicket is a Provider that cannot say its AppID.
type staticTicket string

func (s staticTicket) Token(context.Context) (string, error)           { return string(s), nil }
func (s staticTicket) Refresh(context.Context, string) (string, error) { return string(s), nil }

func TestNewFindsTheAppID(t *testing.T) {
	t.Parallel()
	fake, oa := wechattest.Start(t)
	tickets := credential.NewTicket(oa.Credential(), oa.AppID(), credential.TicketJSAPI, fake.CredentialOptions()...)
	page := "https://a.example/p"
	tests := []struct {
		name    string
		signer  *jssdk.Signer
		wantApp string
		wantErr error
	}{
		{"from a NewTicket provider", jssdk.New(tickets), oa.AppID(), nil},
		{"WithAppID overrides", jssdk.New(tickets, jssdk.WithAppID("wxother")), "wxother", nil},
		{"a provider without one, WithAppID", jssdk.New(staticTicket("t"), jssdk.WithAppID("wx1")), "wx1", nil},
		{"a provider without one, nothing", jssdk.New(staticTicket("t")), "", jssdk.ErrNoAppID},
	}
	for _, tt := range tests {
		cfg, err := tt.signer.Config(t.Context(), page, nil, nil)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: Config error = %v, want %v", tt.name, err, tt.wantErr)
			continue
		}
		if err == nil && cfg.AppID != tt.wantApp {
			t.Errorf("%s: AppID = %q, want %q", tt.name, cfg.AppID, tt.wantApp)
		}
	}
	if got := jssdk.New(staticTicket("t"), jssdk.WithAppID("wx1"), jssdk.WithClock(func() time.Time { return time.Unix(1414587457, 0) })); got == nil {
		t.Fatal("nil Signer")
	} else if cfg, err := got.Config(t.Context(), page, nil, nil); err != nil || cfg.Timestamp != 1414587457 || cfg.Signature != jssdk.Sign("t", cfg.NonceStr, 1414587457, page) {
		t.Errorf("WithClock: %+v, %v", cfg, err)
	}
}

// TestRefreshFor: a refused config renews the ticket that signed it, once,
// however many pages report it, at once or later; a config for another URL,
// or signed before the renewal, fetches nothing.
func TestRefreshFor(t *testing.T) {
	t.Parallel()
	fake, oa := wechattest.Start(t)
	tickets := credential.NewTicket(oa.Credential(), oa.AppID(), credential.TicketJSAPI, fake.CredentialOptions()...)
	signer := jssdk.New(tickets)
	page := "http://127.0.0.1:8080/share?id=7" // in the fake's JS safe domain (JS接口安全域名)
	cfg, err := signer.Config(t.Context(), page+"#top", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	before := fake.Calls(wechattest.PathTicket)
	if err := signer.RefreshFor(t.Context(), cfg, "http://127.0.0.1:8080/other"); !errors.Is(err, jssdk.ErrNotCurrent) {
		t.Errorf("a config reported for another URL: %v, want ErrNotCurrent", err)
	}
	if n := fake.Calls(wechattest.PathTicket) - before; n != 0 {
		t.Fatalf("a config reported for another URL fetched %d tickets, want none", n)
	}

	const pages = 8
	errs := make(chan error, pages)
	for range pages {
		go func() { errs <- signer.RefreshFor(t.Context(), cfg, page+"#top") }()
	}
	renewed := 0
	for range pages {
		switch err := <-errs; {
		case err == nil:
			renewed++
		case !errors.Is(err, jssdk.ErrNotCurrent):
			t.Errorf("RefreshFor: %v", err)
		}
	}
	if n := fake.Calls(wechattest.PathTicket) - before; n != 1 || renewed == 0 {
		t.Fatalf("%d pages reporting one refused config: %d tickets fetched (%d calls renewed), want 1", pages, n, renewed)
	}
	if err := signer.RefreshFor(t.Context(), cfg, page); !errors.Is(err, jssdk.ErrNotCurrent) {
		t.Errorf("the same config reported after the renewal: %v, want ErrNotCurrent", err)
	}
	if n := fake.Calls(wechattest.PathTicket) - before; n != 1 {
		t.Errorf("a report after the renewal fetched again: %d tickets in all, want 1", n)
	}

	fresh, err := signer.Config(t.Context(), page, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := verify(t, fake, fresh, page); got != "" {
		t.Fatalf("the fake JS-SDK refused the config signed after the renewal: %s", got)
	}
	fresh.Signature = strings.ToUpper(fresh.Signature)
	if err := signer.RefreshFor(t.Context(), fresh, page); err != nil {
		t.Errorf("a config signed with the current ticket (in upper case): %v", err)
	}
	if n := fake.Calls(wechattest.PathTicket) - before; n != 2 {
		t.Errorf("the current ticket reported refused: %d tickets in all, want 2", n)
	}
	if err := signer.RefreshFor(t.Context(), nil, page); err == nil || errors.Is(err, jssdk.ErrNotCurrent) {
		t.Errorf("RefreshFor(nil): %v, want an error about the missing config", err)
	}
}
