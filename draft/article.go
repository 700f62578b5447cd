package draft

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// ArticleType is the kind of an article (文章类型).
type ArticleType string

const (
	News    ArticleType = "news"    // 图文消息, the default: HTML with a cover image
	NewsPic ArticleType = "newspic" // 图片消息 (贴图): up to 20 images and plain text
)

// Limits of an article (publishing.md §1.1). Characters are Unicode code points.
const (
	MaxTitle         = 32
	MaxAuthor        = 16
	MaxDigest        = 128
	MaxContent       = 20000   // characters: the content must be shorter
	MaxContentBytes  = 1 << 20 // and shorter than 1 MB
	MaxSourceURL     = 1024    // bytes
	MaxNewsPicImages = 20
)

// Article is one article of a draft.
type Article struct {
	Type   ArticleType // "" means News
	Title  string      // required; at most 32 characters
	Author string      // news; at most 16 characters
	// Digest is the summary (摘要), news only, at most 128 characters. WeChat
	// keeps it only in single-article drafts; empty means the first 54
	// characters of the content.
	Digest string
	// Content is the article: HTML for news (JavaScript is stripped), plain
	// text for newspic. Under 20,000 characters and 1 MB. Images must come from
	// media.UploadImage (mmbiz.qpic.cn): WeChat removes any other.
	Content          string
	ContentSourceURL string // "read the original" (阅读原文) link, at most 1 KB
	ThumbMediaID     string // news: the cover, a permanent image (media.Permanent().Add); required

	OpenComment        bool // need_open_comment: open comments (留言)
	OnlyFansCanComment bool // only followers may comment

	// PicCrop2351 and PicCrop11 crop the news cover to 2.35:1 and 1:1:
	// "X1_Y1_X2_Y2", coordinates from (0,0) top left to (1,1) bottom right.
	PicCrop2351 string
	PicCrop11   string

	Images     []string    // newspic: 1 to 20 permanent image media_ids; the first is the cover
	CoverCrops []CoverCrop // newspic: crops of the cover
	ProductKey string      // a product card (商品卡片) key, from the channels shop

	// Set by Get and List: the draft's temporary preview link and the
	// cover's URL.
	URL      string
	ThumbURL string
}

// CoverCrop is one crop of a newspic cover: Ratio "1_1", "16_9" or "2.35_1",
// and the corners as WeChat takes them, decimal strings from 0 to 1.
type CoverCrop struct {
	Ratio          string
	X1, Y1, X2, Y2 string
}

// ErrExternalImage matches the error of an article whose HTML shows images that
// did not come from media.UploadImage; the error lists them.
var ErrExternalImage = errors.New("draft: images not uploaded with media.UploadImage (WeChat removes them)")

// externalImageError lists the images WeChat would remove; it matches
// ErrExternalImage.
type externalImageError []string

func (e externalImageError) Error() string {
	return "images not uploaded with media.UploadImage (WeChat removes them): " + strings.Join(e, ", ")
}

func (e externalImageError) Is(target error) bool { return target == ErrExternalImage }

// Validate checks a against WeChat's limits and names the first field that
// breaks one. Add and Update call it before sending.
func (a *Article) Validate() error {
	runes := utf8.RuneCountInString
	switch {
	case a.Type != "" && a.Type != News && a.Type != NewsPic:
		return fmt.Errorf("type is %q, want news or newspic", a.Type)
	case a.Title == "":
		return errors.New("title is empty")
	case runes(a.Title) > MaxTitle:
		return fmt.Errorf("title is %d characters, the limit is %d", runes(a.Title), MaxTitle)
	case runes(a.Author) > MaxAuthor:
		return fmt.Errorf("author is %d characters, the limit is %d", runes(a.Author), MaxAuthor)
	case runes(a.Digest) > MaxDigest:
		return fmt.Errorf("digest is %d characters, the limit is %d", runes(a.Digest), MaxDigest)
	case strings.TrimSpace(a.Content) == "":
		return errors.New("content is empty")
	case runes(a.Content) >= MaxContent:
		return fmt.Errorf("content is %d characters, it must be under %d", runes(a.Content), MaxContent)
	case len(a.Content) >= MaxContentBytes:
		return fmt.Errorf("content is %d bytes, it must be under 1 MB", len(a.Content))
	case len(a.ContentSourceURL) > MaxSourceURL:
		return fmt.Errorf("content source URL is %d bytes, the limit is %d", len(a.ContentSourceURL), MaxSourceURL)
	case a.ContentSourceURL != "" && !isHTTPURL(a.ContentSourceURL):
		return fmt.Errorf("content source URL %q is not an http(s) URL", a.ContentSourceURL)
	}
	for _, c := range []struct{ name, v string }{{"pic crop 2.35:1", a.PicCrop2351}, {"pic crop 1:1", a.PicCrop11}} {
		if c.v != "" && !validCrop(strings.Split(c.v, "_")) {
			return fmt.Errorf("%s is %q, want X1_Y1_X2_Y2 with coordinates from 0 to 1", c.name, c.v)
		}
	}
	if a.Type == NewsPic {
		return a.validateNewsPic()
	}
	if a.ThumbMediaID == "" {
		return errors.New("a news article needs a cover: ThumbMediaID, a permanent image's media_id")
	}
	if bad := ExternalImages(a.Content); len(bad) > 0 {
		return externalImageError(bad)
	}
	return nil
}

func (a *Article) validateNewsPic() error {
	switch n := len(a.Images); {
	case n == 0:
		return errors.New("a newspic article needs 1 to 20 Images")
	case n > MaxNewsPicImages:
		return fmt.Errorf("a newspic article has %d images, the limit is %d", n, MaxNewsPicImages)
	}
	for i, id := range a.Images {
		if id == "" {
			return fmt.Errorf("images[%d] is empty", i)
		}
	}
	for i, c := range a.CoverCrops {
		if c.Ratio != "1_1" && c.Ratio != "16_9" && c.Ratio != "2.35_1" {
			return fmt.Errorf("cover crop %d: ratio %q, want 1_1, 16_9 or 2.35_1", i, c.Ratio)
		}
		if !validCrop([]string{c.X1, c.Y1, c.X2, c.Y2}) {
			return fmt.Errorf("cover crop %d: coordinates must be decimals from 0 to 1", i)
		}
	}
	return nil
}

func validCrop(parts []string) bool {
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		f, err := strconv.ParseFloat(p, 64)
		if err != nil || f < 0 || f > 1 {
			return false
		}
	}
	return true
}

func isHTTPURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// imageHost is where media.UploadImage's URLs point. Only these survive in
// article HTML.
const imageHost = "mmbiz.qpic.cn"

// ExternalImages returns the src of every <img> in content that WeChat would
// remove because it does not come from media.UploadImage, in order of
// appearance, each once.
func ExternalImages(content string) []string {
	var bad []string
	z := html.NewTokenizer(strings.NewReader(content))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return bad
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if string(name) != "img" {
				continue
			}
			src := ""
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				if string(k) == "src" {
					src = string(v)
				}
			}
			if u, err := url.Parse(src); err != nil || u.Hostname() != imageHost || (u.Scheme != "http" && u.Scheme != "https") {
				if !slices.Contains(bad, src) {
					bad = append(bad, src)
				}
			}
		}
	}
}
