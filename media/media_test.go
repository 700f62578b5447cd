package media_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/media"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

var (
	jpg = append([]byte{0xff, 0xd8, 0xff}, bytes.Repeat([]byte("j"), 500)...)
	png = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte("p"), 500)...)
	amr = append([]byte("#!AMR\n"), bytes.Repeat([]byte("a"), 500)...)
	mp4 = append([]byte("\x00\x00\x00\x18ftypmp42"), bytes.Repeat([]byte("v"), 500)...)
)

func newService(t *testing.T) (*wechattest.Server, *media.Service) {
	t.Helper()
	fake, oa := wechattest.Start(t)
	return fake, media.New(oa)
}

func TestUploadAndGet(t *testing.T) {
	t.Parallel()
	fake, svc := newService(t)
	tests := []struct {
		typ  media.Type
		name string
		data []byte
	}{
		{media.Image, "photo.JPG", jpg},
		{media.Voice, "hello.amr", amr},
		{media.Thumb, "thumb.jpg", jpg}, // the fake answers thumb_media_id, as older docs show
	}
	for _, tt := range tests {
		m, err := svc.Upload(t.Context(), tt.typ, tt.name, bytes.NewReader(tt.data))
		if err != nil || m.MediaID == "" || m.Type != tt.typ || m.CreatedAt.IsZero() {
			t.Fatalf("Upload(%s, %s) = %+v, %v", tt.typ, tt.name, m, err)
		}
		var w bytes.Buffer
		f, err := svc.Get(t.Context(), m.MediaID, &w)
		if err != nil || !bytes.Equal(w.Bytes(), tt.data) || f.Size != int64(len(tt.data)) || f.Name == "" {
			t.Errorf("Get(%s) = %+v (%d bytes), %v", tt.typ, f, w.Len(), err)
		}
	}

	// A video comes back as a URL to fetch.
	v, err := svc.Upload(t.Context(), media.Video, "clip.mp4", bytes.NewReader(mp4))
	if err != nil {
		t.Fatal(err)
	}
	var w bytes.Buffer
	f, err := svc.Get(t.Context(), v.MediaID, &w)
	if err != nil || f.VideoURL == "" || w.Len() != 0 {
		t.Fatalf("Get(video) = %+v (wrote %d), %v; want a VideoURL", f, w.Len(), err)
	}
	if got := fetch(t, fake, f.VideoURL); !bytes.Equal(got, mp4) {
		t.Errorf("the video URL served %d bytes, want the upload", len(got))
	}

	// Three days later the media are gone.
	fake.Advance(wechattest.TemporaryMediaLifetime)
	if _, err := svc.Get(t.Context(), v.MediaID, io.Discard); wechat.Code(err) != wechat.CodeInvalidMediaID {
		t.Errorf("Get after 3 days: err %v, want 40007", err)
	}
	if tmp, _ := fake.MediaCount(); tmp != 0 {
		t.Errorf("the fake holds %d temporary media after 3 days, want 0", tmp)
	}
}

func fetch(t *testing.T, fake *wechattest.Server, url string) []byte {
	t.Helper()
	resp, err := fake.Client().Get(fake.LocalURL(url))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	b, _ := io.ReadAll(resp.Body)
	return b
}

func TestUploadRefusedLocally(t *testing.T) {
	t.Parallel()
	fake, svc := newService(t)
	tests := []struct {
		name     string
		typ      media.Type
		file     string
		size     int
		wantErr  string
		tooLarge bool
	}{
		{"no extension", media.Image, "photo", 10, "got no extension", false},
		{"voice as wav", media.Voice, "a.wav", 10, ".amr, .mp3", false},
		{"thumb as png", media.Thumb, "t.png", 10, ".jpg", false},
		{"thumb too large", media.Thumb, "t.jpg", 64<<10 + 1, "the limit is 65536", true},
		{"voice too large", media.Voice, "v.mp3", 2<<20 + 1, "the limit is 2097152", true},
		{"news cannot be uploaded", media.News, "n.jpg", 10, `cannot upload type "news"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Upload(t.Context(), tt.typ, tt.file, bytes.NewReader(make([]byte, tt.size)))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Upload error = %v, want %q", err, tt.wantErr)
			}
			if errors.Is(err, officialaccount.ErrFileTooLarge) != tt.tooLarge {
				t.Errorf("errors.Is(ErrFileTooLarge) = %v, want %v", !tt.tooLarge, tt.tooLarge)
			}
		})
	}
	if n := fake.Calls(wechattest.PathMediaUpload); n != 0 {
		t.Errorf("%d uploads reached WeChat, want none", n)
	}
	if _, err := svc.Get(t.Context(), "", io.Discard); !errors.Is(err, media.ErrEmptyMediaID) {
		t.Errorf("Get(\"\") = %v, want ErrEmptyMediaID", err)
	}
}

func TestUploadImage(t *testing.T) {
	t.Parallel()
	fake, svc := newService(t)
	u, err := svc.UploadImage(t.Context(), "figure.png", bytes.NewReader(png))
	if err != nil || !strings.HasPrefix(u, "http://mmbiz.qpic.cn/") {
		t.Fatalf("UploadImage = %q, %v; want an mmbiz URL", u, err)
	}
	if got := fetch(t, fake, u); !bytes.Equal(got, png) {
		t.Errorf("the image URL served %d bytes, want the upload", len(got))
	}
	if _, err := svc.UploadImage(t.Context(), "anim.gif", bytes.NewReader(png)); err == nil || !strings.Contains(err.Error(), ".jpg, .jpeg, .png") {
		t.Errorf("UploadImage(gif) = %v, want a local refusal", err)
	}
	if _, err := svc.UploadImage(t.Context(), "big.jpg", bytes.NewReader(make([]byte, 1<<20))); !errors.Is(err, officialaccount.ErrFileTooLarge) {
		t.Errorf("UploadImage(1 MB) = %v, want ErrFileTooLarge (the limit is under 1 MB)", err)
	}
	if n := fake.Calls(wechattest.PathMediaUploadImg); n != 1 {
		t.Errorf("uploadimg calls = %d, want 1", n)
	}
}

func TestHDVoice(t *testing.T) {
	t.Parallel()
	_, svc := newService(t)
	v, err := svc.Upload(t.Context(), media.Voice, "v.amr", bytes.NewReader(amr))
	if err != nil {
		t.Fatal(err)
	}
	var w bytes.Buffer
	if f, err := svc.HDVoice(t.Context(), v.MediaID, &w); err != nil || w.Len() == 0 || f.ContentType == "" {
		t.Errorf("HDVoice = %+v (%d bytes), %v", f, w.Len(), err)
	}
	img, _ := svc.Upload(t.Context(), media.Image, "a.jpg", bytes.NewReader(jpg))
	if _, err := svc.HDVoice(t.Context(), img.MediaID, io.Discard); wechat.Code(err) != wechat.CodeInvalidMediaID {
		t.Errorf("HDVoice(image) = %v, want 40007", err)
	}
}

func TestTemporaryDoesNotExpireEarly(t *testing.T) {
	t.Parallel()
	fake, svc := newService(t)
	m, err := svc.Upload(t.Context(), media.Image, "a.png", bytes.NewReader(png))
	if err != nil {
		t.Fatal(err)
	}
	fake.Advance(wechattest.TemporaryMediaLifetime - time.Minute)
	if _, err := svc.Get(t.Context(), m.MediaID, io.Discard); err != nil {
		t.Errorf("Get a minute before expiry: %v", err)
	}
}
