package officialaccount_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

// jpeg is a few bytes that start like a JPEG file.
var jpeg = append([]byte{0xff, 0xd8, 0xff, 0xe0}, bytes.Repeat([]byte("wxkit"), 200)...)

type uploaded struct {
	Type      string `json:"type"`
	MediaID   string `json:"media_id"`
	CreatedAt int64  `json:"created_at"`
}

func imageQuery() url.Values { return url.Values{"type": {"image"}} }

func TestUploadAndDownload(t *testing.T) {
	t.Parallel()
	fake, oa := wechattest.Start(t)
	tests := []struct {
		name   string
		reader func() io.Reader
	}{
		{"ReadSeeker", func() io.Reader { return bytes.NewReader(jpeg) }},
		{"plain reader", func() io.Reader { return io.MultiReader(bytes.NewReader(jpeg)) }},
		{"seeker not at 0", func() io.Reader {
			r := bytes.NewReader(append([]byte("skip"), jpeg...))
			r.Seek(4, io.SeekStart)
			return r
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got uploaded
			err := oa.Upload(t.Context(), wechattest.PathMediaUpload, imageQuery(), officialaccount.File{Name: "photo.jpg", Reader: tt.reader()}, &got)
			if err != nil || got.MediaID == "" || got.Type != "image" {
				t.Fatalf("Upload = %+v, %v", got, err)
			}
			var file bytes.Buffer
			d, err := oa.Download(t.Context(), wechattest.PathMediaGet, url.Values{"media_id": {got.MediaID}}, nil, &file)
			if err != nil {
				t.Fatalf("Download: %v", err)
			}
			if !bytes.Equal(file.Bytes(), jpeg) || d.Size != int64(len(jpeg)) || d.JSON != nil {
				t.Errorf("Download wrote %d bytes (Size %d, JSON %s), want the %d uploaded", file.Len(), d.Size, d.JSON, len(jpeg))
			}
			if d.ContentType != "image/jpeg" || !strings.HasSuffix(d.Filename, ".jpg") {
				t.Errorf("Download = %+v, want image/jpeg and a .jpg name", d)
			}
		})
	}
	if n := len(fake.Requests(wechattest.PathMediaUpload)); n != len(tests) {
		t.Errorf("uploads = %d, want %d", n, len(tests))
	}
}

func TestUploadRetrySendsSameBytes(t *testing.T) {
	t.Parallel()
	for _, seekable := range []bool{true, false} {
		fake, oa := wechattest.Start(t)
		if err := oa.GetJSON(t.Context(), wechattest.PathAPIDomainIP, nil, nil); err != nil {
			t.Fatal(err)
		}
		fake.RevokeTokens()
		var r io.Reader = bytes.NewReader(jpeg)
		if !seekable {
			r = io.MultiReader(r)
		}
		params := map[string]string{"description": `{"title":"t","introduction":"<b>&</b>"}`}
		var got uploaded
		err := oa.Upload(t.Context(), wechattest.PathMediaUpload, imageQuery(), officialaccount.File{Name: "p.jpg", Reader: r, Params: params}, &got)
		if err != nil || got.MediaID == "" {
			t.Fatalf("seekable %v: Upload after revoke = %v", seekable, err)
		}
		reqs := fake.Requests(wechattest.PathMediaUpload)
		if len(reqs) != 2 {
			t.Fatalf("seekable %v: %d upload requests, want 2 (40001, then the resend)", seekable, len(reqs))
		}
		if !bytes.Equal(reqs[0].Body, reqs[1].Body) || !bytes.Contains(reqs[1].Body, jpeg) {
			t.Errorf("seekable %v: the resend differs from the first attempt or lacks the file", seekable)
		}
		if !bytes.Contains(reqs[0].Body, []byte(`name="description"`)) || !bytes.Contains(reqs[0].Body, []byte("<b>&</b>")) {
			t.Errorf("seekable %v: the extra field is missing: %q", seekable, reqs[0].Body[:200])
		}
		if reqs[0].Query.Get("access_token") == reqs[1].Query.Get("access_token") {
			t.Errorf("seekable %v: the resend used the rejected token", seekable)
		}
	}
}

func TestUploadRefusedLocally(t *testing.T) {
	t.Parallel()
	fake, oa := wechattest.Start(t)
	big := bytes.Repeat([]byte{1}, 2049)
	tests := []struct {
		name    string
		file    officialaccount.File
		wantErr string
		wantIs  error
	}{
		{"seekable too large", officialaccount.File{Name: "a.jpg", Reader: bytes.NewReader(big), MaxSize: 2048}, "is 2049 bytes, the limit is 2048", officialaccount.ErrFileTooLarge},
		{"stream too large", officialaccount.File{Name: "a.jpg", Reader: io.MultiReader(bytes.NewReader(big)), MaxSize: 2048}, "the limit is 2048", officialaccount.ErrFileTooLarge},
		{"no extension", officialaccount.File{Name: "photo", Reader: bytes.NewReader(jpeg)}, "has no extension", nil},
		{"no name", officialaccount.File{Reader: bytes.NewReader(jpeg)}, "file name is empty", nil},
		{"header injection", officialaccount.File{Name: "a\r\nX: y.jpg", Reader: bytes.NewReader(jpeg)}, "control character", nil},
		{"empty", officialaccount.File{Name: "a.jpg", Reader: bytes.NewReader(nil)}, "is empty", nil},
		{"nil reader", officialaccount.File{Name: "a.jpg"}, "nil Reader", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := oa.Upload(t.Context(), wechattest.PathMediaUpload, imageQuery(), tt.file, nil)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Upload error = %v, want %q", err, tt.wantErr)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "officialaccount: ") || strings.Count(msg, "officialaccount:") != 1 || strings.Contains(msg, "wechat:") {
				t.Errorf("Upload error = %q, want one officialaccount: prefix", msg)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.wantIs)
			}
		})
	}
	if n := fake.Calls(wechattest.PathMediaUpload); n != 0 {
		t.Errorf("%d requests reached WeChat, want none", n)
	}
}

func TestUploadFromPipe(t *testing.T) {
	t.Parallel()
	_, oa := wechattest.Start(t)
	pr, pw, err := os.Pipe() // an *os.File that cannot seek
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pr.Close() })
	go func() {
		pw.Write(jpeg)
		pw.Close()
	}()
	var got uploaded
	if err := oa.Upload(t.Context(), wechattest.PathMediaUpload, imageQuery(), officialaccount.File{Name: "pipe.jpg", Reader: pr}, &got); err != nil || got.MediaID == "" {
		t.Fatalf("Upload from a pipe = %+v, %v", got, err)
	}
}

func TestUploadErrorsFromWeChat(t *testing.T) {
	t.Parallel()
	_, oa := wechattest.Start(t)
	err := oa.Upload(t.Context(), wechattest.PathMediaUpload, url.Values{"type": {"voice"}}, officialaccount.File{Name: "a.jpg", Reader: bytes.NewReader(jpeg)}, nil)
	if code := wechat.Code(err); code != wechat.CodeInvalidFileType {
		t.Errorf("a .jpg as voice: errcode %d, want %d (err %v)", code, wechat.CodeInvalidFileType, err)
	}
}

// TestUploadFromDisk streams a file of the size WeChat allows and checks it
// arrived whole.
func TestUploadFromDisk(t *testing.T) {
	t.Parallel()
	fake, oa := wechattest.Start(t)
	f := tempFile(t, 5<<20)
	var got uploaded
	if err := oa.Upload(t.Context(), wechattest.PathMediaUpload, url.Values{"type": {"video"}}, officialaccount.File{Name: "clip.mp4", Reader: f}, &got); err != nil {
		t.Fatalf("Upload: %v", err)
	}
	if body := fake.Requests(wechattest.PathMediaUpload)[0].Body; len(body) < 5<<20 {
		t.Errorf("the request body is %d bytes, want the whole file and more", len(body))
	}
}

// tempFile returns an open file of size bytes, closed when the test ends.
func tempFile(t testing.TB, size int) *os.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "file.mp4")
	if err := os.WriteFile(path, bytes.Repeat([]byte{0, 0, 0, 0x18, 'f', 't', 'y', 'p'}, size/8), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// staticToken is a Provider with one token that never changes.
type staticToken string

func (s staticToken) Token(context.Context) (string, error)           { return string(s), nil }
func (s staticToken) Refresh(context.Context, string) (string, error) { return string(s), nil }

// BenchmarkUpload10MB uploads a 10 MB file from disk to a server that reads and
// discards it: B/op shows what the upload holds in memory, far below the file.
func BenchmarkUpload10MB(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, `{"type":"video","media_id":"m","created_at":1}`)
	}))
	defer srv.Close()
	oa, err := officialaccount.New(officialaccount.Config{AppID: "wx1", BaseURL: srv.URL, HTTPClient: srv.Client(), Credential: staticToken("tok")})
	if err != nil {
		b.Fatal(err)
	}
	const size = 10 << 20
	f := tempFile(b, size)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			b.Fatal(err)
		}
		err := oa.Upload(context.Background(), "/cgi-bin/media/upload", url.Values{"type": {"video"}}, officialaccount.File{Name: "clip.mp4", Reader: f}, nil)
		if err != nil {
			b.Fatal(err)
		}
	}
}

// A webhook-only account cannot upload or download: both say why, as GetJSON
// does, and nothing reaches WeChat.
func TestUploadDownloadWebhookOnly(t *testing.T) {
	t.Parallel()
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	oa, err := officialaccount.New(officialaccount.Config{AppID: fake.AppID(), Token: fake.WebhookToken(), BaseURL: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	err = oa.Upload(t.Context(), wechattest.PathMediaUpload, imageQuery(), officialaccount.File{Name: "a.jpg", Reader: bytes.NewReader(jpeg)}, nil)
	if !errors.Is(err, officialaccount.ErrNoCredential) {
		t.Errorf("Upload on a webhook-only account = %v, want ErrNoCredential", err)
	}
	var w bytes.Buffer
	if _, err := oa.Download(t.Context(), wechattest.PathMediaGet, url.Values{"media_id": {"m"}}, nil, &w); !errors.Is(err, officialaccount.ErrNoCredential) || w.Len() != 0 {
		t.Errorf("Download on a webhook-only account = %v (wrote %d bytes), want ErrNoCredential", err, w.Len())
	}
	if n := fake.Calls(wechattest.PathMediaUpload) + fake.Calls(wechattest.PathMediaGet); n != 0 {
		t.Errorf("%d requests reached WeChat, want none", n)
	}
}
