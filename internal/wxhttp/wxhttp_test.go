package wxhttp

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/internal/testutil"
)

func TestRedact(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, leak string }{
		{"https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=TOPSECRET", "TOPSECRET"},
		{"http://127.0.0.1:1/cgi-bin/user/info?access_token=TOKEN123&openid=o1", "TOKEN123"},
		{"http://u:PASSWORD@host/x", "PASSWORD"},
		{"http://u:PASSWORD@host\x7f/x", "PASSWORD"}, // does not parse: the error of a bad base URL quotes it
		{"http://u:PASS@WORD@host/x", "WORD"},        // an '@' in the password: url.Parse takes the last one
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
		{"http://u:p@127.0.0.1:1/x?a=%zz", "http://127.0.0.1:1/x?a=%zz"},
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

// TestDoJSON: one reply, read once: the errcode first, then one decode into
// out, which also validates it; error replies are decoded beside their
// *wechat.Error, and anything but a JSON object is an error of its own.
func TestDoJSON(t *testing.T) {
	t.Parallel()
	type reply struct {
		MsgID int64 `json:"msg_id"`
	}
	tests := []struct {
		name, body string
		wantCode   int // 0 success, CodeNotWeChat a local error
		wantMsgID  int64
		wantText   string
	}{
		{"success", `{"msg_id":7}`, 0, 7, ""},
		{"errcode 0", ` {"errcode":0,"errmsg":"ok","msg_id":8}`, 0, 8, ""},
		{"error with data", `{"errcode":45065,"errmsg":"clientmsgid exist","msg_id":9}`, 45065, 9, "45065"},
		{"not JSON", `<html>busy</html>`, wechat.CodeNotWeChat, 0, "not a JSON object"},
		{"array", `[1]`, wechat.CodeNotWeChat, 0, "not a JSON object"},
		{"truncated", `{"msg_id":1`, wechat.CodeNotWeChat, 0, "not a JSON object"},
		{"errcode in garbage", `{"errcode":40001,"errmsg":"x"} trailing`, wechat.CodeNotWeChat, 0, "not a JSON object"},
		{"wrong type", `{"msg_id":"seven"}`, wechat.CodeNotWeChat, 0, "decoding reply"},
		{"wrong type beside an errcode", `{"errcode":40003,"errmsg":"invalid openid","msg_id":"x"}`, 40003, 0, "40003"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Write([]byte(tt.body))
			}))
			t.Cleanup(srv.Close)
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/x?access_token=SECRETTOKEN", nil)
			var out reply
			err := DoJSON(srv.Client(), req, "/x", &out)
			if code := wechat.Code(err); code != tt.wantCode || out.MsgID != tt.wantMsgID || !strings.Contains(testutil.ErrString(err), tt.wantText) {
				t.Errorf("DoJSON(%s) = msg_id %d, %v; want code %d, msg_id %d, error with %q", tt.body, out.MsgID, err, tt.wantCode, tt.wantMsgID, tt.wantText)
			}
			if strings.Contains(testutil.ErrString(err), "SECRETTOKEN") {
				t.Errorf("the error holds the token: %v", err)
			}
			req, _ = http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/x", nil)
			if err := DoJSON(srv.Client(), req, "/x", nil); wechat.Code(err) != tt.wantCode && tt.name != "wrong type" {
				t.Errorf("DoJSON(%s, nil) = %v; want code %d", tt.body, err, tt.wantCode)
			}
		})
	}
}

// TestReadReplyLimit: a reply over MaxReply is refused, announced or not.
func TestReadReplyLimit(t *testing.T) {
	t.Parallel()
	for _, announce := range []bool{true, false} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if announce {
				w.Header().Set("Content-Length", strconv.Itoa(MaxReply+1))
			}
			w.Write([]byte("{"))
			w.Write(make([]byte, MaxReply))
		}))
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
		resp, err := Open(srv.Client(), req, "/x")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ReadReply(resp, "/x"); err == nil || !strings.Contains(err.Error(), "larger than") {
			t.Errorf("ReadReply(announced %v) = %v, want the size error", announce, err)
		}
		resp.Body.Close()
		srv.Close()
	}
}

// FuzzDecode: whatever a server answers, reading it never panics, a reply that
// is not one JSON object is always an error, and one that is gets no
// not-JSON error.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"errcode":0,"errmsg":"ok","msg_id":1}`))
	f.Add([]byte(`{"errcode":40001,"errmsg":"invalid credential"}`))
	f.Add([]byte(`  {"a":[1,{"b":"\u4f60"}]}`))
	f.Add([]byte(`{"errcode":45065} x`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var out struct {
			MsgID int64 `json:"msg_id"`
		}
		err := Decode("/x", body, ErrCode("/x", body), &out)
		notJSON := err != nil && strings.Contains(err.Error(), "not a JSON object")
		trimmed := strings.TrimLeft(string(body), " \t\r\n")
		isObject := json.Valid(body) && strings.HasPrefix(trimmed, "{")
		if notJSON == isObject {
			t.Errorf("Decode(%q) = %v; the body is a JSON object: %v", body, err, isObject)
		}
		if err := Decode("/x", body, ErrCode("/x", body), nil); isObject && err != nil && strings.Contains(err.Error(), "not a JSON object") {
			t.Errorf("Decode(%q, nil) = %v", body, err)
		}
	})
}

// TestNewRequest: the query goes on the URL when there is one; a base URL that
// cannot make a request is an error naming the path and the base URL, without
// the credentials of the query or of the base URL itself.
func TestNewRequest(t *testing.T) {
	t.Parallel()
	q := url.Values{"secret": {"TOPSECRET"}}
	req, err := NewRequest(t.Context(), http.MethodGet, "http://127.0.0.1:1", "/cgi-bin/token", q, nil)
	if err != nil || req.URL.String() != "http://127.0.0.1:1/cgi-bin/token?secret=TOPSECRET" {
		t.Fatalf("NewRequest = %v, %v", req.URL, err)
	}
	if req, err := NewRequest(t.Context(), http.MethodPost, "http://127.0.0.1:1", "/x", nil, nil); err != nil || req.URL.RawQuery != "" || req.Method != http.MethodPost {
		t.Fatalf("NewRequest without a query = %v %v, %v", req.Method, req.URL, err)
	}
	_, err = NewRequest(t.Context(), http.MethodGet, "http://u:PASSWORD@host\x7f", "/cgi-bin/token", q, nil)
	if err == nil || !strings.Contains(err.Error(), "/cgi-bin/token") || strings.Contains(err.Error(), "TOPSECRET") || strings.Contains(err.Error(), "PASSWORD") {
		t.Errorf("NewRequest with a bad base URL = %v; want an error naming the path, without a credential", err)
	}
	if err != nil && !strings.Contains(err.Error(), "invalid control character") {
		t.Errorf("NewRequest with a bad base URL = %v; want the reason it cannot be used", err)
	}
}
