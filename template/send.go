package template

import (
	"context"
	"errors"

	"github.com/wxkit/wechat/officialaccount"
)

// Service calls the template-message APIs (模板消息). It is safe for concurrent use.
type Service struct {
	oa *officialaccount.OfficialAccount
}

// New returns the template service of oa.
func New(oa *officialaccount.OfficialAccount) *Service { return &Service{oa: oa} }

// Message is one template message to send (模板消息).
type Message struct {
	ToUser     string `json:"touser"`      // the recipient's OpenID; must follow the account
	TemplateID string `json:"template_id"` // a private template's id (see [Service.List])
	// URL is opened when the message is tapped. With MiniProgram set too, the mini
	// program is preferred and URL is the fallback for clients that cannot open it.
	URL         string      `json:"url,omitempty"`
	MiniProgram MiniProgram `json:"miniprogram,omitzero"`
	// ClientMsgID makes the send idempotent: for the same ToUser and ClientMsgID,
	// WeChat sends one message within 10 minutes (no guarantee beyond that). WeChat
	// documents no length limit for it here.
	ClientMsgID string `json:"client_msg_id,omitempty"`
	// Data fills the template's {{key.DATA}} placeholders, such as "thing1". Since
	// 2023 "first" and "remark" are no longer shown, and category templates check
	// each value by its key's type (thing ≤ 20 characters, number, amount, time, …);
	// a bad or missing value is 47003 naming the key.
	Data map[string]Value `json:"data"`
}

// MiniProgram is the mini-program page a template message opens. The mini program
// must be linked to the account and released.
type MiniProgram struct {
	AppID    string `json:"appid"`
	PagePath string `json:"pagepath,omitempty"` // page path, may carry a query
}

// Value is the content of one template field.
type Value struct {
	Value string `json:"value"`
	// Color is a hex colour such as "#173177". WeChat no longer renders it
	// (2023); it is sent when set.
	Color string `json:"color,omitempty"`
}

// ErrMissingField is what [Message.Validate] wraps when a required field is empty.
var ErrMissingField = errors.New("template: required field missing")

// fieldError names the empty field: "template: touser is required".
type fieldError struct{ field string }

func (e fieldError) Error() string { return "template: " + e.field + " is required" }
func (e fieldError) Unwrap() error { return ErrMissingField }

// Validate checks what WeChat documents as required: touser, template_id and a
// non-empty data. Errors wrap [ErrMissingField]. Values are not checked here: their
// rules depend on the template's keyword types, which only WeChat knows.
func (m Message) Validate() error {
	var errs []error
	for _, f := range []struct{ name, v string }{{"touser", m.ToUser}, {"template_id", m.TemplateID}} {
		if f.v == "" {
			errs = append(errs, fieldError{f.name})
		}
	}
	if len(m.Data) == 0 {
		errs = append(errs, fieldError{"data"})
	}
	return errors.Join(errs...)
}

// Send sends m and returns its msgid, which the TEMPLATESENDJOBFINISH event
// carries as MsgID. Errcodes worth handling: 40003 (not a follower), 43004 (must
// follow), 40037 (unknown template_id), 47003 (a data value is missing or invalid;
// errmsg names the key), 43116 (template restricted for abuse), 45009 (daily quota).
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/notify/template/api_sendtemplatemessage.html
func (s *Service) Send(ctx context.Context, m Message) (int64, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	var reply struct {
		MsgID int64 `json:"msgid"`
	}
	if err := s.oa.PostJSON(ctx, "/cgi-bin/message/template/send", nil, m, &reply); err != nil {
		return 0, err
	}
	return reply.MsgID, nil
}
