package media

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/url"
	"time"

	"github.com/wxkit/wechat/internal/paging"
	"github.com/wxkit/wechat/officialaccount"
)

// Permanent calls the permanent-material APIs (永久素材): the account's library,
// also shown in the web console. Images and news material are capped at
// 100,000, every other type at 1,000, console uploads included.
type Permanent struct {
	oa *officialaccount.OfficialAccount
}

// Permanent returns the permanent-material calls of the service.
func (s *Service) Permanent() *Permanent { return &Permanent{oa: s.oa} }

// Added is material WeChat stored.
type Added struct {
	MediaID string
	// URL is set for images. It shows only on Tencent's own pages; inside
	// article HTML use Service.UploadImage's URL.
	URL string
}

// Add stores r, a file called name, as permanent material of type typ (新增其他类型
// 永久素材); a video needs AddVideo. Limits, checked before any byte is sent:
// image 10 MB (bmp, png, jpeg, jpg, gif), voice 2 MB and at most 60 s (mp3,
// wma, wav, amr), thumb 64 KB (jpg). A draft's cover (thumb_media_id) is an
// image added here.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_addmaterial.html
func (p *Permanent) Add(ctx context.Context, typ Type, name string, r io.Reader) (*Added, error) {
	if typ == Video {
		return nil, errors.New("media: a permanent video needs a title: use AddVideo")
	}
	return p.add(ctx, typ, name, r, nil)
}

// AddVideo stores r, an mp4 of at most 10 MB called name, as a permanent video
// with its title and introduction (description) (新增永久素材, type video).
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_addmaterial.html
func (p *Permanent) AddVideo(ctx context.Context, name string, r io.Reader, title, introduction string) (*Added, error) {
	if title == "" {
		return nil, errors.New("media: a permanent video needs a title")
	}
	desc, err := json.Marshal(map[string]string{"title": title, "introduction": introduction})
	if err != nil {
		return nil, err
	}
	return p.add(ctx, Video, name, r, map[string]string{"description": string(desc)})
}

func (p *Permanent) add(ctx context.Context, typ Type, name string, r io.Reader, params map[string]string) (*Added, error) {
	if err := CheckName(typ, name, true); err != nil {
		return nil, err
	}
	f := permanentRules[typ].file(name, r)
	f.Params = params
	var w struct {
		MediaID string `json:"media_id"`
		URL     string `json:"url"`
	}
	if err := p.oa.Upload(ctx, "/cgi-bin/material/add_material", url.Values{"type": {string(typ)}}, f, &w); err != nil {
		return nil, err
	}
	return &Added{MediaID: w.MediaID, URL: w.URL}, nil
}

// Material is what Get found besides a file written to the writer: a video's
// details, or the articles of legacy news material. Both are nil for images,
// voices and thumbs, whose file went to the writer.
type Material struct {
	File  // the file written, for image, voice and thumb
	Video *VideoMaterial
	News  []NewsArticle
}

// VideoMaterial is a permanent video: fetch the file from DownURL.
type VideoMaterial struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	DownURL     string `json:"down_url"`
}

// NewsArticle is one article of legacy news material (图文素材), made before the
// draft box replaced it.
type NewsArticle struct {
	Title            string `json:"title"`
	ThumbMediaID     string `json:"thumb_media_id"`
	ThumbURL         string `json:"thumb_url"`
	ShowCoverPic     int    `json:"show_cover_pic"`
	Author           string `json:"author"`
	Digest           string `json:"digest"`
	Content          string `json:"content"`
	URL              string `json:"url"`
	ContentSourceURL string `json:"content_source_url"`
}

// Get fetches the permanent material mediaID (获取永久素材): an image, voice or
// thumb is written to w; a video or news material is returned instead. 40007:
// no such material (temporary ids included).
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_getmaterial.html
func (p *Permanent) Get(ctx context.Context, mediaID string, w io.Writer) (*Material, error) {
	if mediaID == "" {
		return nil, ErrEmptyMediaID
	}
	const path = "/cgi-bin/material/get_material"
	d, err := p.oa.Download(ctx, path, nil, map[string]string{"media_id": mediaID}, w)
	if err != nil {
		return nil, err
	}
	m := &Material{File: File{Name: d.Filename, ContentType: d.ContentType, Size: d.Size}}
	if d.JSON == nil {
		return m, nil
	}
	var v struct {
		VideoMaterial
		NewsItem []NewsArticle `json:"news_item"`
	}
	if err := json.Unmarshal(d.JSON, &v); err != nil {
		return nil, fmt.Errorf("wechat: %s: decoding reply: %w", path, err)
	}
	switch {
	case v.NewsItem != nil:
		m.News = v.NewsItem
	case v.DownURL != "" || v.Title != "":
		m.Video = &v.VideoMaterial
	default:
		return nil, fmt.Errorf("wechat: %s: a JSON reply that is neither a video, news nor an error: %.200s", path, d.JSON)
	}
	return m, nil
}

// Delete removes the permanent material mediaID (删除永久素材), also when it was
// made in the web console. Temporary media cannot be deleted. 48005: an
// auto-reply or the menu still uses it.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_delmaterial.html
func (p *Permanent) Delete(ctx context.Context, mediaID string) error {
	if mediaID == "" {
		return ErrEmptyMediaID
	}
	return p.oa.PostJSON(ctx, "/cgi-bin/material/del_material", nil, map[string]string{"media_id": mediaID}, nil)
}

// Count is how much material of each type the library holds.
type Count struct {
	Voice int `json:"voice_count"`
	Video int `json:"video_count"`
	Image int `json:"image_count"`
	News  int `json:"news_count"`
}

// Count returns how much material of each type the library holds (获取素材总数).
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_getmaterialcount.html
func (p *Permanent) Count(ctx context.Context) (*Count, error) {
	var c Count
	if err := p.oa.GetJSON(ctx, "/cgi-bin/material/get_materialcount", nil, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// Item is one material of a list.
type Item struct {
	MediaID    string
	Name       string // the file name; "" for news
	URL        string // images
	UpdateTime time.Time
	News       []NewsArticle // news material
}

// Page is one page of a material list.
type Page struct {
	Total int // material of the type in the library
	Items []Item
}

// MaxPage is the most items one List call returns.
const MaxPage = 20

// List returns up to count (1 to 20) materials of type typ (image, video, voice
// or news) from position offset, 0-based (获取素材列表). All walks every page.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_batchgetmaterial.html
func (p *Permanent) List(ctx context.Context, typ Type, offset, count int) (*Page, error) {
	switch {
	case typ != Image && typ != Video && typ != Voice && typ != News:
		return nil, fmt.Errorf("media: cannot list type %q: use image, video, voice or news", typ)
	case count < 1 || count > MaxPage:
		return nil, fmt.Errorf("media: count is %d, it must be 1 to %d", count, MaxPage)
	case offset < 0:
		return nil, fmt.Errorf("media: offset is %d, it must not be negative", offset)
	}
	body := map[string]any{"type": typ, "offset": offset, "count": count}
	var w struct {
		TotalCount int `json:"total_count"`
		Item       []struct {
			MediaID    string `json:"media_id"`
			Name       string `json:"name"`
			URL        string `json:"url"`
			UpdateTime int64  `json:"update_time"`
			Content    struct {
				NewsItem []NewsArticle `json:"news_item"`
			} `json:"content"`
		} `json:"item"`
	}
	if err := p.oa.PostJSON(ctx, "/cgi-bin/material/batchget_material", nil, body, &w); err != nil {
		return nil, err
	}
	pg := &Page{Total: w.TotalCount, Items: make([]Item, len(w.Item))}
	for i, it := range w.Item {
		pg.Items[i] = Item{MediaID: it.MediaID, Name: it.Name, URL: it.URL, UpdateTime: time.Unix(it.UpdateTime, 0), News: it.Content.NewsItem}
	}
	return pg, nil
}

// All yields every material of type typ, fetching pages of 20 as the loop
// reaches them. An error is yielded once, with a zero Item, and ends it.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_batchgetmaterial.html
func (p *Permanent) All(ctx context.Context, typ Type) iter.Seq2[Item, error] {
	return paging.Offset(MaxPage, func(offset, count int) ([]Item, int, error) {
		pg, err := p.List(ctx, typ, offset, count)
		if err != nil {
			return nil, 0, err
		}
		return pg.Items, pg.Total, nil
	})
}
