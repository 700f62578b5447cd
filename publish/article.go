package publish

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/wxkit/wechat/internal/paging"
)

// Article is one article of a publication: a draft.Article as published, with
// its page's URL.
type Article struct {
	Title              string
	Author             string
	Digest             string
	Content            string
	ContentSourceURL   string // "read the original" (阅读原文)
	ThumbMediaID       string // the cover
	ThumbURL           string
	OpenComment        bool // comments (留言) are open
	OnlyFansCanComment bool
	URL                string // the article's page
	IsDeleted          bool   // deleted since it was published
}

// wireArticle is an article as WeChat's JSON has it, the flags 0 or 1.
type wireArticle struct {
	Title              string `json:"title"`
	Author             string `json:"author"`
	Digest             string `json:"digest"`
	Content            string `json:"content"`
	ContentSourceURL   string `json:"content_source_url"`
	ThumbMediaID       string `json:"thumb_media_id"`
	ThumbURL           string `json:"thumb_url"`
	NeedOpenComment    int    `json:"need_open_comment"`
	OnlyFansCanComment int    `json:"only_fans_can_comment"`
	URL                string `json:"url"`
	IsDeleted          bool   `json:"is_deleted"`
}

func articles(ws []wireArticle) []Article {
	out := make([]Article, len(ws))
	for i, w := range ws {
		out[i] = Article{
			Title: w.Title, Author: w.Author, Digest: w.Digest, Content: w.Content,
			ContentSourceURL: w.ContentSourceURL, ThumbMediaID: w.ThumbMediaID, ThumbURL: w.ThumbURL,
			OpenComment: w.NeedOpenComment == 1, OnlyFansCanComment: w.OnlyFansCanComment == 1,
			URL: w.URL, IsDeleted: w.IsDeleted,
		}
	}
	return out
}

// Articles returns the articles of the publication articleID (获取已发布图文信息),
// deleted ones flagged. 53600: no such publication.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/public/api_freepublishgetarticle.html
func (s *Service) Articles(ctx context.Context, articleID string) ([]Article, error) {
	if articleID == "" {
		return nil, ErrEmptyID
	}
	var w struct {
		NewsItem []wireArticle `json:"news_item"`
	}
	if err := s.oa.PostJSON(ctx, "/cgi-bin/freepublish/getarticle", nil, map[string]string{"article_id": articleID}, &w); err != nil {
		return nil, explain(err)
	}
	return articles(w.NewsItem), nil
}

// Delete deletes every article of the publication articleID (删除发布). The
// pages go offline; it cannot be undone. Delete one article with
// DeleteArticle.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/public/api_freepublish_delete.html
func (s *Service) Delete(ctx context.Context, articleID string) error {
	return s.delete(ctx, articleID, 0)
}

// DeleteArticle deletes the article at index (1-based: OneBased(1) is the
// first) of the publication articleID (删除发布, one article). It cannot be
// undone.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/public/api_freepublish_delete.html
func (s *Service) DeleteArticle(ctx context.Context, articleID string, index Index) error {
	if index.n < 1 {
		// WeChat reads 0 as "every article": refuse rather than delete them all.
		return fmt.Errorf("publish: article index %d: indexes count from 1 (OneBased(1) is the first); Delete removes every article", index.n)
	}
	return s.delete(ctx, articleID, index.n)
}

func (s *Service) delete(ctx context.Context, articleID string, index int) error {
	if articleID == "" {
		return ErrEmptyID
	}
	body := struct {
		ArticleID string `json:"article_id"`
		Index     int    `json:"index"`
	}{articleID, index}
	return explain(s.oa.PostJSON(ctx, "/cgi-bin/freepublish/delete", nil, body, nil))
}

// Publication is one publication of a list.
type Publication struct {
	ArticleID  string
	Articles   []Article
	UpdateTime time.Time
}

// Page is one page of the publication list.
type Page struct {
	Total        int
	Publications []Publication
}

// MaxPage is the most publications one List call returns.
const MaxPage = 20

// ListOption is an option of List and All.
type ListOption func(*listSettings)

type listSettings struct{ noContent bool }

// WithoutContent leaves the articles' Content out of the reply (no_content=1).
func WithoutContent() ListOption { return func(s *listSettings) { s.noContent = true } }

// List returns up to count (1 to 20) publications from position offset,
// 0-based (获取成功发布列表): those published without a push to followers. All
// walks every page.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/public/api_freepublish_batchget.html
func (s *Service) List(ctx context.Context, offset, count int, opts ...ListOption) (*Page, error) {
	if count < 1 || count > MaxPage || offset < 0 {
		return nil, fmt.Errorf("publish: offset %d and count %d: count must be 1 to %d, offset not negative", offset, count, MaxPage)
	}
	var set listSettings
	for _, o := range opts {
		o(&set)
	}
	noContent := 0
	if set.noContent {
		noContent = 1
	}
	var w struct {
		TotalCount int `json:"total_count"`
		Item       []struct {
			ArticleID string `json:"article_id"`
			Content   struct {
				NewsItem []wireArticle `json:"news_item"`
			} `json:"content"`
			UpdateTime int64 `json:"update_time"`
		} `json:"item"`
	}
	body := map[string]int{"offset": offset, "count": count, "no_content": noContent}
	if err := s.oa.PostJSON(ctx, "/cgi-bin/freepublish/batchget", nil, body, &w); err != nil {
		return nil, explain(err)
	}
	p := &Page{Total: w.TotalCount, Publications: make([]Publication, len(w.Item))}
	for i, it := range w.Item {
		p.Publications[i] = Publication{ArticleID: it.ArticleID, Articles: articles(it.Content.NewsItem), UpdateTime: time.Unix(it.UpdateTime, 0)}
	}
	return p, nil
}

// All yields every publication, fetching pages of 20 as the loop reaches
// them. An error is yielded once, with a zero Publication, and ends it.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/public/api_freepublish_batchget.html
func (s *Service) All(ctx context.Context, opts ...ListOption) iter.Seq2[Publication, error] {
	return paging.Offset(MaxPage, func(offset, count int) ([]Publication, int, error) {
		p, err := s.List(ctx, offset, count, opts...)
		if err != nil {
			return nil, 0, err
		}
		return p.Publications, p.Total, nil
	})
}
