package officialaccount_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/officialaccount"
)

func TestPostJSONDecodesErrorReplies(t *testing.T) {
	t.Parallel()
	replies := []string{
		`{"errcode":40001,"errmsg":"invalid credential"}`,
		`{"errcode":45065,"errmsg":"clientmsgid exist","msg_id":34182}`,
		`{"errcode":0,"errmsg":"ok","msg_id":1}`,
		`not json`,
	}
	var n atomic.Int32 // requests served
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if string(body) != `{"a":"<&>"}` {
			t.Errorf("body = %s", body)
		}
		io.WriteString(w, replies[n.Add(1)-1])
	}))
	t.Cleanup(srv.Close)
	oa, err := officialaccount.New(officialaccount.Config{AppID: "wx1", BaseURL: srv.URL, HTTPClient: srv.Client(), Credential: staticToken("tok")})
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		MsgID int64 `json:"msg_id"`
	}
	err = oa.PostJSON(t.Context(), "/x", nil, map[string]string{"a": "<&>"}, &out)
	if wechat.Code(err) != 45065 || out.MsgID != 34182 || n.Load() != 2 {
		t.Fatalf("PostJSON = %v, msg_id %d after %d calls; want 45065 with 34182 after a token retry", err, out.MsgID, n.Load())
	}
	out.MsgID = 0
	if err := oa.PostJSON(t.Context(), "/x", nil, map[string]string{"a": "<&>"}, &out); err != nil || out.MsgID != 1 {
		t.Errorf("success: %v, %d", err, out.MsgID)
	}
	if err := oa.PostJSON(t.Context(), "/x", nil, map[string]string{"a": "<&>"}, &out); err == nil || wechat.Code(err) != wechat.CodeNotWeChat {
		t.Errorf("non-JSON reply: %v, want a local error", err)
	}
}

// refreshFails is a Provider whose token WeChat refuses and that cannot get
// another.
type refreshFails struct{}

var errNoRefresh = errors.New("no new token")

func (refreshFails) Token(context.Context) (string, error)           { return "tok", nil }
func (refreshFails) Refresh(context.Context, string) (string, error) { return "", errNoRefresh }

// TestDoAfterAFailedRefresh: when the refresh after a refused token fails, the
// refused reply is not handed back as if it were the answer.
func TestDoAfterAFailedRefresh(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"errcode":40001,"errmsg":"invalid credential","msg_id":1}`)
	}))
	t.Cleanup(srv.Close)
	oa, err := officialaccount.New(officialaccount.Config{AppID: "wx1", BaseURL: srv.URL, HTTPClient: srv.Client(), Credential: refreshFails{}})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := oa.Do(t.Context(), "/x", nil, func(ctx context.Context, u string) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	})
	if !errors.Is(err, errNoRefresh) || raw != nil {
		t.Errorf("Do = %q, %v; want no body and the refresh's error", raw, err)
	}
	var out struct {
		MsgID int64 `json:"msg_id"`
	}
	if err := oa.GetJSON(t.Context(), "/x", nil, &out); !errors.Is(err, errNoRefresh) || out.MsgID != 0 {
		t.Errorf("GetJSON = %v, msg_id %d; want the refresh's error and nothing decoded", err, out.MsgID)
	}
}

// TestBuildErrorHidesTheEscapedToken: a path that does not parse makes net/url
// quote the whole URL, where the token stands query-escaped; the error must
// hold the token in neither form.
func TestBuildErrorHidesTheEscapedToken(t *testing.T) {
	t.Parallel()
	const tok = "tok+en/with=escapes"
	oa, err := officialaccount.New(officialaccount.Config{AppID: "wx1", BaseURL: "http://127.0.0.1:1", Credential: staticToken(tok)})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/cgi-bin/%zz", "/cgi-bin/\x7f"} {
		err := oa.GetJSON(t.Context(), path, nil, nil)
		if err == nil || !strings.Contains(err.Error(), "building the request") {
			t.Fatalf("GetJSON(%q) = %v, want a request-building error", path, err)
		}
		if msg := err.Error(); strings.Contains(msg, tok) || strings.Contains(msg, url.QueryEscape(tok)) {
			t.Errorf("GetJSON(%q) = %q: the error holds the token", path, msg)
		}
	}
}
