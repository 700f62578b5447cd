package wechattest

import "net/http"

// PathAutoReplyInfo answers the auto-reply rules set in the console
// (获取自动回复规则): GET /cgi-bin/get_current_autoreply_info. wxkit wraps no
// service for it; it is what the core's examples call.
const PathAutoReplyInfo = "/cgi-bin/get_current_autoreply_info"

// AutoReply is what the console's 自动回复 page holds: the text replied to a new
// follower (关注后自动回复) and to any message (消息自动回复); "" is off. The
// fake keeps no keyword rules (关键词自动回复).
type AutoReply struct {
	OnSubscribe, OnMessage string
}

// SetAutoReply sets the account's auto-reply rules, as an admin would in the
// console. A new account has none.
func (s *Server) SetAutoReply(r AutoReply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.autoReply = r
}

func (s *Server) autoReplyRoutes() {
	s.api(http.MethodGet, PathAutoReplyInfo, func(*call) (any, error) {
		reply := map[string]any{"is_add_friend_reply_open": 0, "is_autoreply_open": 0}
		rule := func(open, info, text string) {
			if text != "" {
				reply[open] = 1
				reply[info] = map[string]string{"type": "text", "content": text}
			}
		}
		rule("is_add_friend_reply_open", "add_friend_autoreply_info", s.autoReply.OnSubscribe)
		rule("is_autoreply_open", "message_default_autoreply_info", s.autoReply.OnMessage)
		return reply, nil
	})
}
