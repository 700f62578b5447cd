package main

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// The media a chat shows, all in the fake platform's media store: pictures a
// follower sends (the push's PicUrl and MediaId) and the media ids the bot
// answers or writes with (uploaded through /cgi-bin/media/upload or material).

// maxImageSize is WeChat's limit of an image (temporary media); maxImageBytes
// bounds what followers send in one run of the simulator, as the platform keeps
// every picture.
const (
	maxImageSize  = 10 << 20
	maxImageBytes = 256 << 20
)

var (
	errNotImage     = errors.New("not a PNG, JPEG or GIF image")
	errTooManyBytes = fmt.Errorf("followers sent %d MiB of pictures already, the simulator's limit; restart it to send more", maxImageBytes>>20)
)

// storeImage keeps a picture a follower sends as temporary media on the
// platform and returns the PicUrl and MediaId its push carries. The PicUrl is
// on the simulator, which passes it to the platform: the bot reaches it where
// it reaches the API.
func (s *Sim) storeImage(data []byte) (picURL, mediaID string, err error) {
	ext, ok := map[string]string{"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif"}[http.DetectContentType(data)]
	if !ok {
		return "", "", errNotImage
	}
	s.mu.Lock()
	full := s.imageBytes+len(data) > maxImageBytes
	if !full {
		s.imageBytes += len(data)
	}
	s.mu.Unlock()
	if full {
		return "", "", errTooManyBytes
	}
	picURL, mediaID, err = s.fake.ReceiveImage("image."+ext, data)
	if err != nil {
		return "", "", err
	}
	return s.base + s.local(picURL), mediaID, nil
}

// serveMedia serves an image, thumbnail, voice or video of the media store to
// the page (the API's media/get needs an access_token, which the page has not).
func (s *Sim) serveMedia(w http.ResponseWriter, r *http.Request) {
	_, _, data, ok := s.fake.Media(r.PathValue("id"))
	ct := http.DetectContentType(data)
	if !ok || !strings.HasPrefix(ct, "image/") && !strings.HasPrefix(ct, "audio/") && !strings.HasPrefix(ct, "video/") {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "max-age=3600")
	_, _ = w.Write(data)
}

// mediaURL returns where the page loads the picture mediaID names (an image or
// a thumbnail), "" when the platform has no such picture.
func (s *Sim) mediaURL(mediaID string) string {
	if mediaID == "" {
		return ""
	}
	kind, _, _, ok := s.fake.Media(mediaID)
	if !ok || kind != "image" && kind != "thumb" {
		return ""
	}
	return "/wxsim/media/" + mediaID
}

// mediaKnown reports whether the platform holds mediaID now; checked is
// always true: the media store is the platform's.
func (s *Sim) mediaKnown(mediaID string) (known, checked bool) {
	_, _, _, ok := s.fake.Media(mediaID)
	return ok, true
}
