package wechattest

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/wxkit/wechat"
)

func (s *Server) tagRoutes() {
	s.api(http.MethodPost, "/cgi-bin/tags/create", s.tagCreate)
	s.api(http.MethodGet, "/cgi-bin/tags/get", s.tagList)
	s.api(http.MethodPost, "/cgi-bin/tags/update", s.tagUpdate)
	s.api(http.MethodPost, "/cgi-bin/tags/delete", s.tagDelete)
	s.api(http.MethodPost, "/cgi-bin/user/tag/get", s.tagMembers)
	s.api(http.MethodPost, "/cgi-bin/tags/members/batchtagging", func(c *call) (any, error) { return s.tagBatch(c, true) })
	s.api(http.MethodPost, "/cgi-bin/tags/members/batchuntagging", func(c *call) (any, error) { return s.tagBatch(c, false) })
	s.api(http.MethodPost, "/cgi-bin/tags/getidlist", s.tagsOfUser)
}

type tagRequest struct {
	Tag struct {
		ID   int    `json:"id"`
		Name string `json:"name"`
	} `json:"tag"`
}

// checkTagName answers 45157 for an empty or duplicate name (except the tag self's
// own) and 45158 for one longer than 30 bytes.
func (s *Server) checkTagName(name string, self int) error {
	if name == "" {
		return apiError(wechat.CodeInvalidTagName, "invalid tag name")
	}
	if len(name) > tagNameLimit {
		return apiError(wechat.CodeTagNameTooLong, "tag name too long")
	}
	for _, t := range s.users.tags {
		if t.name == name && t.id != self {
			return apiError(wechat.CodeInvalidTagName, "invalid tag name: duplicate")
		}
	}
	return nil
}

// changeableTag returns the user-created tag id: 45058 for a system tag (0, 1, 2),
// 45159 for an unknown id.
func (s *Server) changeableTag(id int) (*fakeTag, error) {
	if id >= 0 && id <= 2 {
		return nil, apiError(wechat.CodeSystemTag, "can't modify sys tag")
	}
	t := s.users.tags[id]
	if t == nil {
		return nil, apiError(wechat.CodeInvalidTagID, "invalid tagid")
	}
	return t, nil
}

func (s *Server) tagCreate(c *call) (any, error) {
	var req tagRequest
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	if err := s.checkTagName(req.Tag.Name, -1); err != nil {
		return nil, err
	}
	// The limit of 100 counts the tags the account created; whether WeChat counts
	// its system tags too is not documented.
	if len(s.users.tags)-1 >= tagLimit {
		return nil, apiError(wechat.CodeTooManyTags, "too many tag now, no need to add new")
	}
	t := &fakeTag{id: s.users.nextTagID, name: req.Tag.Name}
	s.users.nextTagID++
	s.users.tags[t.id] = t
	return map[string]any{"tag": map[string]any{"id": t.id, "name": t.name}}, nil
}

func (s *Server) tagList(*call) (any, error) {
	ids := make([]int, 0, len(s.users.tags))
	for id := range s.users.tags {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	list := make([]map[string]any, len(ids))
	for i, id := range ids {
		list[i] = map[string]any{"id": id, "name": s.users.tags[id].name, "count": s.tagCount(id)}
	}
	return map[string]any{"tags": list}, nil
}

// tagCount is how many followers carry the tag id.
func (s *Server) tagCount(id int) int {
	n := 0
	for _, u := range s.users.users {
		if u.subscribed && slices.Contains(u.tags, id) {
			n++
		}
	}
	return n
}

func (s *Server) tagUpdate(c *call) (any, error) {
	var req tagRequest
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	t, err := s.changeableTag(req.Tag.ID)
	if err != nil {
		return nil, err
	}
	if err := s.checkTagName(req.Tag.Name, t.id); err != nil {
		return nil, err
	}
	t.name = req.Tag.Name
	return ok(), nil
}

func (s *Server) tagDelete(c *call) (any, error) {
	var req tagRequest
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	t, err := s.changeableTag(req.Tag.ID)
	if err != nil {
		return nil, err
	}
	if s.tagCount(t.id) > tagDeleteLimit {
		return nil, apiError(wechat.CodeTagTooManyFans, "too many fans in this tag, untag them first")
	}
	delete(s.users.tags, t.id)
	for _, u := range s.users.users {
		u.tags = slices.DeleteFunc(u.tags, func(id int) bool { return id == t.id })
	}
	return ok(), nil
}

func (s *Server) tagMembers(c *call) (any, error) {
	var req struct {
		TagID      int    `json:"tagid"`
		NextOpenID string `json:"next_openid"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	if s.users.tags[req.TagID] == nil {
		return nil, apiError(wechat.CodeInvalidTagID, "invalid tagid")
	}
	return s.page(s.users.order, req.NextOpenID, func(id string) bool {
		u := s.users.users[id]
		return u.subscribed && slices.Contains(u.tags, req.TagID)
	}, false)
}

// tagBatch tags (add) or untags the users of the request, all or none: 45159
// unknown tag, 40031 empty list (a guess: the spec names no code), 40032 more than
// 50, 40003 a user who does not follow, 45059 a user who would carry more than 20
// tags.
func (s *Server) tagBatch(c *call, add bool) (any, error) {
	var req struct {
		OpenIDs []string `json:"openid_list"`
		TagID   int      `json:"tagid"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	if s.users.tags[req.TagID] == nil {
		return nil, apiError(wechat.CodeInvalidTagID, "invalid tagid")
	}
	if err := checkOpenIDList(req.OpenIDs, tagBatchLimit); err != nil {
		return nil, err
	}
	users := make([]*fakeUser, len(req.OpenIDs))
	for i, id := range req.OpenIDs {
		u, err := s.follower(id)
		if err != nil {
			return nil, err
		}
		if add && !slices.Contains(u.tags, req.TagID) && len(u.tags) >= tagsPerUser {
			return nil, apiError(wechat.CodeUserTooManyTags, "user has too many tags")
		}
		users[i] = u
	}
	for _, u := range users {
		has := slices.Contains(u.tags, req.TagID)
		switch {
		case add && !has:
			u.tags = append(u.tags, req.TagID)
		case !add && has:
			u.tags = slices.DeleteFunc(u.tags, func(id int) bool { return id == req.TagID })
		}
	}
	return ok(), nil
}

// checkOpenIDList answers 40031 for an empty list (the spec names no code for it;
// 40031 "invalid openid list" is a guess) and 40032 for one longer than limit.
func checkOpenIDList(ids []string, limit int) error {
	switch {
	case len(ids) == 0:
		return apiError(wechat.CodeInvalidOpenIDList, "invalid openid list")
	case len(ids) > limit:
		return apiError(wechat.CodeOpenIDListTooLong, fmt.Sprintf("openid list too long, limit %d", limit))
	}
	return nil
}

func (s *Server) tagsOfUser(c *call) (any, error) {
	var req struct {
		OpenID string `json:"openid"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	u, err := s.follower(req.OpenID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"tagid_list": append([]int{}, u.tags...)}, nil
}
