package main

import (
	"errors"
	"net/http"
	"sync"
)

// The media a chat shows: images a follower sends (their PicUrl and MediaId)
// and the media ids the bot answers with.
//
// Until the fake platform has a media store, the simulator keeps followers'
// images itself (bounded) and serves them at /wxsim/media/{id}; media ids in
// replies are then not checked and not drawn.

const (
	maxImageSize   = 10 << 20 // WeChat's image limit
	maxStoredBytes = 64 << 20
)

type imageStore struct {
	mu    sync.Mutex
	byID  map[string]storedImage
	order []string
	bytes int
}

type storedImage struct {
	contentType string
	data        []byte
}

var errNotImage = errors.New("not a PNG, JPEG or GIF image")

// storeImage keeps an image a follower sends and returns the PicUrl and
// MediaId its push carries.
func (s *Sim) storeImage(data []byte) (picURL, mediaID string, err error) {
	ct := http.DetectContentType(data)
	switch ct {
	case "image/png", "image/jpeg", "image/gif":
	default:
		return "", "", errNotImage
	}
	id := newOpenID()[1:] + newOpenID()[1:] // 54 characters, as WeChat's media ids are long
	st := &s.images
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.byID == nil {
		st.byID = map[string]storedImage{}
	}
	for st.bytes+len(data) > maxStoredBytes && len(st.order) > 0 {
		old := st.order[0]
		st.order = st.order[1:]
		st.bytes -= len(st.byID[old].data)
		delete(st.byID, old)
	}
	st.byID[id] = storedImage{contentType: ct, data: data}
	st.order = append(st.order, id)
	st.bytes += len(data)
	return s.base + "/wxsim/media/" + id, id, nil
}

// serveMedia serves a stored image.
func (s *Sim) serveMedia(w http.ResponseWriter, r *http.Request) {
	st := &s.images
	st.mu.Lock()
	img, ok := st.byID[r.PathValue("id")]
	st.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", img.contentType)
	w.Header().Set("Cache-Control", "max-age=86400")
	_, _ = w.Write(img.data)
}

// mediaURL returns where the page can load the media mediaID, "" when it
// cannot be drawn.
func (s *Sim) mediaURL(mediaID string) string {
	st := &s.images
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.byID[mediaID]; ok {
		return "/wxsim/media/" + mediaID
	}
	return ""
}

// mediaKnown reports whether mediaID is media the platform holds; checked is
// false when that cannot be told.
func (s *Sim) mediaKnown(mediaID string) (known, checked bool) {
	return false, false
}
