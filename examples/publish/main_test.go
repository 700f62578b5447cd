package main

import (
	"bytes"
	"errors"
	"flag"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/wxkit/wechat/examples/internal/settings"
	"github.com/wxkit/wechat/wechattest"
)

func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{7, 193, 96, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegBytes(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// imageServer serves /remote.png (and counts the requests) and /anim.gif.
func imageServer(t *testing.T) (*httptest.Server, *int) {
	t.Helper()
	data := pngBytes(t)
	var mu sync.Mutex
	n := new(int)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		*n++
		mu.Unlock()
		switch r.URL.Path {
		case "/remote.png":
			w.Header().Set("Content-Type", "image/png")
			w.Write(data)
		case "/anim.gif":
			w.Header().Set("Content-Type", "image/gif")
			w.Write([]byte("GIF89a"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, n
}

// sampleDir copies testdata/sample.md into a temporary folder with its images,
// the remote one served by remote.
func sampleDir(t *testing.T, remote string) string {
	t.Helper()
	dir := t.TempDir()
	md, err := os.ReadFile("testdata/sample.md")
	if err != nil {
		t.Fatal(err)
	}
	md = bytes.ReplaceAll(md, []byte("https://example.com/remote.png"), []byte(remote+"/remote.png"))
	write(t, filepath.Join(dir, "sample.md"), md)
	write(t, filepath.Join(dir, "images", "diagram.png"), pngBytes(t))
	write(t, filepath.Join(dir, "photo.jpg"), jpegBytes(t))
	return dir
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func env(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestSandboxPublish runs the command as a user would with no credentials: the
// whole sample, published against the fake, the article readable at the URL
// it prints.
func TestSandboxPublish(t *testing.T) {
	t.Parallel()
	remote, remoteHits := imageServer(t)
	dir := sampleDir(t, remote.URL)
	var stdout, stderr bytes.Buffer
	var page string
	var imgsOK bool
	c := &command{getenv: env(nil), stdout: &stdout, stderr: &stderr}
	c.sandboxDone = func(fake *wechattest.Server) {
		url := lastLine(stdout.String())
		page = get(t, fake.Client(), url)
		imgsOK = true
		for _, src := range regexp.MustCompile(`<img src="([^"]+)"`).FindAllStringSubmatch(page, -1) {
			if resp, err := fake.Client().Get(src[1]); err != nil || resp.StatusCode != http.StatusOK {
				imgsOK = false
			}
		}
		if n := fake.Calls(wechattest.PathMediaUploadImg); n != 3 {
			t.Errorf("uploadimg calls = %d, want 3 (diagram.png once however often used, photo.jpg, the remote image)", n)
		}
		if n := fake.Calls(wechattest.PathMaterialAdd); n != 1 {
			t.Errorf("add_material calls = %d, want 1 (the cover)", n)
		}
		pubs := fake.Published()
		if len(pubs) != 1 || pubs[0].Articles[0].Title != "wxkit 发布了：用 Go 写公众号后台" || pubs[0].Articles[0].Author != "wxkit" {
			t.Errorf("Published() = %+v", pubs)
		}
	}
	if err := c.run(t.Context(), []string{"-publish", "-author", "wxkit", filepath.Join(dir, "sample.md")}); err != nil {
		t.Fatalf("run: %v\nstderr:\n%s", err, stderr.String())
	}
	if url := lastLine(stdout.String()); !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.Contains(url, "/s/") {
		t.Errorf("the last line of stdout is %q, want the article URL", url)
	}
	if !strings.Contains(page, "wxkit 发布了") || !strings.Contains(page, "最后一段") || strings.Count(page, "<img ") != 4 {
		t.Errorf("the article page does not show the article: %.500s", page)
	}
	if !imgsOK {
		t.Error("an image of the article page does not load")
	}
	if *remoteHits != 1 {
		t.Errorf("the remote image was fetched %d times, want 1", *remoteHits)
	}
	for _, want := range []string{"fake WeChat", "uploaded 1/4: images/diagram.png", "uploaded 4/4: cover images/diagram.png", "draft created", "published"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
}

func get(t *testing.T, client *http.Client, url string) string {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Errorf("GET %s: %v", url, err)
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// account returns a fake platform and the environment that points the command
// at it, as real credentials would.
func account(t *testing.T) (*wechattest.Server, func(string) string) {
	t.Helper()
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	return fake, env(map[string]string{"WECHAT_APPID": fake.AppID(), "WECHAT_APPSECRET": fake.AppSecret(), "WECHAT_API_BASE_URL": fake.URL()})
}

func TestDraftAndPreview(t *testing.T) {
	t.Parallel()
	fake, getenv := account(t)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.md"), []byte("# 正文里的标题\n\n![图](a.png)\n\n内容"))
	write(t, filepath.Join(dir, "a.png"), pngBytes(t))
	write(t, filepath.Join(dir, "cover.jpg"), jpegBytes(t))
	fake.AddFollower(wechattest.Follower{OpenID: "o_editor"})

	var stdout, stderr bytes.Buffer
	c := &command{getenv: getenv, stdout: &stdout, stderr: &stderr}
	err := c.run(t.Context(), []string{"-title", "给定的标题", "-cover", filepath.Join(dir, "cover.jpg"), "-preview", "o_editor", filepath.Join(dir, "a.md")})
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	mediaID := lastLine(stdout.String())
	arts := fake.Drafts()[mediaID]
	if len(arts) != 1 || arts[0].Title != "给定的标题" || !strings.Contains(arts[0].Content, "正文里的标题") {
		t.Fatalf("the draft %q = %+v; want -title's title and the heading kept in the body", mediaID, arts)
	}
	prev := fake.MassPreviews()
	if len(prev) != 1 || prev[0].ToUser != "o_editor" || prev[0].MsgType != "mpnews" || !strings.Contains(string(prev[0].Payload), mediaID) {
		t.Errorf("MassPreviews = %+v", prev)
	}
	if len(fake.Published()) != 0 {
		t.Error("a preview run published")
	}
	if strings.Contains(stderr.String(), "fake WeChat") {
		t.Error("credentials were given, yet it says it runs against the fake")
	}
}

func TestFailures(t *testing.T) {
	t.Parallel()
	remote, _ := imageServer(t)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "ok.png"), pngBytes(t))
	write(t, filepath.Join(dir, "big.png"), make([]byte, 1<<20))
	write(t, filepath.Join(dir, "anim.gif"), []byte("GIF89a"))
	md := func(name, body string) string {
		p := filepath.Join(dir, name)
		write(t, p, []byte(body))
		return p
	}
	tests := []struct {
		name     string
		args     []string
		wantErr  string
		wantCode int
	}{
		{"no file", nil, "want one Markdown file", 2},
		{"two files", []string{"a.md", "b.md"}, "want one Markdown file", 2},
		{"publish and preview", []string{"-publish", "-preview", "o1", "a.md"}, "exclude each other", 2},
		{"unknown flag", []string{"-draft", "a.md"}, "flag provided but not defined", 2},
		{"missing file", []string{filepath.Join(dir, "nope.md")}, "no such file", 1},
		{"no title", []string{md("notitle.md", "## h2\n\n![x](ok.png)")}, "no title", 1},
		{"missing image", []string{md("missing.md", "# T\n\n![x](ok.png)\n![y](gone.png)")}, `image "gone.png": not found`, 1},
		{"gif", []string{md("gif.md", "# T\n\n![x](anim.gif)")}, "only jpg and png", 1},
		{"too large", []string{md("big.md", "# T\n\n![x](big.png)")}, "under 1 MB", 1},
		{"remote gif", []string{md("rgif.md", "# T\n\n![x]("+remote.URL+"/anim.gif)")}, "only jpg and png", 1},
		{"remote 404", []string{md("r404.md", "# T\n\n![x]("+remote.URL+"/nope.png)")}, "404", 1},
		{"data URI", []string{md("data.md", "# T\n\n![x](data:image/png;base64,AAAA)")}, "must be files or http(s) URLs", 1},
		{"no cover", []string{md("nocover.md", "# T\n\ntext only")}, "no cover", 1},
		{"bad cover", []string{"-cover", filepath.Join(dir, "anim.gif"), md("c.md", "# T\n\n![x](ok.png)")}, "", 0},
		{"title too long", []string{"-title", strings.Repeat("长", 33), md("long.md", "![x](ok.png)")}, "title is 33 characters", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake, getenv := account(t)
			var stdout, stderr bytes.Buffer
			err := (&command{getenv: getenv, stdout: &stdout, stderr: &stderr}).run(t.Context(), tt.args)
			if tt.wantCode == 0 { // a gif is a valid permanent image: the cover may be one
				if err != nil {
					t.Fatalf("run = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("run = %v, want an error containing %q", err, tt.wantErr)
			}
			if code := exitCode(err); code != tt.wantCode {
				t.Errorf("exit code %d, want %d", code, tt.wantCode)
			}
			if tt.wantCode == 2 && strings.Count(stderr.String(), tt.wantErr) != 1 {
				t.Errorf("stderr = %q, want the mistake printed once, with the usage", stderr.String())
			}
			if n := len(fake.Drafts()); n != 0 {
				t.Errorf("%d drafts created before the failure, want none", n)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q on failure, want nothing", stdout.String())
			}
		})
	}
}

// exitCode is the status settings.Exit ends the program with: 0 for success
// and -help, 2 for a mistake in the command line, 1 otherwise.
func exitCode(err error) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, settings.ErrUsage):
		return 2
	}
	return 1
}

// TestHelp: -help lists the flags and the environment and is not an error.
func TestHelp(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	err := (&command{getenv: env(nil), stdout: &stdout, stderr: &stderr}).run(t.Context(), []string{"-help"})
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("run(-help) = %v, want flag.ErrHelp (exit 0)", err)
	}
	for _, want := range []string{"FILE.md", "-publish", "-preview", "WECHAT_APPID", "WECHAT_APPSECRET"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("-help output lacks %s:\n%s", want, stderr.String())
		}
	}
}

func TestPublishRejected(t *testing.T) {
	t.Parallel()
	fake, getenv := account(t)
	fake.FailNextPublish(4, 1)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.md"), []byte("# 标题\n\n![x](a.png)"))
	write(t, filepath.Join(dir, "a.png"), pngBytes(t))
	var stdout, stderr bytes.Buffer
	err := (&command{getenv: getenv, stdout: &stdout, stderr: &stderr}).run(t.Context(), []string{"-publish", filepath.Join(dir, "a.md")})
	if err == nil || !strings.Contains(err.Error(), "rejected by the platform's review") || exitCode(err) != 1 {
		t.Errorf("run = %v, want the review rejection", err)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout = %q, want nothing on failure", stdout.String())
	}
}

func TestProgressBarOnTerminal(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	p := newProgress(&out, true, 2)
	p.step("a.png")
	p.step("b.png")
	p.done()
	if !strings.Contains(out.String(), "uploading") || strings.Contains(out.String(), "uploaded 1/2") {
		t.Errorf("terminal progress = %q, want a bar", out.String())
	}
	out.Reset()
	p = newProgress(&out, false, 2)
	p.step("a.png")
	if out.String() != "uploaded 1/2: a.png\n" {
		t.Errorf("plain progress = %q", out.String())
	}
}
