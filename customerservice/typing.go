package customerservice

import "context"

// Typing shows the follower openID that the account is typing (正在输入), for 15
// seconds or until a message is sent. WeChat requires a message exchange with the
// follower in the last 30 seconds (errcode 45080) and refuses it while already
// typing (45081).
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Service_Center_messages.html
func (s *Service) Typing(ctx context.Context, openID string) error {
	return s.typing(ctx, openID, "Typing")
}

// CancelTyping ends the typing state shown to the follower openID.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Service_Center_messages.html
func (s *Service) CancelTyping(ctx context.Context, openID string) error {
	return s.typing(ctx, openID, "CancelTyping")
}

func (s *Service) typing(ctx context.Context, openID, command string) error {
	if openID == "" {
		return ErrEmptyOpenID
	}
	body := struct {
		ToUser  string `json:"touser"`
		Command string `json:"command"`
	}{openID, command}
	return explain(s.oa.PostJSON(ctx, "/cgi-bin/message/custom/typing", nil, body, nil))
}
