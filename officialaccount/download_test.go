package officialaccount_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

func TestDownloadJSONErrorIsNotWritten(t *testing.T) {
	t.Parallel()
	_, oa := wechattest.Start(t)
	var w bytes.Buffer
	d, err := oa.Download(t.Context(), wechattest.PathMediaGet, url.Values{"media_id": {"nope"}}, nil, &w)
	if code := wechat.Code(err); code != wechat.CodeInvalidMediaID || d != nil {
		t.Fatalf("Download(unknown) = %+v, errcode %d (err %v), want 40007", d, code, err)
	}
	if w.Len() != 0 {
		t.Errorf("the error body was written: %q", w.String())
	}
}

func TestDownloadRefreshesOnce(t *testing.T) {
	t.Parallel()
	fake, oa := wechattest.Start(t)
	var up uploaded
	if err := oa.Upload(t.Context(), wechattest.PathMediaUpload, imageQuery(), officialaccount.File{Name: "a.png", Reader: bytes.NewReader(jpeg)}, &up); err != nil {
		t.Fatal(err)
	}
	fake.RevokeTokens()
	var w bytes.Buffer
	if _, err := oa.Download(t.Context(), wechattest.PathMediaGet, url.Values{"media_id": {up.MediaID}}, nil, &w); err != nil {
		t.Fatalf("Download after revoke: %v", err)
	}
	if !bytes.Equal(w.Bytes(), jpeg) {
		t.Errorf("wrote %d bytes, want the file once (%d)", w.Len(), len(jpeg))
	}
	if n := fake.Calls(wechattest.PathMediaGet); n != 2 {
		t.Errorf("media/get calls = %d, want 2", n)
	}
}

func TestDownloadJSONReply(t *testing.T) {
	t.Parallel()
	_, oa := wechattest.Start(t)
	var up uploaded
	if err := oa.Upload(t.Context(), wechattest.PathMediaUpload, url.Values{"type": {"video"}}, officialaccount.File{Name: "v.mp4", Reader: bytes.NewReader(jpeg)}, &up); err != nil {
		t.Fatal(err)
	}
	var w bytes.Buffer
	d, err := oa.Download(t.Context(), wechattest.PathMediaGet, url.Values{"media_id": {up.MediaID}}, nil, &w)
	if err != nil || !bytes.Contains(d.JSON, []byte(`"video_url"`)) || w.Len() != 0 {
		t.Fatalf("Download(video) = %+v (wrote %d), %v; want the video_url JSON and nothing written", d, w.Len(), err)
	}
}

// TestDownloadSniffing covers replies whose Content-Type does not say JSON.
func TestDownloadSniffing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, contentType, body string
		wantCode                int // errcode; 0: a file
		wantFile                bool
	}{
		{"json type", "application/json; encoding=utf-8", `{"errcode":40007,"errmsg":"invalid media_id"}`, wechat.CodeInvalidMediaID, false},
		{"text/plain error", "text/plain", ` {"errcode":40007,"errmsg":"invalid media_id"}`, wechat.CodeInvalidMediaID, false},
		{"no type", "", `{"errcode":-1,"errmsg":"system error"}`, wechat.CodeSystemBusy, false},
		{"image that starts with a brace", "image/jpeg", `{not json at all`, 0, true},
		{"octet stream", "application/octet-stream", "\x00\x01binary", 0, true},
		{"empty file", "image/png", "", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header()["Content-Type"] = []string{tt.contentType}
				io.WriteString(w, tt.body)
			}))
			t.Cleanup(srv.Close)
			oa, err := officialaccount.New(officialaccount.Config{AppID: "wx1", BaseURL: srv.URL, HTTPClient: srv.Client(), Credential: staticToken("tok")})
			if err != nil {
				t.Fatal(err)
			}
			var w bytes.Buffer
			_, err = oa.Download(t.Context(), "/cgi-bin/media/get", nil, map[string]string{"media_id": "m"}, &w)
			if code := wechat.Code(err); code != tt.wantCode {
				t.Fatalf("errcode = %d, want %d (err %v)", code, tt.wantCode, err)
			}
			if tt.wantFile && w.String() != tt.body {
				t.Errorf("wrote %q, want %q", w.String(), tt.body)
			}
		})
	}
}

func TestDownloadTransportErrorHidesToken(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // nothing listens any more
	oa, err := officialaccount.New(officialaccount.Config{AppID: "wx1", BaseURL: srv.URL, Credential: staticToken("s3cr3t-token")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = oa.Download(t.Context(), "/cgi-bin/media/get", url.Values{"media_id": {"m"}}, nil, io.Discard)
	if err == nil || strings.Contains(err.Error(), "s3cr3t-token") || !strings.Contains(err.Error(), "/cgi-bin/media/get") {
		t.Errorf("err = %v, want a transport error naming the API without the token", err)
	}
	err = oa.Upload(t.Context(), "/cgi-bin/media/upload", nil, officialaccount.File{Name: "a.jpg", Reader: bytes.NewReader(jpeg)}, nil)
	if err == nil || strings.Contains(err.Error(), "s3cr3t-token") {
		t.Errorf("Upload err = %v, want a transport error without the token", err)
	}
}
