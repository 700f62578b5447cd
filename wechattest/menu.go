package wechattest

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/wxkit/wechat"
)

// Paths of the custom-menu APIs the fake serves.
const (
	PathMenuCreate         = "/cgi-bin/menu/create"
	PathMenuGet            = "/cgi-bin/menu/get"
	PathMenuDelete         = "/cgi-bin/menu/delete"
	PathMenuAddConditional = "/cgi-bin/menu/addconditional"
	PathMenuDelConditional = "/cgi-bin/menu/delconditional"
	PathMenuTryMatch       = "/cgi-bin/menu/trymatch"
	PathSelfMenuInfo       = "/cgi-bin/get_current_selfmenu_info"
)

// MenuUser is what trymatch matches personalized menus against for one user: the
// client platform ("1" iOS, "2" Android, "3" others) and the user's tag ids, the
// most recently applied last (WeChat matches on that one).
type MenuUser struct {
	Platform string
	TagIDs   []string
}

// SetMenuUser tells trymatch about userID (an OpenID or WeChat ID): its platform,
// and its tags when they should differ from the follower's tags (nil TagIDs keeps
// those). See menuUser for who trymatch knows.
func (s *Server) SetMenuUser(userID string, u MenuUser) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.menus.users == nil {
		s.menus.users = map[string]MenuUser{}
	}
	s.menus.users[userID] = u
}

// menuState is the menu API's state: the default menu, the personalized menus
// (oldest first) and what trymatch knows about users.
type menuState struct {
	main        []menuButton // nil: no default menu
	mainID      int64
	conditional []conditionalMenu
	lastID      int64
	users       map[string]MenuUser
}

type conditionalMenu struct {
	id      int64
	buttons []menuButton
	rule    matchRule
}

// menuButton is a button on the wire. The fake keeps its own types rather than the
// menu package's, so a wrong tag on the client side shows up as a failing test.
type menuButton struct {
	Type      string       `json:"type,omitempty"`
	Name      string       `json:"name"`
	Key       string       `json:"key,omitempty"`
	URL       string       `json:"url,omitempty"`
	AppID     string       `json:"appid,omitempty"`
	PagePath  string       `json:"pagepath,omitempty"`
	MediaID   string       `json:"media_id,omitempty"`
	ArticleID string       `json:"article_id,omitempty"`
	SubButton []menuButton `json:"sub_button"` // replies carry "sub_button":[] on leaves, as WeChat's do
}

type matchRule struct {
	TagID              string `json:"tag_id,omitempty"`
	ClientPlatformType string `json:"client_platform_type,omitempty"`
	GroupID            string `json:"group_id,omitempty"`
	Sex                string `json:"sex,omitempty"`
	Country            string `json:"country,omitempty"`
	Province           string `json:"province,omitempty"`
	City               string `json:"city,omitempty"`
	Language           string `json:"language,omitempty"`
}

func (r matchRule) hasPrivacy() bool {
	return r.Sex != "" || r.Country != "" || r.Province != "" || r.City != "" || r.Language != ""
}

func (s *Server) menuRoutes() {
	for path, perDay := range map[string]int{ // WeChat's documented daily quotas
		PathMenuCreate: 1000, PathMenuGet: 10000, PathMenuDelete: 1000,
		PathMenuAddConditional: 2000, PathMenuDelConditional: 2000, PathMenuTryMatch: 20000,
	} {
		s.quota[path] = perDay
	}
	s.api(http.MethodPost, PathMenuCreate, s.menuCreate)
	s.api(http.MethodGet, PathMenuGet, s.menuGet)
	s.api(http.MethodGet, PathMenuDelete, s.menuDelete)
	s.api(http.MethodPost, PathMenuAddConditional, s.menuAddConditional)
	s.api(http.MethodPost, PathMenuDelConditional, s.menuDelConditional)
	s.api(http.MethodPost, PathMenuTryMatch, s.menuTryMatch)
	s.api(http.MethodGet, PathSelfMenuInfo, s.selfMenuInfo)
}

func (s *Server) menuCreate(c *call) (any, error) {
	var req struct {
		Button []menuButton `json:"button"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	if err := checkMenu(req.Button); err != nil {
		return nil, err
	}
	st := &s.menus
	st.lastID++
	st.main, st.mainID = normalize(req.Button), st.lastID
	return ok(), nil
}

func (s *Server) menuGet(*call) (any, error) {
	st := &s.menus
	if st.main == nil {
		return nil, apiError(wechat.CodeMenuNotExist, "menu no exist")
	}
	main := map[string]any{"button": st.main}
	reply := map[string]any{"menu": main}
	if len(st.conditional) > 0 { // WeChat sends menuid only alongside personalized menus
		main["menuid"] = st.mainID
		var list []map[string]any
		for _, m := range st.conditional {
			list = append(list, map[string]any{"button": m.buttons, "matchrule": m.rule, "menuid": m.id})
		}
		reply["conditionalmenu"] = list
	}
	return reply, nil
}

// menuDelete removes everything. WeChat's docs do not say what deleting a missing
// menu answers; the fake answers ok, as deleting is idempotent.
func (s *Server) menuDelete(*call) (any, error) {
	s.menus.main, s.menus.conditional = nil, nil
	return ok(), nil
}

func (s *Server) menuAddConditional(c *call) (any, error) {
	var req struct {
		Button    []menuButton `json:"button"`
		MatchRule matchRule    `json:"matchrule"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	st := &s.menus
	if st.main == nil {
		return nil, apiError(wechat.CodeNoDefaultMenu, "no default menu, can not create conditional menu")
	}
	if err := checkMatchRule(req.MatchRule); err != nil {
		return nil, err
	}
	if err := checkMenu(req.Button); err != nil {
		return nil, err
	}
	// The number of personalized menus an account may hold (65305) is not
	// documented; the fake sets no limit.
	domains := map[string]bool{}
	for _, m := range append(st.conditional, conditionalMenu{buttons: req.Button}) {
		collectDomains(m.buttons, domains)
	}
	if len(domains) > 3 {
		return nil, apiError(wechat.CodeMenuTooManyDomains, "too many url domains in conditional menus, the limit is 3")
	}
	st.lastID++
	st.conditional = append(st.conditional, conditionalMenu{id: st.lastID, buttons: normalize(req.Button), rule: req.MatchRule})
	return map[string]any{"menuid": strconv.FormatInt(st.lastID, 10)}, nil
}

func (s *Server) menuDelConditional(c *call) (any, error) {
	var req struct {
		MenuID flexID `json:"menuid"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	st := &s.menus
	for i, m := range st.conditional {
		if strconv.FormatInt(m.id, 10) == string(req.MenuID) {
			st.conditional = append(st.conditional[:i:i], st.conditional[i+1:]...)
			return ok(), nil
		}
	}
	return nil, apiError(wechat.CodeConditionalMenuNotFound, "menuid not exist")
}

// menuTryMatch answers the menu userID sees, or 65302 for a user it does not know.
func (s *Server) menuTryMatch(c *call) (any, error) {
	var req struct {
		UserID string `json:"user_id"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	st := &s.menus
	u, known := s.menuUser(req.UserID)
	if !known {
		return nil, apiError(wechat.CodeTryMatchNoUser, "not exist user")
	}
	if st.main == nil {
		return nil, apiError(wechat.CodeMenuNotExist, "menu no exist")
	}
	for i := len(st.conditional) - 1; i >= 0; i-- { // newest first; the first match wins
		if m := st.conditional[i]; ruleMatches(m.rule, u) {
			return map[string]any{"button": m.buttons}, nil
		}
	}
	return map[string]any{"button": st.main}, nil
}

// menuUser is what trymatch knows of id: a follower (with the tags the tag APIs
// gave it) or a user set with SetMenuUser. While no follower has been seeded at
// all, any id that looks like an OpenID or WeChat ID is a user with no platform
// and no tags, so tests that never seed followers still work. s.mu must be held.
func (s *Server) menuUser(id string) (MenuUser, bool) {
	u, set := s.menus.users[id]
	if f := s.users.users[id]; f != nil && f.subscribed {
		if u.TagIDs == nil {
			for _, t := range f.tags {
				u.TagIDs = append(u.TagIDs, strconv.Itoa(t))
			}
		}
		return u, true
	}
	if set {
		return u, true
	}
	return u, len(s.users.users) == 0 && looksLikeUserID(id)
}

// ruleMatches follows WeChat: every field set must match; rules with privacy fields
// silently stop matching; only the user's most recent tag counts. The fake has no
// legacy groups, so a group_id rule never matches.
func ruleMatches(r matchRule, u MenuUser) bool {
	if r.hasPrivacy() || r.GroupID != "" {
		return false
	}
	if r.TagID != "" && (len(u.TagIDs) == 0 || u.TagIDs[len(u.TagIDs)-1] != r.TagID) {
		return false
	}
	return r.ClientPlatformType == "" || r.ClientPlatformType == u.Platform
}

// selfMenuInfo derives the live menu from the API-created default menu. With no
// menu it answers is_menu_open 0 and no selfmenu_info (WeChat's exact reply for
// that case is not in the spec).
func (s *Server) selfMenuInfo(*call) (any, error) {
	if s.menus.main == nil {
		return map[string]any{"is_menu_open": 0}, nil
	}
	buttons := make([]map[string]any, 0, len(s.menus.main))
	for _, b := range s.menus.main {
		buttons = append(buttons, selfButton(b))
	}
	return map[string]any{"is_menu_open": 1, "selfmenu_info": map[string]any{"button": buttons}}, nil
}

// selfButton is b in get_current_selfmenu_info's shape: sub_button is an object
// with a list. For API types the fake echoes the create fields (the spec does not
// show what WeChat reports for media_id or article_id buttons here).
func selfButton(b menuButton) map[string]any {
	out := map[string]any{"name": b.Name}
	if len(b.SubButton) > 0 {
		list := make([]map[string]any, 0, len(b.SubButton))
		for _, sub := range b.SubButton {
			list = append(list, selfButton(sub))
		}
		out["sub_button"] = map[string]any{"list": list}
		return out
	}
	for k, v := range map[string]string{"type": b.Type, "key": b.Key, "url": b.URL, "appid": b.AppID,
		"pagepath": b.PagePath, "media_id": b.MediaID, "article_id": b.ArticleID} {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// normalize copies buttons with "sub_button":[] on every leaf, as WeChat replies.
func normalize(buttons []menuButton) []menuButton {
	out := make([]menuButton, len(buttons))
	for i, b := range buttons {
		b.SubButton = normalize(b.SubButton)
		out[i] = b
	}
	return out
}

func collectDomains(buttons []menuButton, into map[string]bool) {
	for _, b := range buttons {
		if b.URL != "" {
			if u, err := url.Parse(b.URL); err == nil && u.Host != "" {
				into[u.Hostname()] = true
			}
		}
		collectDomains(b.SubButton, into)
	}
}

// looksLikeUserID accepts what an OpenID (28 characters of base64url) or a WeChat
// ID (letters, digits, _ and -) can look like.
func looksLikeUserID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// flexID reads a JSON string or number (menuid is sent both ways).
type flexID string

func (id *flexID) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		if s, err := strconv.Unquote(string(b)); err == nil {
			*id = flexID(s)
			return nil
		}
	}
	*id = flexID(b)
	return nil
}

// The fake's copy of WeChat's menu limits (bytes of UTF-8).
const (
	menuMaxButtons    = 3
	menuMaxSubButtons = 5
	menuMaxName       = 16
	menuMaxSubName    = 60
	menuMaxKey        = 128
	menuMaxURL        = 1024
)

// menuNeeds is the field each creatable type must carry.
var menuNeeds = map[string]string{
	"click": "key", "scancode_push": "key", "scancode_waitmsg": "key", "pic_sysphoto": "key",
	"pic_photo_or_album": "key", "pic_weixin": "key", "location_select": "key",
	"view": "url", "miniprogram": "url",
	"media_id": "media_id", "view_limited": "media_id",
	"article_id": "article_id", "article_view_limited": "article_id",
}
