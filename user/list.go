package user

import (
	"context"
	"iter"
	"net/url"
)

// Page is one page of OpenIDs from a paged list: followers, a tag's members or the
// blacklist. A page holds up to 10,000 OpenIDs.
type Page struct {
	Total      int      // followers in the whole list; WeChat sends it for followers and the blacklist
	OpenIDs    []string // this page, in WeChat's order
	NextOpenID string   // pass it to get the next page; "" when the list is done
}

// pageWire is WeChat's page object; data is absent on an empty page.
type pageWire struct {
	Total int `json:"total"`
	Count int `json:"count"`
	Data  struct {
		OpenID []string `json:"openid"`
	} `json:"data"`
	NextOpenID string `json:"next_openid"`
}

func (w *pageWire) page() *Page {
	p := &Page{Total: w.Total, OpenIDs: w.Data.OpenID, NextOpenID: w.NextOpenID}
	if w.Count == 0 || len(p.OpenIDs) == 0 {
		p.NextOpenID = "" // WeChat's end of the list, whatever else it sent
	}
	return p
}

// List fetches one page of up to 10,000 followers (关注者列表), starting after
// nextOpenID ("" for the first page). All walks every page for you.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/User_Management/Getting_a_User_List.html
func (s *Service) List(ctx context.Context, nextOpenID string) (*Page, error) {
	var q url.Values
	if nextOpenID != "" {
		q = url.Values{"next_openid": {nextOpenID}}
	}
	var w pageWire
	if err := s.oa.GetJSON(ctx, "/cgi-bin/user/get", q, &w); err != nil {
		return nil, err
	}
	return w.page(), nil
}

// All yields the OpenID of every follower, fetching pages of 10,000 as the loop
// reaches them. Breaking out of the loop stops it: no further page is requested.
// An error is yielded once, with "", and ends the sequence.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/User_Management/Getting_a_User_List.html
func (s *Service) All(ctx context.Context) iter.Seq2[string, error] {
	return walk(ctx, s.List)
}

// walk yields every OpenID of a paged list, calling fetch with "" and then with
// each page's NextOpenID until a page is empty or has no next.
func walk(ctx context.Context, fetch func(context.Context, string) (*Page, error)) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		next := ""
		for {
			p, err := fetch(ctx, next)
			if err != nil {
				yield("", err)
				return
			}
			for _, id := range p.OpenIDs {
				if !yield(id, nil) {
					return
				}
			}
			if p.NextOpenID == "" || p.NextOpenID == next { // the second guards against a loop
				return
			}
			next = p.NextOpenID
		}
	}
}
