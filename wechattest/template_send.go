package wechattest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wxkit/wechat"
)

func (s *Server) templateSend(c *call) (any, error) {
	var req struct {
		ToUser      string `json:"touser"`
		TemplateID  string `json:"template_id"`
		URL         string `json:"url"`
		MiniProgram struct {
			AppID    string `json:"appid"`
			PagePath string `json:"pagepath"`
		} `json:"miniprogram"`
		ClientMsgID string `json:"client_msg_id"`
		Data        map[string]struct {
			Value string `json:"value"`
			Color string `json:"color"`
		} `json:"data"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	if err := s.checkRecipient(req.ToUser); err != nil {
		return nil, err
	}
	st := &s.templates
	i, found := st.find(req.TemplateID)
	if !found {
		return nil, apiError(wechat.CodeInvalidTemplateID, "invalid template_id")
	}
	data := make(map[string]string, len(req.Data))
	for k, v := range req.Data {
		data[k] = v.Value
	}
	if err := checkTemplateData(st.private[i], data); err != nil {
		return nil, err
	}
	key := req.ToUser + "\x00" + req.ClientMsgID
	if prev, dup := st.clientIDs[key]; dup && req.ClientMsgID != "" && c.now.Sub(prev.at) < clientMsgWindow {
		return map[string]any{"errcode": 0, "errmsg": "ok", "msgid": prev.msgID}, nil
	}
	if st.lastMsgID == 0 {
		st.lastMsgID = 200228331
	}
	st.lastMsgID++
	if req.ClientMsgID != "" {
		if st.clientIDs == nil {
			st.clientIDs = map[string]clientMsg{}
		}
		st.clientIDs[key] = clientMsg{msgID: st.lastMsgID, at: c.now}
	}
	st.sent = append(st.sent, SentTemplate{
		MsgID: st.lastMsgID, ToUser: req.ToUser, TemplateID: req.TemplateID, URL: req.URL,
		MiniProgramAppID: req.MiniProgram.AppID, MiniProgramPagePath: req.MiniProgram.PagePath,
		ClientMsgID: req.ClientMsgID, Data: data, At: c.now,
	})
	sent, t := st.sent[len(st.sent)-1], st.private[i]
	s.deliver(Delivery{Template: &sent, TemplateTitle: t.Title, TemplateContent: t.Content})
	return map[string]any{"errcode": 0, "errmsg": "ok", "msgid": st.lastMsgID}, nil
}

// checkRecipient answers 40003 for an OpenID that is not a user of the account
// and 43004 for one who unfollowed. While no follower has been seeded at all, any
// id that looks like an OpenID is accepted, so tests that never seed followers
// still work. s.mu must be held.
func (s *Server) checkRecipient(openID string) error {
	if len(s.users.users) == 0 {
		if looksLikeUserID(openID) {
			return nil
		}
		return apiError(wechat.CodeInvalidOpenID, "invalid openid")
	}
	switch u := s.users.users[openID]; {
	case u == nil:
		return apiError(wechat.CodeInvalidOpenID, "invalid openid")
	case !u.subscribed:
		return apiError(wechat.CodeMustFollow, "require subscribe")
	}
	return nil
}

var templateKey = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\.DATA\s*\}\}`)

// checkTemplateData answers 47003 naming the first key of t's content that data
// leaves empty (first and remark excepted: WeChat no longer shows them), or, for a
// category template, whose value breaks its type's rule.
func checkTemplateData(t PrivateTemplate, data map[string]string) error {
	for _, m := range templateKey.FindAllStringSubmatch(t.Content, -1) {
		key := m[1]
		if key == "first" || key == "remark" {
			continue
		}
		v := data[key]
		if v == "" {
			return apiError(wechat.CodeArgumentInvalid, fmt.Sprintf("argument invalid! data.%s.value is empty", key))
		}
		if t.Category {
			if why := keywordRule(key, v); why != "" {
				return apiError(wechat.CodeArgumentInvalid, fmt.Sprintf("argument invalid! data.%s.value %s", key, why))
			}
		}
	}
	return nil
}

// keywordRule checks the parts of a category keyword's rule that are counts of
// characters or classes of characters; the formats of time, date and amount are
// not checked. It returns what is wrong, or "".
func keywordRule(key, v string) string {
	kind := strings.TrimRight(key, "0123456789")
	n := utf8.RuneCountInString(v)
	limits := map[string]int{"thing": 20, "number": 32, "letter": 32, "symbol": 5, "character_string": 32,
		"phone_number": 17, "car_number": 8, "phrase": 5, "name": 20}
	if limit, ok := limits[kind]; ok && n > limit {
		return fmt.Sprintf("is %d characters, the limit of %s is %d", n, kind, limit)
	}
	switch kind {
	case "number":
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return "is not a number"
		}
	case "letter":
		if strings.IndexFunc(v, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') }) >= 0 {
			return "must be letters only"
		}
	}
	return ""
}
