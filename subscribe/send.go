package subscribe

import (
	"context"
	"errors"
	"fmt"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/officialaccount"
)

// Service calls the subscription-notification APIs (订阅通知). It is safe for
// concurrent use.
type Service struct {
	oa *officialaccount.OfficialAccount
}

// New returns the subscription-notification service of oa.
func New(oa *officialaccount.OfficialAccount) *Service { return &Service{oa: oa} }

// ErrNoConsent matches a 43101 answer: the follower has not accepted the
// template, turned it off, or used up a one-time consent (one message per
// acceptance). Ask them to accept again; retrying does not help.
var ErrNoConsent = errors.New("subscribe: no consent (43101): the user has not accepted this template, turned it off, or used up a one-time consent")

// ErrEmptyOpenID is returned, before any request, for a message without ToUser.
var ErrEmptyOpenID = errors.New("subscribe: empty openid")

// Message is a subscription notification.
type Message struct {
	ToUser     string // the user's OpenID; they need not follow the account
	TemplateID string // a template of the account (Templates().Add)
	// Data maps each keyword of the template (thing1, time2, …) to its value.
	Data map[string]string
	// Page is the web page the notification opens; MiniProgram, when set,
	// wins over it; with neither the notification opens nothing. (WeChat's
	// current page calls page a mini-program path; the older page and the SDKs
	// a URL.)
	Page        string
	MiniProgram *MiniProgram
	// MiniProgramState (developer, trial or formal) and Lang (zh_CN, en_US,
	// zh_HK, zh_TW) are listed by WeChat's current page, which looks copied from
	// the mini-program API; they are sent only when set.
	MiniProgramState string
	Lang             string
}

// MiniProgram is the mini program a notification opens.
type MiniProgram struct {
	AppID    string `json:"appid"`
	PagePath string `json:"pagepath"`
}

// Send sends m (发送订阅通知). The keyword values are checked first (CheckData).
// Errcodes worth handling: 43101 (matches ErrNoConsent), 47003 a value WeChat
// refused (errmsg names the key), 40037 unknown template, 40003 bad openid,
// 41030 bad page. The delivery result arrives as subscribe_msg_sent_event.
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/notify/notify/api_sendnewsubscribemsg.html
func (s *Service) Send(ctx context.Context, m Message) error {
	switch {
	case m.ToUser == "":
		return ErrEmptyOpenID
	case m.TemplateID == "":
		return errors.New("subscribe: empty template id")
	case len(m.Data) == 0:
		return errors.New("subscribe: no data")
	case m.MiniProgram != nil && m.MiniProgram.AppID == "":
		return errors.New("subscribe: MiniProgram without an AppID")
	}
	if err := CheckData(m.Data); err != nil {
		return err
	}
	data := make(map[string]map[string]string, len(m.Data))
	for k, v := range m.Data {
		data[k] = map[string]string{"value": v}
	}
	body := map[string]any{"touser": m.ToUser, "template_id": m.TemplateID, "data": data}
	for k, v := range map[string]string{"page": m.Page, "miniprogram_state": m.MiniProgramState, "lang": m.Lang} {
		if v != "" {
			body[k] = v
		}
	}
	if m.MiniProgram != nil {
		body["miniprogram"] = m.MiniProgram
	}
	err := s.oa.PostJSON(ctx, "/cgi-bin/message/subscribe/bizsend", nil, body, nil)
	if wechat.Code(err) == wechat.CodeUserRefused {
		return fmt.Errorf("%w: %w", ErrNoConsent, err)
	}
	return err
}
