package wxhttp

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
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
