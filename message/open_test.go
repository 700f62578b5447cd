package message

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/internal/wxcrypto"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

// signedQuery returns a query signed with the sandbox token, and msg_signature
// over encrypt when it is not "".
func signedQuery(encrypt string) url.Values {
	ts, nonce := strconv.FormatInt(time.Now().Unix(), 10), "12345"
	q := url.Values{
		"timestamp": {ts}, "nonce": {nonce},
		"signature": {wxcrypto.Signature(wechattest.SandboxToken, ts, nonce)},
	}
	if encrypt != "" {
		q.Set("encrypt_type", "aes")
		q.Set("msg_signature", wxcrypto.Signature(wechattest.SandboxToken, ts, nonce, encrypt))
	}
	return q
}

// sealRaw encrypts plain (a multiple of 16 bytes) with the sandbox key and no
// padding of its own, for payloads a correct encrypter never makes.
func sealRaw(t testing.TB, plain []byte) string {
	t.Helper()
	key, err := wxcrypto.DecodeAESKey(wechattest.SandboxEncodingAESKey)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := aes.NewCipher(key)
	buf := bytes.Clone(plain)
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(buf, buf)
	return base64.StdEncoding.EncodeToString(buf)
}

// fullStr builds random || len || msg || appID followed by pad bytes of value
// padByte, padded to a multiple of 16.
func fullStr(prefix uint32, msg, appID string, padByte byte) []byte {
	b := []byte("0123456789abcdef\x00\x00\x00\x00" + msg + appID)
	binary.BigEndian.PutUint32(b[16:20], prefix)
	for len(b)%16 != 0 || padByte == 16 && len(b)%32 != 16 {
		b = append(b, padByte)
	}
	return b
}

func encryptFor(t testing.TB, msg, appID string) string {
	t.Helper()
	key, _ := wxcrypto.DecodeAESKey(wechattest.SandboxEncodingAESKey)
	c, _ := wxcrypto.NewCipher(key)
	enc, err := c.Encrypt([]byte(msg), appID)
	if err != nil {
		t.Fatal(err)
	}
	return string(enc)
}

func envelope(encrypt string) string {
	return "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[" + encrypt + "]]></Encrypt></xml>"
}

const textMsg = `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1717000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content><MsgId>1</MsgId></xml>`

// tamper moves the timestamp of a signed query by a second.
func tamper(query string) string {
	q, _ := url.ParseQuery(query)
	ts, _ := strconv.ParseInt(q.Get("timestamp"), 10, 64)
	q.Set("timestamp", strconv.FormatInt(ts+1, 10))
	return q.Encode()
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	plain := signedQuery("").Encode()
	safe := func(enc string) (string, string) { return signedQuery(enc).Encode(), envelope(enc) }
	tests := []struct {
		name        string
		method      string
		query, body string
		chunked     bool
		want        int
	}{
		{"PUT", http.MethodPut, plain, textMsg, false, 405},
		{"DELETE", http.MethodDelete, plain, "", false, 405},
		{"HEAD", http.MethodHead, plain, "", false, 405},
		{"GET without signature", http.MethodGet, "echostr=1&timestamp=1&nonce=2", "", false, 403},
		{"GET with a wrong signature", http.MethodGet, "echostr=1&timestamp=1&nonce=2&signature=" + strings.Repeat("0", 40), "", false, 403},
		{"GET without echostr", http.MethodGet, plain, "", false, 400},
		{"POST without signature", http.MethodPost, "timestamp=1&nonce=2", textMsg, false, 403},
		{"POST with a wrong signature", http.MethodPost, "timestamp=1&nonce=2&signature=f464b24fc39322e44b38aa78f5edd27bd1441696", textMsg, false, 403},
		{"POST with a tampered timestamp", http.MethodPost, tamper(plain), textMsg, false, 403},
		{"body over the limit", http.MethodPost, plain, "<xml>" + strings.Repeat("a", 1<<20) + "</xml>", false, 413},
		{"chunked body over the limit", http.MethodPost, plain, "<xml>" + strings.Repeat("a", 1<<20) + "</xml>", true, 413},
		{"empty body", http.MethodPost, plain, "", false, 400},
		{"malformed XML", http.MethodPost, plain, "<xml><Content>a</xml>", false, 400},
		{"not XML", http.MethodPost, plain, `{"MsgType":"text"}`, false, 400},
		{"DOCTYPE", http.MethodPost, plain, `<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><Content>&x;</Content></xml>`, false, 400},
		{"safe: no msg_signature", http.MethodPost, "encrypt_type=aes&" + plain, envelope(encryptFor(t, textMsg, wechattest.SandboxAppID)), false, 403},
		{"safe: wrong msg_signature", http.MethodPost, signedQuery("other").Encode(), envelope(encryptFor(t, textMsg, wechattest.SandboxAppID)), false, 403},
		{"safe: no Encrypt", http.MethodPost, signedQuery("x").Encode(), "<xml><ToUserName>gh</ToUserName></xml>", false, 400},
		{"safe: malformed envelope", http.MethodPost, signedQuery("x").Encode(), "<xml><Encrypt>x</Encrypt>", false, 400},
	}
	add := func(name, enc string, want int) {
		q, body := safe(enc)
		tests = append(tests, struct {
			name        string
			method      string
			query, body string
			chunked     bool
			want        int
		}{name, http.MethodPost, q, body, false, want})
	}
	add("safe: bad base64", "!!!notbase64!!!", 400)
	add("safe: ciphertext not a multiple of 16", base64.StdEncoding.EncodeToString(make([]byte, 20)), 400)
	add("safe: padding 0", sealRaw(t, fullStr(uint32(len(textMsg)), textMsg, wechattest.SandboxAppID, 0)), 400)
	add("safe: padding 33", sealRaw(t, fullStr(uint32(len(textMsg)), textMsg, wechattest.SandboxAppID, 33)), 400)
	add("safe: short payload", sealRaw(t, append(make([]byte, 10), 6, 6, 6, 6, 6, 6)), 400)
	add("safe: length prefix too big", sealRaw(t, fullStr(1<<20, textMsg, wechattest.SandboxAppID, 16)), 400)
	add("safe: AppID mismatch", encryptFor(t, textMsg, "wx0000000000000000"), 403)
	add("safe: decrypted XML malformed", encryptFor(t, "<xml><a>", wechattest.SandboxAppID), 400)

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			called := false
			hs := newHarness(t, HandlerFunc(func(context.Context, *Message) Reply { called = true; return nil }))
			var body io.Reader = strings.NewReader(tt.body)
			if tt.chunked {
				body = io.MultiReader(body) // hides the length: ContentLength -1
			}
			req := httptest.NewRequest(tt.method, "/wechat?"+tt.query, body)
			rec := hs.serve(req)
			if rec.Code != tt.want {
				t.Fatalf("status = %d, want %d (log: %s)", rec.Code, tt.want, hs.logs)
			}
			if called {
				t.Error("handler was called for a rejected request")
			}
			if n := strings.Count(hs.logs.String(), "request rejected"); n != 1 {
				t.Errorf("rejection logged %d times, want once: %s", n, hs.logs)
			}
			if tt.want == 405 && rec.Header().Get("Allow") != "GET, POST" {
				t.Errorf("Allow = %q, want GET, POST", rec.Header().Get("Allow"))
			}
		})
	}
}

func TestTimestampSkew(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, nil, WithTimestampSkew(5*time.Minute))
	c := hs.client(wechattest.ModePlaintext)
	req, _ := c.NewRequest(context.Background(), c.Text("o1", "hi"))
	if rec := hs.serve(req); rec.Code != 200 {
		t.Fatalf("fresh request: status %d, want 200", rec.Code)
	}
	ts := strconv.FormatInt(time.Now().Add(-time.Hour).Unix(), 10)
	q := url.Values{"timestamp": {ts}, "nonce": {"1"}, "signature": {wxcrypto.Signature(wechattest.SandboxToken, ts, "1")}}
	rec := hs.serve(httptest.NewRequest(http.MethodPost, "/wechat?"+q.Encode(), strings.NewReader(textMsg)))
	if rec.Code != 403 || !strings.Contains(hs.logs.String(), "timestamp") {
		t.Errorf("hour-old request: status %d, want 403 with the reason logged (log: %s)", rec.Code, hs.logs)
	}
}

func TestEncryptedWithoutKey(t *testing.T) {
	t.Parallel()
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	cfg := fake.Config()
	cfg.EncodingAESKey = ""
	hs := newHarnessConfig(t, fake, cfg, nil)
	q, body := signedQuery("abc").Encode(), envelope("abc")
	rec := hs.serve(httptest.NewRequest(http.MethodPost, "/wechat?"+q, strings.NewReader(body)))
	if rec.Code != 500 || !strings.Contains(hs.logs.String(), "EncodingAESKey is not configured") {
		t.Errorf("status %d, log %s; want 500 and the reason", rec.Code, hs.logs)
	}
}

// TestSecretsNotLogged drives every kind of failure and checks that no log line
// holds the webhook Token, the EncodingAESKey (or its raw bytes) or the AppSecret.
func TestSecretsNotLogged(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, HandlerFunc(func(_ context.Context, m *Message) Reply {
		if m.Content == "panic" {
			panic("boom")
		}
		return Text(m.Content)
	}), WithRejectLevel(slog.LevelDebug))
	for _, mode := range modes {
		c := hs.client(mode)
		for _, s := range []string{"hi", "panic"} {
			req, _ := c.NewRequest(context.Background(), c.Text("o1", s))
			hs.serve(req)
		}
	}
	for _, q := range []string{"", "signature=x", signedQuery("x").Encode()} {
		hs.serve(httptest.NewRequest(http.MethodPost, "/wechat?"+q, strings.NewReader(envelope("x"))))
		hs.serve(httptest.NewRequest(http.MethodGet, "/wechat?"+q, nil))
	}
	hs.serve(httptest.NewRequest(http.MethodPost, "/wechat?"+signedQuery(encryptFor(t, textMsg, "wxother")).Encode(), strings.NewReader(envelope(encryptFor(t, textMsg, "wxother")))))
	logs := hs.logs.String()
	if !strings.Contains(logs, "request rejected") || !strings.Contains(logs, "panicked") {
		t.Fatalf("the test did not exercise the logs: %s", logs)
	}
	key, _ := wxcrypto.DecodeAESKey(wechattest.SandboxEncodingAESKey)
	for name, secret := range map[string]string{
		"Token": wechattest.SandboxToken, "EncodingAESKey": wechattest.SandboxEncodingAESKey,
		"AES key bytes": string(key), "AES key base64": base64.StdEncoding.EncodeToString(key),
		"AppSecret": wechattest.SandboxAppSecret,
	} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds the %s", name)
		}
	}
}

// TestRejectionsSayWhatToFix: a wrong Token or EncodingAESKey is logged with
// what to check, not with a crypto detail.
func TestRejectionsSayWhatToFix(t *testing.T) {
	t.Parallel()
	const otherKey = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg"
	tests := []struct {
		name          string
		token, aesKey string // what the pushing side (the console) holds
		mode          wechattest.Mode
		status        int
		want          string
	}{
		{"wrong Token, plaintext", "not-the-token", wechattest.SandboxEncodingAESKey, wechattest.ModePlaintext, 403, "check that the Token"},
		{"wrong Token, safe mode", "not-the-token", wechattest.SandboxEncodingAESKey, wechattest.ModeSafe, 403, "check that the Token"},
		{"wrong EncodingAESKey", wechattest.SandboxToken, otherKey, wechattest.ModeSafe, 400, "EncodingAESKey differs from the console's"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hs := newHarness(t, nil)
			c, err := wechattest.NewWebhookClient(wechattest.WebhookConfig{
				URL: "http://webhook.test/wechat", AppID: wechattest.SandboxAppID,
				Token: tt.token, EncodingAESKey: tt.aesKey, Mode: tt.mode,
			})
			if err != nil {
				t.Fatal(err)
			}
			req, err := c.NewRequest(context.Background(), c.Text("o1", "hi"))
			if err != nil {
				t.Fatal(err)
			}
			rec := hs.serve(req)
			if rec.Code != tt.status || !strings.Contains(hs.logs.String(), tt.want) {
				t.Errorf("status %d, want %d with %q in the log: %s", rec.Code, tt.status, tt.want, hs.logs)
			}
			if strings.Contains(hs.logs.String(), "PKCS#7") && !strings.Contains(hs.logs.String(), tt.want) {
				t.Errorf("the log names the crypto detail without the fix: %s", hs.logs)
			}
		})
	}
}

// TestMissingTokenIsReported: NewServer on an account without a Token says so at
// Error level, on slog.Default() when the account's logger discards it. Not
// parallel: it swaps slog's default logger.
func TestMissingTokenIsReported(t *testing.T) {
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	oa, err := officialaccount.New(officialaccount.Config{AppID: fake.AppID(), AppSecret: fake.AppSecret()})
	if err != nil {
		t.Fatal(err)
	}
	logger, logs := testutil.Logger()
	prev := slog.Default()
	slog.SetDefault(logger)
	t.Cleanup(func() { slog.SetDefault(prev) })
	NewServer(oa, nil)
	if got := logs.String(); !strings.Contains(got, "level=ERROR") || !strings.Contains(got, "no webhook Token") {
		t.Errorf("slog.Default() got %q, want an error about the missing Token", got)
	}

	// With a logger of its own, the account's logger gets it.
	own, ownLogs := testutil.Logger()
	oa, err = officialaccount.New(officialaccount.Config{AppID: fake.AppID(), AppSecret: fake.AppSecret(), Logger: own})
	if err != nil {
		t.Fatal(err)
	}
	NewServer(oa, nil)
	if !strings.Contains(ownLogs.String(), "no webhook Token") {
		t.Errorf("the account's logger got %q, want the missing Token", ownLogs)
	}
}
