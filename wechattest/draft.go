package wechattest

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wxkit/wechat"
)

// Paths of the draft-box APIs (草稿箱) the fake serves.
const (
	PathDraftAdd    = "/cgi-bin/draft/add"
	PathDraftGet    = "/cgi-bin/draft/get"
	PathDraftDelete = "/cgi-bin/draft/delete"
	PathDraftUpdate = "/cgi-bin/draft/update"
	PathDraftCount  = "/cgi-bin/draft/count"
	PathDraftList   = "/cgi-bin/draft/batchget"
)

// maxDraftArticles is how many articles the fake takes in one draft. The draft
// pages do not say; 8 is the legacy news limit (publishing.md §6).
const maxDraftArticles = 8

// Article is an article of a draft or a publication as the platform holds it,
// on the wire as WeChat sends it. The fake keeps its own type rather than the
// draft package's, so a wrong tag on the client side shows up in a test.
type Article struct {
	ArticleType        string       `json:"article_type,omitempty"`
	Title              string       `json:"title"`
	Author             string       `json:"author,omitempty"`
	Digest             string       `json:"digest,omitempty"`
	Content            string       `json:"content"`
	ContentSourceURL   string       `json:"content_source_url,omitempty"`
	ThumbMediaID       string       `json:"thumb_media_id,omitempty"`
	NeedOpenComment    int          `json:"need_open_comment"`
	OnlyFansCanComment int          `json:"only_fans_can_comment"`
	PicCrop2351        string       `json:"pic_crop_235_1,omitempty"`
	PicCrop11          string       `json:"pic_crop_1_1,omitempty"`
	ImageInfo          *imageInfo   `json:"image_info,omitempty"`
	CoverInfo          *coverInfo   `json:"cover_info,omitempty"`
	ProductInfo        *productInfo `json:"product_info,omitempty"`
	URL                string       `json:"url,omitempty"`       // replies: the draft's preview or the article's page
	ThumbURL           string       `json:"thumb_url,omitempty"` // replies
}

type imageInfo struct {
	ImageList []struct {
		ImageMediaID string `json:"image_media_id"`
	} `json:"image_list"`
}

type coverInfo struct {
	CropPercentList []struct {
		Ratio string `json:"ratio"`
		X1    string `json:"x1"`
		Y1    string `json:"y1"`
		X2    string `json:"x2"`
		Y2    string `json:"y2"`
	} `json:"crop_percent_list"`
}

type productInfo struct {
	FooterProductInfo struct {
		ProductKey string `json:"product_key"`
	} `json:"footer_product_info"`
}

// draft is one draft in the box.
type draft struct {
	id       string
	articles []Article
	updated  time.Time
}

type draftState struct {
	byID  map[string]*draft
	order []*draft // oldest first
}

func (s *Server) draftRoutes() {
	s.content.drafts = draftState{byID: map[string]*draft{}}
	s.api(http.MethodPost, PathDraftAdd, s.draftAdd)
	s.api(http.MethodPost, PathDraftGet, s.draftGet)
	s.api(http.MethodPost, PathDraftDelete, s.draftDelete)
	s.api(http.MethodPost, PathDraftUpdate, s.draftUpdate)
	s.api(http.MethodGet, PathDraftCount, func(*call) (any, error) {
		return map[string]any{"total_count": len(s.content.drafts.order)}, nil
	})
	s.api(http.MethodPost, PathDraftList, s.draftList)
	s.mux.HandleFunc("GET /wxkit-fake/draft/{id}/{idx}", s.serveDraft)
}

// Drafts returns the articles of every draft in the box, oldest draft first:
// what a test inspects after creating one.
func (s *Server) Drafts() map[string][]Article {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string][]Article, len(s.content.drafts.order))
	for _, d := range s.content.drafts.order {
		out[d.id] = append([]Article(nil), d.articles...)
	}
	return out
}

func (s *Server) draftAdd(c *call) (any, error) {
	var req struct {
		Articles []Article `json:"articles"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	switch n := len(req.Articles); {
	case n == 0:
		return nil, apiError(wechat.CodeNewsEmpty, "empty news data")
	case n > maxDraftArticles:
		return nil, apiError(wechat.CodeTooManyArticles, fmt.Sprintf("too many articles: %d, the fake takes %d", n, maxDraftArticles))
	}
	for i := range req.Articles {
		if err := s.checkArticle(&req.Articles[i], c.now, fmt.Sprintf("articles[%d]", i)); err != nil {
			return nil, err
		}
	}
	d := &draft{id: newMediaID(), articles: req.Articles, updated: c.now}
	s.content.drafts.byID[d.id] = d
	s.content.drafts.order = append(s.content.drafts.order, d)
	return map[string]any{"media_id": d.id}, nil
}

// checkArticle applies the article table of publishing.md §1.1 to a, naming the
// field in errmsg with 47003, WeChat's "argument invalid", where the spec gives
// no code of its own. External images are removed from the content, as WeChat
// does.
func (s *Server) checkArticle(a *Article, now time.Time, where string) error {
	bad := func(field, why string) error {
		return apiError(wechat.CodeArgumentInvalid, "argument invalid! "+where+"."+field+": "+why)
	}
	runes := utf8.RuneCountInString
	switch {
	case a.ArticleType != "" && a.ArticleType != "news" && a.ArticleType != "newspic":
		return bad("article_type", "news or newspic")
	case a.Title == "" || runes(a.Title) > 32:
		return bad("title", "1 to 32 characters")
	case runes(a.Author) > 16:
		return bad("author", "at most 16 characters")
	case runes(a.Digest) > 128:
		return bad("digest", "at most 128 characters")
	case a.Content == "":
		return bad("content", "empty")
	case runes(a.Content) >= 20000 || len(a.Content) >= 1<<20:
		return apiError(wechat.CodeContentTooLong, where+".content: 20,000 characters and 1 MB at most")
	case len(a.ContentSourceURL) > 1024 || (a.ContentSourceURL != "" && !isHTTPURL(a.ContentSourceURL)):
		return apiError(wechat.CodeInvalidSourceURL, "invalid content_source_url")
	case a.NeedOpenComment > 1 || a.NeedOpenComment < 0 || a.OnlyFansCanComment > 1 || a.OnlyFansCanComment < 0:
		return bad("need_open_comment", "0 or 1")
	}
	if a.ArticleType == "newspic" {
		if a.ImageInfo == nil || len(a.ImageInfo.ImageList) == 0 || len(a.ImageInfo.ImageList) > 20 {
			return bad("image_info.image_list", "1 to 20 images")
		}
		for _, img := range a.ImageInfo.ImageList {
			if err := s.permanentImage(img.ImageMediaID, now); err != nil {
				return err
			}
		}
	} else if err := s.permanentImage(a.ThumbMediaID, now); err != nil {
		return err // a news article needs a permanent cover image; a temporary id is 40007
	}
	a.Content = externalImg.ReplaceAllStringFunc(a.Content, func(tag string) string {
		if m := imgSrc.FindStringSubmatch(tag); m != nil && strings.HasPrefix(m[1], mmbizHost+"/") {
			return tag
		}
		return ""
	})
	a.URL, a.ThumbURL = "", ""
	return nil
}

var (
	externalImg = regexp.MustCompile(`(?i)<img\b[^>]*>`)
	imgSrc      = regexp.MustCompile(`(?i)\bsrc\s*=\s*["']([^"']*)["']`)
)

func (s *Server) permanentImage(id string, now time.Time) error {
	m, err := s.lookup(id, now)
	if err != nil || !m.permanent || (m.kind != "image" && m.kind != "thumb") {
		return apiError(wechat.CodeInvalidMediaID, "invalid media_id: a permanent image is required")
	}
	return nil
}

func isHTTPURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// draftOf returns the draft of the body's media_id (40007 when unknown).
func (s *Server) draftOf(id string) (*draft, error) {
	d, ok := s.content.drafts.byID[id]
	if !ok {
		return nil, apiError(wechat.CodeInvalidMediaID, "invalid media_id")
	}
	return d, nil
}

func (s *Server) draftGet(c *call) (any, error) {
	var req struct {
		MediaID string `json:"media_id"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	d, err := s.draftOf(req.MediaID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"news_item": s.draftItems(d, false)}, nil
}

// draftItems are d's articles as replies show them: with the preview URL and,
// when noContent, without the HTML.
func (s *Server) draftItems(d *draft, noContent bool) []Article {
	out := make([]Article, len(d.articles))
	for i, a := range d.articles {
		a.URL = s.URL() + "/wxkit-fake/draft/" + d.id + "/" + strconv.Itoa(i+1)
		if m := s.content.media.items[a.ThumbMediaID]; m != nil {
			a.ThumbURL = m.url
		}
		if noContent {
			a.Content = ""
		}
		out[i] = a
	}
	return out
}

func (s *Server) draftDelete(c *call) (any, error) {
	var req struct {
		MediaID string `json:"media_id"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	if _, err := s.draftOf(req.MediaID); err != nil {
		return nil, err
	}
	s.removeDraft(req.MediaID)
	return ok(), nil
}

// removeDraft takes a draft out of the box: deleted, published or mass-sent.
func (s *Server) removeDraft(id string) {
	st := &s.content.drafts
	delete(st.byID, id)
	for i, d := range st.order {
		if d.id == id {
			st.order = append(st.order[:i:i], st.order[i+1:]...)
			break
		}
	}
}

func (s *Server) draftUpdate(c *call) (any, error) {
	var req struct {
		MediaID  string   `json:"media_id"`
		Index    *int     `json:"index"`
		Articles *Article `json:"articles"` // one object, not an array
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	d, err := s.draftOf(req.MediaID)
	if err != nil {
		return nil, err
	}
	if req.Index == nil || *req.Index < 0 || *req.Index >= len(d.articles) { // 0-based
		return nil, apiError(wechat.CodeInvalidArticleIndex, "invalid index")
	}
	if req.Articles == nil {
		return nil, apiError(wechat.CodeNewsEmpty, "empty news data")
	}
	if err := s.checkArticle(req.Articles, c.now, "articles"); err != nil {
		return nil, err
	}
	d.articles[*req.Index] = *req.Articles
	d.updated = c.now
	return ok(), nil
}

func (s *Server) draftList(c *call) (any, error) {
	var req page
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	if err := req.check(); err != nil {
		return nil, err
	}
	all := slices.Clone(s.content.drafts.order)
	slices.Reverse(all) // newest first
	items := []map[string]any{}
	for _, d := range of(req, all) {
		items = append(items, map[string]any{
			"media_id": d.id, "update_time": d.updated.Unix(),
			"content": map[string]any{"news_item": s.draftItems(d, req.NoContent == 1)},
		})
	}
	return map[string]any{"total_count": len(all), "item_count": len(items), "item": items}, nil
}

func (s *Server) serveDraft(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	d := s.content.drafts.byID[r.PathValue("id")]
	var a *Article
	if idx, err := strconv.Atoi(r.PathValue("idx")); d != nil && err == nil && idx >= 1 && idx <= len(d.articles) {
		a = &d.articles[idx-1]
	}
	s.mu.Unlock()
	if a == nil {
		http.NotFound(w, r)
		return
	}
	s.renderArticle(w, *a, "预览 preview")
}
