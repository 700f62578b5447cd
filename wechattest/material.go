package wechattest

import (
	"encoding/json"
	"net/http"
	"path/filepath"

	"github.com/wxkit/wechat"
)

// Paths of the permanent-material APIs (永久素材) the fake serves.
const (
	PathMaterialAdd    = "/cgi-bin/material/add_material"
	PathMaterialGet    = "/cgi-bin/material/get_material"
	PathMaterialDelete = "/cgi-bin/material/del_material"
	PathMaterialCount  = "/cgi-bin/material/get_materialcount"
	PathMaterialList   = "/cgi-bin/material/batchget_material"
)

// Library caps (media.md §3). The spec is unsure whether images and news share
// the 100,000; the fake counts them apart. WeChat does not document the errcode
// of a full library: the fake answers 45001 (media file too large) and says so.
var materialCaps = map[string]int{"image": 100000, "news": 100000, "voice": 1000, "video": 1000, "thumb": 1000}

// NewsItem is one article of legacy news material (图文素材), which only
// AddNewsMaterial creates now that add_news is retired (45103).
type NewsItem struct {
	Title            string `json:"title"`
	Author           string `json:"author"`
	Digest           string `json:"digest"`
	Content          string `json:"content"`
	ContentSourceURL string `json:"content_source_url"`
	ThumbMediaID     string `json:"thumb_media_id"`
	ShowCoverPic     int    `json:"show_cover_pic"`
	URL              string `json:"url"`
	ThumbURL         string `json:"thumb_url"`
}

// AddNewsMaterial stores legacy news material made before the draft box and
// returns its media_id.
func (s *Server) AddNewsMaterial(items ...NewsItem) string {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	m := &mediaItem{id: newMediaID(), kind: "news", permanent: true, news: items, created: now, updated: now}
	s.content.media.items[m.id] = m
	s.content.media.permanent = append(s.content.media.permanent, m)
	return m.id
}

func (s *Server) materialRoutes() {
	s.api(http.MethodPost, PathMaterialAdd, s.materialAdd)
	s.api(http.MethodPost, PathMaterialGet, s.materialGet)
	s.api(http.MethodPost, PathMaterialDelete, s.materialDelete)
	s.api(http.MethodGet, PathMaterialCount, s.materialCount)
	s.api(http.MethodPost, PathMaterialList, s.materialList)
	for _, retired := range []string{"/cgi-bin/material/add_news", "/cgi-bin/material/update_news"} {
		s.api(http.MethodPost, retired, func(*call) (any, error) {
			return nil, apiError(wechat.CodeAPIRetired, "This API has been unsupported")
		})
	}
}

func (s *Server) materialAdd(c *call) (any, error) {
	kind, up, err := c.typedUpload(permanentRules)
	if err != nil {
		return nil, err
	}
	var desc struct {
		Title        string `json:"title"`
		Introduction string `json:"introduction"`
	}
	if kind == "video" {
		// The spec names no errcode for a missing description; 47003 is WeChat's
		// "argument invalid", with the field named.
		if err := json.Unmarshal([]byte(up.fields["description"]), &desc); err != nil || desc.Title == "" {
			return nil, apiError(wechat.CodeArgumentInvalid, "argument invalid! description.title")
		}
	}
	if s.materialCount1(kind) >= materialCaps[kind] {
		return nil, apiError(wechat.CodeMediaFileTooLarge, "material library is full (the fake's errcode: WeChat's is not documented)")
	}
	m := s.storeMedia(kind, up, true, c.now)
	m.title, m.intro = desc.Title, desc.Introduction
	return map[string]any{"media_id": m.id, "url": m.url}, nil
}

func (s *Server) materialCount1(kind string) int {
	n := 0
	for _, m := range s.content.media.permanent {
		if m.kind == kind {
			n++
		}
	}
	return n
}

// permanentMedia returns the permanent material of the body's media_id: 40007
// for unknown and temporary ids.
func (s *Server) permanentMedia(c *call) (*mediaItem, error) {
	var req struct {
		MediaID string `json:"media_id"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	if req.MediaID == "" {
		return nil, apiError(wechat.CodeMediaIDMissing, "media_id missing")
	}
	m, err := s.lookup(req.MediaID, c.now)
	if err != nil || !m.permanent {
		return nil, apiError(wechat.CodeInvalidMediaID, "invalid media_id")
	}
	return m, nil
}

func (s *Server) materialGet(c *call) (any, error) {
	m, err := s.permanentMedia(c)
	if err != nil {
		return nil, err
	}
	switch m.kind {
	case "news":
		return map[string]any{"news_item": m.news}, nil
	case "video":
		return map[string]any{"title": m.title, "description": m.intro, "down_url": s.URL() + "/wxkit-fake/video/" + m.id}, nil
	}
	return rawFile{name: m.id + filepath.Ext(m.name), contentType: contentTypeOf(m.name), data: m.data}, nil
}

func (s *Server) materialDelete(c *call) (any, error) {
	m, err := s.permanentMedia(c)
	if err != nil {
		return nil, err
	}
	if s.menuUses(m.id) {
		return nil, apiError(wechat.CodeMaterialInUse, "the material is used by the menu")
	}
	st := &s.content.media
	delete(st.items, m.id)
	for i, p := range st.permanent {
		if p == m {
			st.permanent = append(st.permanent[:i:i], st.permanent[i+1:]...)
			break
		}
	}
	for path, img := range st.images {
		if img == m {
			delete(st.images, path)
		}
	}
	return ok(), nil
}

// menuUses reports whether a button of the default menu sends the material id.
func (s *Server) menuUses(id string) bool {
	var walk func([]menuButton) bool
	walk = func(bs []menuButton) bool {
		for _, b := range bs {
			if b.MediaID == id || walk(b.SubButton) {
				return true
			}
		}
		return false
	}
	return walk(s.menus.main)
}

func (s *Server) materialCount(*call) (any, error) {
	return map[string]any{
		"voice_count": s.materialCount1("voice"), "video_count": s.materialCount1("video"),
		"image_count": s.materialCount1("image"), "news_count": s.materialCount1("news"),
	}, nil
}

func (s *Server) materialList(c *call) (any, error) {
	var req struct {
		Type string `json:"type"`
		page
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	if req.Type != "image" && req.Type != "video" && req.Type != "voice" && req.Type != "news" {
		return nil, apiError(wechat.CodeInvalidMediaType, "invalid media type")
	}
	if err := req.check(); err != nil {
		return nil, err
	}
	var all []*mediaItem // newest first, as the web console lists them
	for i := len(s.content.media.permanent) - 1; i >= 0; i-- {
		if m := s.content.media.permanent[i]; m.kind == req.Type {
			all = append(all, m)
		}
	}
	items := []map[string]any{}
	for _, m := range of(req.page, all) {
		item := map[string]any{"media_id": m.id, "update_time": m.updated.Unix()}
		if m.kind == "news" {
			item["content"] = map[string]any{"news_item": m.news}
		} else {
			item["name"], item["url"] = m.name, m.url
		}
		items = append(items, item)
	}
	return map[string]any{"total_count": len(all), "item_count": len(items), "item": items}, nil
}
