package wechattest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/wxkit/wechat"
)

// Paths of the temporary-media APIs (临时素材) and article images the fake serves.
const (
	PathMediaUpload    = "/cgi-bin/media/upload"
	PathMediaGet       = "/cgi-bin/media/get"
	PathMediaGetJSSDK  = "/cgi-bin/media/get/jssdk"
	PathMediaUploadImg = "/cgi-bin/media/uploadimg"
)

// TemporaryMediaLifetime is how long a temporary media_id works (3 days).
const TemporaryMediaLifetime = 72 * time.Hour

// mmbizHost is where WeChat serves article and material images. The fake hands
// out URLs on it, as WeChat does, and serves the same paths itself (LocalURL).
const mmbizHost = "http://mmbiz.qpic.cn"

// localMMBiz is where the fake serves the mmbiz paths.
const localMMBiz = "/wxkit-fake/mmbiz"

// mediaItem is one stored file: temporary media, permanent material, or an
// article image from uploadimg.
type mediaItem struct {
	id        string
	kind      string // image, voice, video, thumb, news
	permanent bool
	name      string // the uploaded file name
	data      []byte
	created   time.Time
	updated   time.Time
	url       string     // images: the mmbiz URL
	title     string     // permanent video
	intro     string     // permanent video
	news      []NewsItem // news material
}

// mediaState is the media store: by media_id, the permanent ones also in the
// order added, and article images by their URL path.
type mediaState struct {
	items     map[string]*mediaItem
	permanent []*mediaItem
	images    map[string]*mediaItem // "/mmbiz_png/<id>/0" -> image
}

// mediaRule is WeChat's table for one media type: size limit, the errcode of a
// file above it, and the extensions taken.
type mediaRule struct {
	max      int
	tooLarge int
	exts     []string
}

// Temporary media (media.md §2.1). The image limit is 10 MB although the page's
// summary says 2 MB: the spec says a fake should accept up to 10 MB.
var temporaryRules = map[string]mediaRule{
	"image": {10 << 20, wechat.CodeImageTooLarge, []string{"png", "jpeg", "jpg", "gif"}},
	"voice": {2 << 20, wechat.CodeInvalidVoiceSize, []string{"amr", "mp3"}},
	"video": {10 << 20, wechat.CodeInvalidVideoSize, []string{"mp4"}},
	"thumb": {64 << 10, wechat.CodeInvalidThumbSize, []string{"jpg"}},
}

// Permanent material (media.md §3.1) and article images (§4: jpg/png under 1 MB).
var (
	permanentRules = map[string]mediaRule{
		"image": {10 << 20, wechat.CodeImageTooLarge, []string{"bmp", "png", "jpeg", "jpg", "gif"}},
		"voice": {2 << 20, wechat.CodeInvalidVoiceSize, []string{"mp3", "wma", "wav", "amr"}},
		"video": {10 << 20, wechat.CodeInvalidVideoSize, []string{"mp4"}},
		"thumb": {64 << 10, wechat.CodeInvalidThumbSize, []string{"jpg"}},
	}
	articleImageRule = mediaRule{1<<20 - 1, wechat.CodeImageTooLarge, []string{"jpg", "jpeg", "png"}}
)

func (s *Server) mediaRoutes() {
	s.content.media = mediaState{items: map[string]*mediaItem{}, images: map[string]*mediaItem{}}
	s.api(http.MethodPost, PathMediaUpload, s.mediaUpload)
	s.api(http.MethodGet, PathMediaGet, func(c *call) (any, error) { return s.mediaGet(c, false) })
	s.api(http.MethodGet, PathMediaGetJSSDK, func(c *call) (any, error) { return s.mediaGet(c, true) })
	s.api(http.MethodPost, PathMediaUploadImg, s.mediaUploadImg)
	// The files behind the URLs the fake hands out: article images, material
	// images and videos. No token, as on WeChat's CDN.
	s.mux.HandleFunc("GET "+localMMBiz+"/", s.serveImage)
	s.mux.HandleFunc("GET /wxkit-fake/video/{id}", s.serveVideo)
}

// upload is what a multipart upload carried.
type upload struct {
	name   string // the media part's file name
	data   []byte
	fields map[string]string
}

// upload reads the multipart body: 41005 without a media part, 44001 when the
// file is empty.
func (c *call) upload() (*upload, error) {
	missing := apiError(wechat.CodeMediaDataMissing, "media data missing")
	_, params, err := mime.ParseMediaType(c.header.Get("Content-Type"))
	if err != nil || !isMultipart(c.header) || params["boundary"] == "" {
		return nil, missing
	}
	up := &upload{fields: map[string]string{}}
	found := false
	mr := multipart.NewReader(bytes.NewReader(c.body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, missing
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return nil, missing
		}
		if p.FormName() == "media" {
			found, up.name, up.data = true, p.FileName(), data
		} else {
			up.fields[p.FormName()] = string(data)
		}
	}
	switch {
	case !found:
		return nil, missing
	case len(up.data) == 0:
		return nil, apiError(wechat.CodeMediaFileEmpty, "empty media data")
	}
	return up, nil
}

// check applies rule to up: 40113 without an extension (WeChat tells the type by
// it), 40005 for one the type does not take, the type's errcode when too large.
func (r mediaRule) check(up *upload) error {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(up.name), "."))
	switch {
	case ext == "":
		return apiError(wechat.CodeUnsupportedFileType, "unsupported file type hint: the file name has no extension")
	case !slices.Contains(r.exts, ext):
		return apiError(wechat.CodeInvalidFileType, "invalid file type: "+ext)
	case len(up.data) > r.max:
		return apiError(r.tooLarge, fmt.Sprintf("invalid file size: %d bytes, the limit is %d", len(up.data), r.max))
	}
	return nil
}

// typedUpload reads the upload of the type the query names and checks it
// against that type's rule in rules: 40004 for a type rules lacks.
func (c *call) typedUpload(rules map[string]mediaRule) (kind string, up *upload, err error) {
	kind = c.query.Get("type")
	rule, ok := rules[kind]
	if !ok {
		return "", nil, apiError(wechat.CodeInvalidMediaType, "invalid media type")
	}
	if up, err = c.upload(); err != nil {
		return "", nil, err
	}
	if err := rule.check(up); err != nil {
		return "", nil, err
	}
	return kind, up, nil
}

func (s *Server) mediaUpload(c *call) (any, error) {
	kind, up, err := c.typedUpload(temporaryRules)
	if err != nil {
		return nil, err
	}
	m := s.storeMedia(kind, up, false, c.now)
	idKey := "media_id"
	if kind == "thumb" {
		idKey = "thumb_media_id" // older docs and SDKs: clients must read both
	}
	return map[string]any{"type": kind, idKey: m.id, "created_at": c.now.Unix()}, nil
}

func (s *Server) storeMedia(kind string, up *upload, permanent bool, now time.Time) *mediaItem {
	m := &mediaItem{id: newMediaID(), kind: kind, permanent: permanent, name: up.name, data: up.data, created: now, updated: now}
	st := &s.content.media
	st.items[m.id] = m
	if permanent {
		st.permanent = append(st.permanent, m)
		if kind == "image" {
			m.url = s.addImage(m, up.name)
		}
	}
	return m
}

// addImage files m under a new mmbiz path and returns its URL.
func (s *Server) addImage(m *mediaItem, name string) string {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(name), "."))
	format := map[string]string{"jpg": "jpeg", "jpeg": "jpeg", "png": "png", "gif": "gif", "bmp": "bmp"}[ext]
	path := "/mmbiz_" + format + "/" + randomHex(16) + "/0"
	s.content.media.images[path] = m
	return mmbizHost + path + "?wx_fmt=" + format
}

// newMediaID looks like WeChat's: 64 characters of [A-Za-z0-9_-].
func newMediaID() string { return "wxkit" + randomHex(29) + "_x" }

// lookup returns the media media_id names, valid now: 40007 when unknown or a
// temporary one older than 3 days.
func (s *Server) lookup(id string, now time.Time) (*mediaItem, error) {
	m, ok := s.content.media.items[id]
	if !ok || (!m.permanent && now.Sub(m.created) >= TemporaryMediaLifetime) {
		return nil, apiError(wechat.CodeInvalidMediaID, "invalid media_id")
	}
	return m, nil
}

func (s *Server) mediaGet(c *call, hd bool) (any, error) {
	id := c.query.Get("media_id")
	if id == "" {
		return nil, apiError(wechat.CodeMediaIDMissing, "media_id missing")
	}
	m, err := s.lookup(id, c.now)
	if err != nil || m.permanent {
		return nil, apiError(wechat.CodeInvalidMediaID, "invalid media_id")
	}
	switch {
	case hd && m.kind != "voice":
		return nil, apiError(wechat.CodeInvalidMediaID, "invalid media_id: not a voice")
	case hd: // WeChat converts to speex 16 kHz; the fake hands the file back as it is
		return rawFile{name: m.id + ".speex", contentType: "audio/speex", data: m.data}, nil
	case m.kind == "video":
		return map[string]any{"video_url": s.URL() + "/wxkit-fake/video/" + m.id}, nil
	}
	return rawFile{name: m.id + filepath.Ext(m.name), contentType: contentTypeOf(m.name), data: m.data}, nil
}

func (s *Server) mediaUploadImg(c *call) (any, error) {
	up, err := c.upload()
	if err != nil {
		return nil, err
	}
	if err := articleImageRule.check(up); err != nil {
		return nil, err
	}
	m := &mediaItem{kind: "image", name: up.name, data: up.data, created: c.now, updated: c.now}
	return map[string]any{"url": s.addImage(m, up.name), "errcode": 0, "errmsg": "ok"}, nil
}

func (s *Server) serveImage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	m := s.content.media.images[strings.TrimPrefix(r.URL.Path, localMMBiz)]
	s.mu.Unlock()
	if m == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", contentTypeOf(m.name))
	w.Write(m.data)
}

func (s *Server) serveVideo(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	m := s.content.media.items[r.PathValue("id")]
	s.mu.Unlock()
	if m == nil || m.kind != "video" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "video/mp4")
	w.Write(m.data)
}

// LocalURL turns an image URL the platform handed out (http://mmbiz.qpic.cn/…)
// into one this server answers, for a browser or a test to fetch. Other URLs
// are returned as they are.
func (s *Server) LocalURL(u string) string {
	if rest, ok := strings.CutPrefix(u, mmbizHost); ok {
		return s.URL() + localMMBiz + rest
	}
	return u
}

// MediaCount returns how many temporary media the platform holds that are still
// valid, and how many permanent materials.
func (s *Server) MediaCount() (temporary, permanent int) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.content.media.items {
		switch {
		case m.permanent:
			permanent++
		case now.Sub(m.created) < TemporaryMediaLifetime:
			temporary++
		}
	}
	return temporary, permanent
}

// rawFile is a file reply: what media/get and get_material send instead of JSON.
type rawFile struct {
	name, contentType string
	data              []byte
}

func (f rawFile) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", f.contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+f.name+`"`)
	w.Write(f.data)
}

func contentTypeOf(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".png":
		return "image/png"
	case ".gif":
		return "image/gif"
	case ".bmp":
		return "image/bmp"
	case ".amr":
		return "audio/amr"
	case ".mp3":
		return "audio/mpeg"
	case ".mp4":
		return "video/mp4"
	}
	return "application/octet-stream"
}
