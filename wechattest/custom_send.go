package wechattest

import (
	"encoding/json"
	"time"

	"github.com/wxkit/wechat"
)

// customSend checks the message, then the recipient's state: 40003 not a follower
// of the account, 40008 unknown msgtype, the payload rules of the type, 65401 an
// unknown kf account, 43019 blacklisted, 45015 no message from the follower within
// 48 hours. WeChat's per-trigger quotas (5 messages per follower message, 45047)
// are not enforced.
func (s *Server) customSend(c *call) (any, error) {
	var req map[string]json.RawMessage
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	var to, msgType string
	var cs struct {
		KfAccount string `json:"kf_account"`
	}
	if json.Unmarshal(req["touser"], &to) != nil || json.Unmarshal(req["msgtype"], &msgType) != nil {
		return nil, apiError(wechat.CodeBodyUnparsable, "data format error")
	}
	if raw, ok := req["customservice"]; ok && json.Unmarshal(raw, &cs) != nil {
		return nil, apiError(wechat.CodeBodyUnparsable, "data format error")
	}
	u := s.users.users[to]
	if u == nil {
		return nil, apiError(wechat.CodeInvalidOpenID, "invalid openid")
	}
	content, err := checkPayload(msgType, req[msgType])
	if err != nil {
		return nil, err
	}
	if cs.KfAccount != "" && s.kfAccount(cs.KfAccount) == nil {
		return nil, apiError(wechat.CodeInvalidKfAccount, "invalid kf_account")
	}
	if err := s.checkWindow(to, c.now); err != nil {
		return nil, err
	}
	delete(s.kf.typing, to) // a message ends the typing state
	s.kf.sent = append(s.kf.sent, SentMessage{
		ToUser: to, MsgType: msgType, KfAccount: cs.KfAccount, Content: content,
		Body: append([]byte(nil), c.body...), At: c.now,
	})
	sent := s.kf.sent[len(s.kf.sent)-1]
	s.deliver(Delivery{Message: &sent})
	return ok(), nil
}

// checkWindow answers 45015 for a user who unfollowed or has not written within 48
// hours, and 43019 for a blacklisted one.
func (s *Server) checkWindow(openID string, now time.Time) error {
	if !s.isFollower(openID) {
		return apiError(wechat.CodeReplyWindowExpired, "response out of time limit or subscription is canceled")
	}
	if s.isBlocked(openID) {
		return apiError(wechat.CodeBlacklisted, "user in blacklist")
	}
	last, ok := s.inbound[openID]
	if !ok || now.Sub(last) > replyWindow {
		return apiError(wechat.CodeReplyWindowExpired, "response out of time limit or subscription is canceled")
	}
	return nil
}

// payload holds every field any msgtype's payload has.
type payload struct {
	Content      string            `json:"content"`
	MediaID      string            `json:"media_id"`
	ThumbMediaID string            `json:"thumb_media_id"`
	Articles     []json.RawMessage `json:"articles"`
	ArticleID    string            `json:"article_id"`
	List         []json.RawMessage `json:"list"`
	CardID       string            `json:"card_id"`
	AppID        string            `json:"appid"`
	PagePath     string            `json:"pagepath"`
}

// checkPayload checks the payload of msgType and returns the text content. The
// spec documents 40008, 44004, 44003 and 45008; for other missing fields it names
// no code, so the fake answers 40007 (invalid media_id) for a missing media id and
// 47003 (argument invalid) for the rest: both guesses.
func checkPayload(msgType string, raw json.RawMessage) (string, error) {
	var p payload
	if len(raw) > 0 && json.Unmarshal(raw, &p) != nil {
		return "", apiError(wechat.CodeBodyUnparsable, "data format error")
	}
	missing := func(field string) error {
		return apiError(wechat.CodeArgumentInvalid, "argument invalid! "+msgType+"."+field)
	}
	switch msgType {
	case "text":
		if p.Content == "" {
			return "", apiError(wechat.CodeTextEmpty, "empty content")
		}
	case "image", "voice", "video", "mpnews":
		if p.MediaID == "" {
			return "", apiError(wechat.CodeInvalidMediaID, "invalid media_id")
		}
	case "music":
		if p.ThumbMediaID == "" {
			return "", apiError(wechat.CodeInvalidMediaID, "invalid thumb_media_id")
		}
	case "news":
		switch {
		case len(p.Articles) == 0:
			return "", apiError(wechat.CodeNewsEmpty, "empty news data")
		case len(p.Articles) > 1:
			return "", apiError(wechat.CodeTooManyArticles, "article size out of limit")
		}
	case "mpnewsarticle":
		if p.ArticleID == "" {
			return "", missing("article_id")
		}
	case "msgmenu":
		if len(p.List) == 0 {
			return "", missing("list")
		}
	case "wxcard":
		if p.CardID == "" {
			return "", missing("card_id")
		}
	case "miniprogrampage":
		switch {
		case p.AppID == "":
			return "", missing("appid")
		case p.PagePath == "":
			return "", missing("pagepath")
		case p.ThumbMediaID == "":
			return "", missing("thumb_media_id")
		}
	default:
		return "", apiError(wechat.CodeInvalidMessageType, "invalid message type")
	}
	return p.Content, nil
}

// customTyping answers 40003 for a non-follower, 45072 for a command other than
// Typing and CancelTyping, 45080 when the follower wrote nothing in the last 30 s
// (the spec says "an exchange"; the fake counts the follower's messages only) and
// 45081 when already typing.
func (s *Server) customTyping(c *call) (any, error) {
	var req struct {
		ToUser  string `json:"touser"`
		Command string `json:"command"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	if _, err := s.follower(req.ToUser); err != nil {
		return nil, err
	}
	switch req.Command {
	case "Typing":
	case "CancelTyping":
		delete(s.kf.typing, req.ToUser)
		return ok(), nil
	default:
		return nil, apiError(wechat.CodeTypingInvalidCommand, "invalid command")
	}
	if last, ok := s.inbound[req.ToUser]; !ok || c.now.Sub(last) > typingExchange {
		return nil, apiError(wechat.CodeTypingNoInteraction, "no message exchange with the user in the last 30 seconds")
	}
	if c.now.Before(s.kf.typing[req.ToUser]) {
		return nil, apiError(wechat.CodeTypingAlreadyTyping, "already in typing state")
	}
	s.kf.typing[req.ToUser] = c.now.Add(typingLasts)
	return ok(), nil
}
