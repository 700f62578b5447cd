package user

import (
	"context"
	"iter"
)

// MaxBlacklistBatch is how many users one block or unblock call takes.
const MaxBlacklistBatch = 20

// Blacklist lists the users the account has blocked (黑名单): List for one page,
// All for every user, as Service does for followers. Block and Unblock change it.
// It is safe for concurrent use.
type Blacklist struct{ s *Service }

// Blacklist returns the account's blacklist: user.New(oa).Blacklist().All(ctx).
func (s *Service) Blacklist() *Blacklist { return &Blacklist{s: s} }

// List fetches one page of up to 10,000 blocked users (获取公众号的黑名单列表),
// starting after beginOpenID ("" for the first page). All walks every page for
// you.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/User_Management/Manage_blacklist.html
func (b *Blacklist) List(ctx context.Context, beginOpenID string) (*Page, error) {
	body := struct {
		BeginOpenID string `json:"begin_openid"`
	}{beginOpenID}
	var w pageWire
	if err := b.s.oa.PostJSON(ctx, "/cgi-bin/tags/members/getblacklist", nil, body, &w); err != nil {
		return nil, err
	}
	return w.page(), nil
}

// All yields the OpenID of every blocked user, fetching pages of 10,000 as the
// loop reaches them. Breaking out of the loop stops it; an error is yielded once,
// with "", and ends the sequence.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/User_Management/Manage_blacklist.html
func (b *Blacklist) All(ctx context.Context) iter.Seq2[string, error] {
	return walk(ctx, b.List)
}

// Block puts every user in openIDs on the blacklist (拉黑用户), one request per 20
// users. Blocked users cannot be sent messages (errcode 43019). WeChat offers it to
// verified accounts. On an error, the users of the earlier requests are blocked.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/User_Management/Manage_blacklist.html
func (s *Service) Block(ctx context.Context, openIDs []string) error {
	return s.batchBlacklist(ctx, "/cgi-bin/tags/members/batchblacklist", openIDs)
}

// Unblock takes every user in openIDs off the blacklist (取消拉黑用户), one request
// per 20 users. On an error, the users of the earlier requests are unblocked.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/User_Management/Manage_blacklist.html
func (s *Service) Unblock(ctx context.Context, openIDs []string) error {
	return s.batchBlacklist(ctx, "/cgi-bin/tags/members/batchunblacklist", openIDs)
}

func (s *Service) batchBlacklist(ctx context.Context, path string, openIDs []string) error {
	if err := checkOpenIDs(openIDs); err != nil {
		return err
	}
	for _, chunk := range chunks(openIDs, MaxBlacklistBatch) {
		body := struct {
			OpenIDs []string `json:"openid_list"`
		}{chunk}
		if err := s.oa.PostJSON(ctx, path, nil, body, nil); err != nil {
			return err
		}
	}
	return nil
}
