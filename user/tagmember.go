package user

import (
	"context"
	"iter"
)

// MaxTagBatch is how many users one tagging or untagging call takes.
const MaxTagBatch = 50

// TagUsers puts the tag tagID on every user in openIDs (批量为用户打标签), one
// request per 50 users. A user already carrying 20 tags fails the call with
// errcode 45059. On an error, the users of the earlier requests are already tagged.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/User_Management/User_Tag_Management.html
func (s *Service) TagUsers(ctx context.Context, tagID int, openIDs []string) error {
	return s.batchTag(ctx, "/cgi-bin/tags/members/batchtagging", tagID, openIDs)
}

// UntagUsers takes the tag tagID off every user in openIDs (批量为用户取消标签), one
// request per 50 users. On an error, the users of the earlier requests are already
// untagged.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/User_Management/User_Tag_Management.html
func (s *Service) UntagUsers(ctx context.Context, tagID int, openIDs []string) error {
	return s.batchTag(ctx, "/cgi-bin/tags/members/batchuntagging", tagID, openIDs)
}

func (s *Service) batchTag(ctx context.Context, path string, tagID int, openIDs []string) error {
	if err := checkOpenIDs(openIDs); err != nil {
		return err
	}
	for _, chunk := range chunks(openIDs, MaxTagBatch) {
		body := struct {
			OpenIDs []string `json:"openid_list"`
			TagID   int      `json:"tagid"`
		}{chunk, tagID}
		if err := s.oa.PostJSON(ctx, path, nil, body, nil); err != nil {
			return err
		}
	}
	return nil
}

// UserTags returns the ids of the tags on the user openID (获取用户身上的标签列表).
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/User_Management/User_Tag_Management.html
func (s *Service) UserTags(ctx context.Context, openID string) ([]int, error) {
	if openID == "" {
		return nil, ErrEmptyOpenID
	}
	body := struct {
		OpenID string `json:"openid"`
	}{openID}
	var resp struct {
		TagIDs []int `json:"tagid_list"`
	}
	if err := s.oa.PostJSON(ctx, "/cgi-bin/tags/getidlist", nil, body, &resp); err != nil {
		return nil, err
	}
	return resp.TagIDs, nil
}

// TagMembersPage fetches one page of up to 10,000 followers carrying the tag
// tagID (获取标签下粉丝列表), starting after nextOpenID ("" for the first page).
// TagMembers walks every page for you.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/User_Management/User_Tag_Management.html
func (s *Service) TagMembersPage(ctx context.Context, tagID int, nextOpenID string) (*Page, error) {
	body := struct {
		TagID      int    `json:"tagid"`
		NextOpenID string `json:"next_openid"`
	}{tagID, nextOpenID}
	var w pageWire
	if err := s.oa.PostJSON(ctx, "/cgi-bin/user/tag/get", nil, body, &w); err != nil {
		return nil, err
	}
	return w.page(), nil
}

// TagMembers yields the OpenID of every follower carrying the tag tagID, fetching
// pages of 10,000 as the loop reaches them. Breaking out of the loop stops it; an
// error is yielded once, with "", and ends the sequence.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/User_Management/User_Tag_Management.html
func (s *Service) TagMembers(ctx context.Context, tagID int) iter.Seq2[string, error] {
	return walk(ctx, func(ctx context.Context, next string) (*Page, error) {
		return s.TagMembersPage(ctx, tagID, next)
	})
}
