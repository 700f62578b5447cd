package wechattest

import (
	"net/http"
	"slices"

	"github.com/wxkit/wechat"
)

func (s *Server) blacklistRoutes() {
	s.api(http.MethodPost, "/cgi-bin/tags/members/getblacklist", s.blacklistGet)
	s.api(http.MethodPost, "/cgi-bin/tags/members/batchblacklist", func(c *call) (any, error) { return s.blacklistBatch(c, true) })
	s.api(http.MethodPost, "/cgi-bin/tags/members/batchunblacklist", func(c *call) (any, error) { return s.blacklistBatch(c, false) })
}

// isBlocked reports whether openID is on the blacklist. s.mu must be held.
func (s *Server) isBlocked(openID string) bool {
	return slices.Contains(s.users.blocked, openID)
}

func (s *Server) blacklistGet(c *call) (any, error) {
	var req struct {
		BeginOpenID string `json:"begin_openid"`
	}
	if len(c.body) > 0 { // WeChat documents the body; an empty one starts from the beginning
		if err := c.bind(&req); err != nil {
			return nil, err
		}
	}
	return s.page(s.users.blocked, req.BeginOpenID, func(string) bool { return true }, true)
}

// blacklistBatch blocks (add) or unblocks the users of the request, all or none:
// 40031 empty list (a guess), 40032 more than 20, 40003 a user the account does
// not have. Unblocking a user who is not blocked changes nothing.
func (s *Server) blacklistBatch(c *call, add bool) (any, error) {
	var req struct {
		OpenIDs []string `json:"openid_list"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	if err := checkOpenIDList(req.OpenIDs, blockBatchLimit); err != nil {
		return nil, err
	}
	for _, id := range req.OpenIDs {
		if s.users.users[id] == nil {
			return nil, apiError(wechat.CodeInvalidOpenID, "invalid openid")
		}
	}
	for _, id := range req.OpenIDs {
		switch blocked := s.isBlocked(id); {
		case add && !blocked:
			s.users.blocked = append(s.users.blocked, id)
		case !add && blocked:
			s.users.blocked = slices.DeleteFunc(s.users.blocked, func(b string) bool { return b == id })
		}
	}
	return ok(), nil
}
