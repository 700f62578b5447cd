package credential_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/wechattest"
)

// FuzzServer sends the token server whatever a client on the network can:
// any method, path, Authorization header and body. It must answer WeChat-shaped
// JSON with a status it documents, never a token to a request without the key,
// and never the key itself.
func FuzzServer(f *testing.F) {
	fake := wechattest.NewServer()
	f.Cleanup(fake.Close)
	m := credential.New(fake.AppID(), fake.AppSecret(), fake.CredentialOptions()...)
	f.Cleanup(func() { _ = m.Shutdown(context.Background()) })
	srv, err := credential.NewServer(m, serverKey)
	if err != nil {
		f.Fatal(err)
	}
	bearer := "Bearer " + serverKey
	for _, seed := range []struct{ method, path, auth, body string }{
		{"GET", "/token", bearer, ""},
		{"POST", "/token/refresh", bearer, `{"stale":"x"}`},
		{"POST", "/token/refresh", "bearer " + serverKey, `{"stale":`},
		{"POST", "/oauth/exchange", bearer, `{"code":"c"}`},
		{"GET", "/healthz", "", ""},
		{"PUT", "/token", "Basic x", "\x00"},
		{"GET", "/token?access_token=x", "Bearer", ""},
	} {
		f.Add(seed.method, seed.path, seed.auth, seed.body)
	}
	allowed := map[int]bool{200: true, 400: true, 401: true, 404: true, 405: true, 413: true, 429: true, 501: true, 502: true, 503: true}
	f.Fuzz(func(t *testing.T, method, path, auth, body string) {
		if method == "" || !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \t\r\n#") || strings.ContainsAny(auth, "\r\n\x00") {
			return // not a request net/http would hand to a handler
		}
		req, err := http.NewRequest(method, "http://127.0.0.1"+path, strings.NewReader(body))
		if err != nil {
			return // an invalid method or URL: net/http would not hand it to a handler either
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if !allowed[rec.Code] {
			t.Fatalf("%s %q: status %d", method, path, rec.Code)
		}
		out := rec.Body.String()
		if strings.Contains(out, serverKey) {
			t.Fatalf("%s %q: the key is in the answer: %s", method, path, out)
		}
		var got map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("%s %q: not JSON (%v): %q", method, path, err, out)
		}
		if _, ok := got["access_token"]; ok && !srv.Authorized(req) {
			t.Fatalf("%s %q with Authorization %q: a token without the key", method, path, auth)
		}
	})
}
