package wxhttp

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wxkit/wechat"
)

func TestRedact(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, leak string }{
		{"https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=TOPSECRET", "TOPSECRET"},
		{"http://127.0.0.1:1/cgi-bin/user/info?access_token=TOKEN123&openid=o1", "TOKEN123"},
		{"http://u:PASSWORD@host/x", "PASSWORD"},
		{"%zz not a url secret=TOPSECRET&x=1", "TOPSECRET"},
		{"::bad access_token=TOKEN123", "TOKEN123"},
	}
	for _, tt := range tests {
		got := Redact(tt.in)
		if strings.Contains(got, tt.leak) {
			t.Errorf("Redact(%q) = %q, still holds %q", tt.in, got, tt.leak)
		}
	}
	if got := Redact("http://h/p?openid=o1"); got != "http://h/p?openid=o1" {
		t.Errorf("Redact changed a URL without secrets: %q", got)
	}
}

// TestRedactKeepsTheRest: what WeChat echoes of a request (rid/get's
// request_url and bodies) comes back with only the credentials replaced.
func TestRedactKeepsTheRest(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"access_token=50_Im7xxxx", "access_token=REDACTED"},
		{"access_token=tok&openid=o1", "access_token=REDACTED&openid=o1"},
		{"grant_type=client_credential&appid=wx1&secret=s3cr3t", "grant_type=client_credential&appid=wx1&secret=REDACTED"},
		{"a=1#access_token=tok", "a=1#access_token=REDACTED"},
		{"component_access_token=c&x_secret=1", "component_access_token=REDACTED&x_secret=1"},
		{"authorizer_access_token=a&errcode=1", "authorizer_access_token=REDACTED&errcode=1"},
		{"https://api.weixin.qq.com/cgi-bin/x?access_token=tok", "https://api.weixin.qq.com/cgi-bin/x?access_token=REDACTED"},
		{`secret="a b"&x=1`, "secret=REDACTED&x=1"},
		{`{"touser":"o1","access_token":"tok","key":"V1001"}`, `{"touser":"o1","access_token":"REDACTED","key":"V1001"}`},
		{`{"refresh_token": "r\"t", "component_access_token":"c"}`, `{"refresh_token": "REDACTED", "component_access_token":"REDACTED"}`},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzRedact feeds request_url-like text: the result never carries an
// access_token or secret value the input carried.
func FuzzRedact(f *testing.F) {
	f.Add("access_token=50_Im7xxxx")
	f.Add("openid=o1&access_token=tok_123&lang=zh_CN")
	f.Add("https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=abcdef")
	f.Add("access_token=a%26b&x=%zz")
	f.Add("?access_token=q#frag")
	f.Fuzz(func(t *testing.T, in string) {
		out := Redact(in)
		_, query, _ := strings.Cut(in, "?")
		if !strings.Contains(in, "?") {
			query = in
		}
		q, err := url.ParseQuery(query)
		if err != nil {
			return // not a query WeChat would echo; Redact cuts what it can
		}
		for _, k := range []string{"access_token", "secret", "appsecret"} {
			for _, v := range q[k] {
				if len(v) >= 6 && v != "REDACTED" && strings.Contains(out, k+"="+url.QueryEscape(v)) {
					t.Errorf("Redact(%q) = %q still carries %s", in, out, k)
				}
			}
		}
	})
}

func TestDo(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			w.Write([]byte(`{"errcode":0,"errmsg":"ok","x":1}`))
		case "/errcode":
			w.Write([]byte(`{"errcode":40003,"errmsg":"invalid openid rid: 1-2-3"}`))
		case "/html":
			w.Write([]byte(`<html>gateway</html>`))
		case "/array":
			w.Write([]byte(`[1,2]`))
		case "/502":
			w.WriteHeader(http.StatusBadGateway)
		case "/huge":
			w.Write([]byte(`{"a":"`))
			w.Write([]byte(strings.Repeat("x", MaxReply)))
			w.Write([]byte(`"}`))
		case "/slow":
			<-r.Context().Done() // answers only once the client has given up
		}
	}))
	t.Cleanup(srv.Close)
	tests := []struct {
		path    string
		check   func(error) bool
		wantMsg string
	}{
		{"/ok", func(err error) bool { return err == nil }, ""},
		{"/errcode", func(err error) bool { return wechat.Code(err) == 40003 }, "wechat: /errcode: 40003"},
		{"/html", func(err error) bool { return err != nil && wechat.Code(err) == wechat.CodeNotWeChat }, "not a JSON object"},
		{"/array", func(err error) bool { return err != nil }, "not a JSON object"},
		{"/502", func(err error) bool { var se *StatusError; return errors.As(err, &se) && se.Temporary() }, "HTTP 502"},
		{"/huge", func(err error) bool { return err != nil }, "larger than"},
		{"/slow", func(err error) bool { return errors.Is(err, context.DeadlineExceeded) }, "access_token=REDACTED"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			// Only /slow has a deadline: it never answers, so the deadline is what
			// it tests. The others (8 MiB for /huge) take what a busy machine needs.
			ctx := t.Context()
			if tt.path == "/slow" {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, 50*time.Millisecond)
				defer cancel()
			}
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+tt.path+"?access_token=SECRETTOKEN", nil)
			_, err := Do(srv.Client(), req, tt.path)
			if !tt.check(err) {
				t.Fatalf("Do(%s) error = %v", tt.path, err)
			}
			if err != nil && !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Do(%s) error = %q, want it to contain %q", tt.path, err, tt.wantMsg)
			}
			if err != nil && strings.Contains(err.Error(), "SECRETTOKEN") {
				t.Errorf("token leaked: %v", err)
			}
		})
	}
}

func TestRetryable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	tests := []struct {
		ctx  context.Context
		err  error
		want bool
	}{
		{ctx, &wechat.Error{Code: -1}, true},
		{ctx, &wechat.Error{Code: 40164}, false},
		{ctx, &StatusError{Status: 503}, true},
		{ctx, &StatusError{Status: 404}, false},
		{ctx, errors.New("decode"), false},
		{canceled, &wechat.Error{Code: -1}, false},
	}
	for _, tt := range tests {
		if got := Retryable(tt.ctx, tt.err); got != tt.want {
			t.Errorf("Retryable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
