package user

import (
	"context"
	"iter"
)

// MaxTagBatch is how many users one tagging or untagging call takes.
const MaxTagBatch = 50

// BatchTag puts the tag tagID on every user in openIDs (批量为用户打标签), one
// request per 50 users. A user already carrying 20 tags fails the call with
// errcode 45059. On an error, the users of the earlier requests are already tagged.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/User_Management/User_Tag_Management.html
func (s *Service) BatchTag(ctx context.Context, tagID int, openIDs []string) error {
	return s.batchTag(ctx, "/cgi-bin/tags/members/batchtagging", tagID, openIDs)
}

// BatchUntag takes the tag tagID off every user in openIDs (批量为用户取消标签), one
// request per 50 users. On an error, the users of the earlier requests are already
// untagged.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/User_Management/User_Tag_Management.html
func (s *Service) BatchUntag(ctx context.Context, tagID int, openIDs []string) error {
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

// TagIDs returns the ids of the tags on the user openID (获取用户身上的标签列表).
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/User_Management/User_Tag_Management.html
func (s *Service) TagIDs(ctx context.Context, openID string) ([]int, error) {
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

// TagMembers lists the followers carrying one tag (标签下粉丝): List for one page,
// All for every follower. It is safe for concurrent use.
type TagMembers struct {
	s     *Service
	tagID int
}

// TagMembers returns the followers carrying the tag tagID:
// user.New(oa).TagMembers(tagID).All(ctx).
func (s *Service) TagMembers(tagID int) *TagMembers { return &TagMembers{s: s, tagID: tagID} }

// List fetches one page of up to 10,000 followers carrying the tag (获取标签下粉丝列表),
// starting after nextOpenID ("" for the first page). All walks every page for
// you.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/User_Management/User_Tag_Management.html
func (tm *TagMembers) List(ctx context.Context, nextOpenID string) (*Page, error) {
	body := struct {
		TagID      int    `json:"tagid"`
		NextOpenID string `json:"next_openid"`
	}{tm.tagID, nextOpenID}
	var w pageWire
	if err := tm.s.oa.PostJSON(ctx, "/cgi-bin/user/tag/get", nil, body, &w); err != nil {
		return nil, err
	}
	return w.page(), nil
}

// All yields the OpenID of every follower carrying the tag, fetching pages of
// 10,000 as the loop reaches them. Breaking out of the loop stops it; an error is
// yielded once, with "", and ends the sequence.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/User_Management/User_Tag_Management.html
func (tm *TagMembers) All(ctx context.Context) iter.Seq2[string, error] {
	return walk(ctx, tm.List)
}
