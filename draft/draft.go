package draft

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/wxkit/wechat/internal/paging"
	"github.com/wxkit/wechat/officialaccount"
)

// Service calls the draft-box APIs (草稿箱). It is safe for concurrent use.
type Service struct {
	oa *officialaccount.OfficialAccount
}

// New returns the draft service of oa.
func New(oa *officialaccount.OfficialAccount) *Service { return &Service{oa: oa} }

// ErrEmptyMediaID is returned, before any request, for an empty media_id.
var ErrEmptyMediaID = errors.New("draft: empty media_id")

// Index is the position of an article in a draft, counted from 0 as
// draft/update counts: the first article is ZeroBased(0). It is a struct, not
// an int, so that a bare number, which publish.DeleteArticle counts from 1,
// cannot be passed here by mistake.
type Index struct{ n int }

// ZeroBased returns the index of the article at position i, the first being 0.
func ZeroBased(i int) Index { return Index{i} }

// Int returns the index counted from 0.
func (i Index) Int() int { return i.n }

// Add creates a draft of articles (新建草稿) and returns its media_id, which
// publish.Submit and mass sends take. Every article is checked first
// (Article.Validate); the error names the first that fails. The draft leaves
// the box once it is published or mass-sent. Verification is not required.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_add.html
func (s *Service) Add(ctx context.Context, articles ...Article) (string, error) {
	if len(articles) == 0 {
		return "", errors.New("draft: no articles")
	}
	body := struct {
		Articles []wireArticle `json:"articles"`
	}{make([]wireArticle, len(articles))}
	for i := range articles {
		if err := articles[i].Validate(); err != nil {
			return "", fmt.Errorf("draft: article %d (%q): %w", i, articles[i].Title, err)
		}
		body.Articles[i] = articles[i].wire()
	}
	var w struct {
		MediaID string `json:"media_id"`
	}
	if err := s.oa.PostJSON(ctx, "/cgi-bin/draft/add", nil, body, &w); err != nil {
		return "", err
	}
	return w.MediaID, nil
}

// Get returns the articles of the draft mediaID (获取草稿), each with URL, a
// temporary preview link. 40007: no such draft.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_getdraft.html
func (s *Service) Get(ctx context.Context, mediaID string) ([]Article, error) {
	if mediaID == "" {
		return nil, ErrEmptyMediaID
	}
	var w struct {
		NewsItem []wireArticle `json:"news_item"`
	}
	if err := s.oa.PostJSON(ctx, "/cgi-bin/draft/get", nil, map[string]string{"media_id": mediaID}, &w); err != nil {
		return nil, err
	}
	return articles(w.NewsItem), nil
}

// Update replaces the article at index (0-based: ZeroBased(0) is the first) of
// the draft mediaID with a (修改草稿). 40114: no article at that index.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_update.html
func (s *Service) Update(ctx context.Context, mediaID string, index Index, a Article) error {
	if mediaID == "" {
		return ErrEmptyMediaID
	}
	if index.n < 0 {
		return fmt.Errorf("draft: index %d is negative", index.n)
	}
	if err := a.Validate(); err != nil {
		return fmt.Errorf("draft: article %q: %w", a.Title, err)
	}
	body := struct {
		MediaID  string      `json:"media_id"`
		Index    int         `json:"index"`
		Articles wireArticle `json:"articles"` // one object, not a list
	}{mediaID, index.n, a.wire()}
	return s.oa.PostJSON(ctx, "/cgi-bin/draft/update", nil, body, nil)
}

// Delete deletes the draft mediaID (删除草稿). It cannot be undone.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_delete.html
func (s *Service) Delete(ctx context.Context, mediaID string) error {
	if mediaID == "" {
		return ErrEmptyMediaID
	}
	return s.oa.PostJSON(ctx, "/cgi-bin/draft/delete", nil, map[string]string{"media_id": mediaID}, nil)
}

// Count returns how many drafts the box holds (获取草稿总数).
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_count.html
func (s *Service) Count(ctx context.Context) (int, error) {
	var w struct {
		TotalCount int `json:"total_count"`
	}
	if err := s.oa.GetJSON(ctx, "/cgi-bin/draft/count", nil, &w); err != nil {
		return 0, err
	}
	return w.TotalCount, nil
}

// Draft is one draft of a list.
type Draft struct {
	MediaID    string
	Articles   []Article
	UpdateTime time.Time
}

// Page is one page of the draft list.
type Page struct {
	Total  int // drafts in the box
	Drafts []Draft
}

// MaxPage is the most drafts one List call returns.
const MaxPage = 20

// ListOption is an option of List and All.
type ListOption func(*listSettings)

type listSettings struct{ noContent bool }

// WithoutContent leaves the articles' Content out of the reply (no_content=1).
func WithoutContent() ListOption { return func(s *listSettings) { s.noContent = true } }

// List returns up to count (1 to 20) drafts from position offset, 0-based
// (获取草稿列表). All walks every page.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_batchget.html
func (s *Service) List(ctx context.Context, offset, count int, opts ...ListOption) (*Page, error) {
	if count < 1 || count > MaxPage || offset < 0 {
		return nil, fmt.Errorf("draft: offset %d and count %d: count must be 1 to %d, offset not negative", offset, count, MaxPage)
	}
	var set listSettings
	for _, o := range opts {
		o(&set)
	}
	body := map[string]int{"offset": offset, "count": count, "no_content": boolInt(set.noContent)}
	var w struct {
		TotalCount int `json:"total_count"`
		Item       []struct {
			MediaID string `json:"media_id"`
			Content struct {
				NewsItem []wireArticle `json:"news_item"`
			} `json:"content"`
			UpdateTime int64 `json:"update_time"`
		} `json:"item"`
	}
	if err := s.oa.PostJSON(ctx, "/cgi-bin/draft/batchget", nil, body, &w); err != nil {
		return nil, err
	}
	p := &Page{Total: w.TotalCount, Drafts: make([]Draft, len(w.Item))}
	for i, it := range w.Item {
		p.Drafts[i] = Draft{MediaID: it.MediaID, Articles: articles(it.Content.NewsItem), UpdateTime: time.Unix(it.UpdateTime, 0)}
	}
	return p, nil
}

// All yields every draft, fetching pages of 20 as the loop reaches them. An
// error is yielded once, with a zero Draft, and ends it.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_batchget.html
func (s *Service) All(ctx context.Context, opts ...ListOption) iter.Seq2[Draft, error] {
	return paging.Offset(MaxPage, func(offset, count int) ([]Draft, int, error) {
		p, err := s.List(ctx, offset, count, opts...)
		if err != nil {
			return nil, 0, err
		}
		return p.Drafts, p.Total, nil
	})
}
