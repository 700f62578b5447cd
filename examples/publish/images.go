package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/wxkit/wechat/media"
)

// maxArticleImage is media.UploadImage's limit: jpg or png under 1 MB.
const maxArticleImage = 1<<20 - 1

// maxCover is the limit of a permanent image, the cover.
const maxCover = 10 << 20

// picture is one distinct image of the article, found and read before anything
// is uploaded.
type picture struct {
	dest string // as written in the Markdown
	name string // the file name sent to WeChat, with its extension
	path string // a local file, or "" when data holds a download
	data []byte
	size int64
}

func (im *picture) open() (io.ReadSeeker, func(), error) {
	if im.path == "" {
		return bytes.NewReader(im.data), func() {}, nil
	}
	f, err := os.Open(im.path)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

// findImages locates every image of the article: local paths relative to dir,
// remote ones downloaded. Images already on WeChat (mmbiz.qpic.cn) are kept as
// they are and left out. Every problem is reported, none uploaded.
func findImages(ctx context.Context, client *http.Client, dir string, dests []string) ([]*picture, error) {
	var imgs []*picture
	var errs []error
	for _, dest := range dests {
		if u, err := url.Parse(dest); err == nil && u.Hostname() == "mmbiz.qpic.cn" {
			continue
		}
		im, err := findImage(ctx, client, dir, dest)
		if err != nil {
			errs = append(errs, fmt.Errorf("image %q: %w", dest, err))
			continue
		}
		imgs = append(imgs, im)
	}
	return imgs, errors.Join(errs...)
}

func findImage(ctx context.Context, client *http.Client, dir, dest string) (*picture, error) {
	u, err := url.Parse(dest)
	switch {
	case dest == "":
		return nil, errors.New("empty image path")
	case err == nil && (u.Scheme == "http" || u.Scheme == "https"):
		return download(ctx, client, u)
	case err == nil && u.Scheme != "" && len(u.Scheme) > 1: // data:, ftp:, …; a Windows drive letter is a path
		return nil, fmt.Errorf("%s: images must be files or http(s) URLs", u.Scheme)
	}
	p := dest
	if unescaped, err := url.PathUnescape(dest); err == nil {
		p = unescaped // Markdown writes spaces as %20
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, filepath.FromSlash(p))
	}
	info, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("not found: %w", err)
	}
	im := &picture{dest: dest, name: filepath.Base(p), path: p, size: info.Size()}
	return im, im.check()
}

// check applies UploadImage's rules before anything is sent.
func (im *picture) check() error {
	if !isJPEGOrPNG(im.name) {
		return fmt.Errorf("%s: WeChat takes only jpg and png images in articles", im.name)
	}
	if im.size >= maxArticleImage+1 {
		return fmt.Errorf("%s is %d bytes; WeChat takes article images under 1 MB", im.name, im.size)
	}
	return nil
}

func isJPEGOrPNG(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jpg", ".jpeg", ".png":
		return true
	}
	return false
}

// download fetches a remote image, up to the article-image limit.
func download(ctx context.Context, client *http.Client, u *url.URL) (*picture, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download: %s", resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxArticleImage+1))
	if err != nil {
		return nil, fmt.Errorf("download: %w", err)
	}
	name := path.Base(u.Path)
	if !isJPEGOrPNG(name) {
		// Name it after what it is: the URL may have no extension.
		ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		switch {
		case ct == "image/jpeg":
			name = "image.jpg"
		case ct == "image/png":
			name = "image.png"
		case strings.HasPrefix(http.DetectContentType(data), "image/jpeg"):
			name = "image.jpg"
		case strings.HasPrefix(http.DetectContentType(data), "image/png"):
			name = "image.png"
		}
	}
	im := &picture{dest: u.String(), name: name, data: data, size: int64(len(data))}
	return im, im.check()
}

// coverFile reads the -cover file and checks it against the rules of a
// permanent image.
func coverFile(p string) (*picture, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("cover: %w", err)
	}
	name := filepath.Base(p)
	if err := media.CheckName(media.Image, name, true); err != nil {
		return nil, fmt.Errorf("cover: %w", err)
	}
	if info.Size() > maxCover {
		return nil, fmt.Errorf("cover: %s is %d bytes; WeChat takes up to 10 MB", name, info.Size())
	}
	return &picture{dest: p, name: name, path: p, size: info.Size()}, nil
}

// uploadAll uploads each image once with UploadImage, then the cover as
// permanent image material, reporting progress after each. It returns the URL
// of every image by destination and the cover's media_id.
func uploadAll(ctx context.Context, svc *media.Service, imgs []*picture, cover *picture, prog progress) (map[string]string, string, error) {
	urls := map[string]string{}
	for _, im := range imgs {
		r, done, err := im.open()
		if err != nil {
			return nil, "", fmt.Errorf("image %q: %w", im.dest, err)
		}
		u, err := svc.UploadImage(ctx, im.name, r)
		done()
		if err != nil {
			return nil, "", fmt.Errorf("uploading image %q: %w", im.dest, err)
		}
		urls[im.dest] = u
		prog.step(im.dest)
	}
	r, done, err := cover.open()
	if err != nil {
		return nil, "", fmt.Errorf("cover: %w", err)
	}
	defer done()
	added, err := svc.Permanent().Add(ctx, media.Image, cover.name, r)
	if err != nil {
		return nil, "", fmt.Errorf("uploading the cover %q: %w", cover.dest, err)
	}
	prog.step("cover " + cover.dest)
	return urls, added.MediaID, nil
}
