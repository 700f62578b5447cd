package customerservice

import (
	"context"
	"errors"
	"fmt"

	"github.com/wxkit/wechat"
)

// ErrOutsideWindow means WeChat refused a customer-service message with errcode
// 45015: the follower has not written to the account in the last 48 hours, or no
// longer follows it. Retrying does not help. Wait until they write again (a
// message opens a new 48-hour window) or reach them with a template message.
// Errors from Send match it with errors.Is and still carry the *wechat.Error, so
// wechat.Code(err) is 45015.
var ErrOutsideWindow = errors.New("customerservice: outside the 48-hour window: the follower has not written to the account in the last 48 hours or has unfollowed; wait for their next message or send a template message instead")

// ErrEmptyOpenID is returned, before any request, when an OpenID argument is "".
var ErrEmptyOpenID = errors.New("customerservice: empty openid")

// SendOption is an optional setting of Send.
type SendOption func(*sendSettings)

type sendSettings struct{ kfAccount string }

// As sends the message as the kf account kfAccount ("prefix@wechatid"): the
// follower sees that agent's name and avatar.
func As(kfAccount string) SendOption { return func(s *sendSettings) { s.kfAccount = kfAccount } }

// Send sends m to the follower toOpenID (发送客服消息). WeChat allows it only within
// 48 hours of the follower's last message; outside that window the error matches
// ErrOutsideWindow. Other errcodes worth handling: 40003 not a follower, 43019
// blacklisted, 45047 message quota of this interaction used up, 48002 the follower
// turned messages off.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Service_Center_messages.html
func (s *Service) Send(ctx context.Context, toOpenID string, m Message, opts ...SendOption) error {
	if toOpenID == "" {
		return ErrEmptyOpenID
	}
	if m == nil {
		return errors.New("customerservice: nil message")
	}
	p, err := m.payload()
	if err != nil {
		return fmt.Errorf("customerservice: %w", err)
	}
	var set sendSettings
	for _, o := range opts {
		o(&set)
	}
	body := map[string]any{"touser": toOpenID, "msgtype": m.MsgType(), string(m.MsgType()): p}
	if set.kfAccount != "" {
		body["customservice"] = map[string]string{"kf_account": set.kfAccount}
	}
	return explain(s.oa.PostJSON(ctx, "/cgi-bin/message/custom/send", nil, body, nil))
}

// explain wraps a 45015 reply so that it also matches ErrOutsideWindow.
func explain(err error) error {
	if wechat.Code(err) == wechat.CodeReplyWindowExpired {
		return fmt.Errorf("%w: %w", ErrOutsideWindow, err)
	}
	return err
}
