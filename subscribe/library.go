package subscribe

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"strings"

	"github.com/wxkit/wechat/internal/paging"
	"github.com/wxkit/wechat/officialaccount"
)

// TemplateType says how long a consent lasts.
type TemplateType int

const (
	OneTime  TemplateType = 2 // 一次性订阅: one message per acceptance
	LongTerm TemplateType = 3 // 长期订阅: government, public services, medical only
)

// Category is a category of the account (类目).
type Category struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

// Keyword is a keyword of a public template: pass KID to Templates().Add.
type Keyword struct {
	KID     int    `json:"kid"`
	Name    string `json:"name"`
	Example string `json:"example"`
	Rule    string `json:"rule"` // thing, number, time, …: see CheckValue
}

// Title is a public template of the library (公共模板).
type Title struct {
	TID        int          `json:"tid"`
	Title      string       `json:"title"`
	Type       TemplateType `json:"type"`
	CategoryID int          `json:"categoryId"`
}

// MaxTitlePage is the most public templates one Library.List call returns.
const MaxTitlePage = 30

// Categories returns the account's categories, which decide the public
// templates it may use (获取类目).
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Subscription_Messages/api.html
func (s *Service) Categories(ctx context.Context) ([]Category, error) {
	var w struct {
		Data []Category `json:"data"`
	}
	if err := s.oa.GetJSON(ctx, "/wxaapi/newtmpl/getcategory", nil, &w); err != nil {
		return nil, err
	}
	return w.Data, nil
}

// Library calls the public template library (公共模板库).
type Library struct {
	oa *officialaccount.OfficialAccount
}

// Library returns the public-template calls of the service.
func (s *Service) Library() *Library { return &Library{oa: s.oa} }

// TitlePage is one page of public templates.
type TitlePage struct {
	Total  int
	Titles []Title
}

// List returns up to limit (1 to 30) public templates of the categories
// categoryIDs, from position start, 0-based (获取所属类目下的公共模板). All walks
// every page.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Subscription_Messages/api.html
func (l *Library) List(ctx context.Context, categoryIDs []int, start, limit int) (*TitlePage, error) {
	switch {
	case len(categoryIDs) == 0:
		return nil, errors.New("subscribe: no category ids")
	case limit < 1 || limit > MaxTitlePage || start < 0:
		return nil, fmt.Errorf("subscribe: start %d and limit %d: limit must be 1 to %d, start not negative", start, limit, MaxTitlePage)
	}
	ids := make([]string, len(categoryIDs))
	for i, id := range categoryIDs {
		ids[i] = strconv.Itoa(id)
	}
	q := url.Values{"ids": {strings.Join(ids, ",")}, "start": {strconv.Itoa(start)}, "limit": {strconv.Itoa(limit)}}
	var w struct {
		Count int     `json:"count"`
		Data  []Title `json:"data"`
	}
	if err := l.oa.GetJSON(ctx, "/wxaapi/newtmpl/getpubtemplatetitles", q, &w); err != nil {
		return nil, err
	}
	return &TitlePage{Total: w.Count, Titles: w.Data}, nil
}

// All yields every public template of the categories categoryIDs, fetching
// pages of 30 as the loop reaches them. An error is yielded once, with a zero
// Title, and ends it.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Subscription_Messages/api.html
func (l *Library) All(ctx context.Context, categoryIDs []int) iter.Seq2[Title, error] {
	return paging.Offset(MaxTitlePage, func(offset, count int) ([]Title, int, error) {
		p, err := l.List(ctx, categoryIDs, offset, count)
		if err != nil {
			return nil, 0, err
		}
		return p.Titles, p.Total, nil
	})
}

// Keywords returns the keywords of the public template tid (获取模板中的关键词).
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Subscription_Messages/api.html
func (l *Library) Keywords(ctx context.Context, tid int) ([]Keyword, error) {
	var w struct {
		Data []Keyword `json:"data"`
	}
	if err := l.oa.GetJSON(ctx, "/wxaapi/newtmpl/getpubtemplatekeywords", url.Values{"tid": {strconv.Itoa(tid)}}, &w); err != nil {
		return nil, err
	}
	return w.Data, nil
}
