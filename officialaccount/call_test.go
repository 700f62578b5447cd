package officialaccount_test

import (
	"io"
	"net/http"
	"net/http/httptest"
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
