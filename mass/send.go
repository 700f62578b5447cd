package mass

import (
	"context"
	"errors"
	"fmt"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/officialaccount"
)

// Service calls the mass-send APIs (群发). It is safe for concurrent use.
type Service struct {
	oa *officialaccount.OfficialAccount
}

// New returns the mass-send service of oa.
func New(oa *officialaccount.OfficialAccount) *Service { return &Service{oa: oa} }

// Limits checked before a send.
const (
	MinOpenIDs     = 2     // Send needs at least 2 OpenIDs (40130 otherwise)
	MaxOpenIDs     = 10000 // and at most 10,000
	MaxClientMsgID = 64    // bytes
)

// ErrEmptyOpenID is returned, before any request, when an OpenID argument is "".
var ErrEmptyOpenID = errors.New("mass: empty openid")

// ErrUnverified matches a 48001 answer: the account may not mass-send by API.
// Mass sending needs a verified 订阅号 or 服务号.
var ErrUnverified = errors.New("mass: the account may not mass-send by API (48001): it needs a verified 订阅号 or 服务号")

// SendOption is an option of a send.
type SendOption func(*sendSettings)

type sendSettings struct {
	clientMsgID   string
	ignoreReprint bool
}

// WithClientMsgID makes the send idempotent for 24 hours (clientmsgid, at most
// 64 bytes): WeChat refuses a second send with the same id, and the send
// functions then return the first send's msg_id, Duplicate set, instead of an
// error. Within a minute of the first, WeChat answers 45066 (retry too fast)
// instead; wait a minute and retry. Without an id WeChat uses a digest of the
// recipients and content, so an identical send within 24 hours may be refused
// too.
func WithClientMsgID(id string) SendOption { return func(s *sendSettings) { s.clientMsgID = id } }

// WithIgnoreReprint goes on with an mpnews send that the originality check
// judges a reprint, when the original allows reprinting (send_ignore_reprint=1).
// Without it such a send stops.
func WithIgnoreReprint() SendOption { return func(s *sendSettings) { s.ignoreReprint = true } }

// Sent is a mass send WeChat accepted: a job, whose outcome comes with the
// MASSSENDJOBFINISH event or from Status.
type Sent struct {
	MsgID     int64
	MsgDataID int64 // mpnews: joins the article statistics
	// Duplicate is set when WeChat had already accepted a send with the same
	// client message id (45065): MsgID is that send's, and nothing new went out.
	Duplicate bool
}

// SendToAll sends m to every follower (群发给全部用户; filter.is_to_all). The send
// enters the account's history and counts against the 1-a-day (订阅号) or
// 4-a-month (服务号) limit, web-console sends included; with 风险操作保护 on, an
// administrator must confirm it within 30 minutes or it fails.
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/notify/message/api_sendall.html
func (s *Service) SendToAll(ctx context.Context, m Message, opts ...SendOption) (*Sent, error) {
	return s.send(ctx, "/cgi-bin/message/mass/sendall", m, opts, map[string]any{"filter": map[string]any{"is_to_all": true}})
}

// SendToTag sends m to the followers tagged tagID (按标签群发). Limits as SendToAll.
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/notify/message/api_sendall.html
func (s *Service) SendToTag(ctx context.Context, tagID int, m Message, opts ...SendOption) (*Sent, error) {
	if tagID < 0 {
		return nil, fmt.Errorf("mass: tag id %d is negative", tagID)
	}
	return s.send(ctx, "/cgi-bin/message/mass/sendall", m, opts, map[string]any{"filter": map[string]any{"is_to_all": false, "tag_id": tagID}})
}

// Send sends m to openIDs, 2 to 10,000 followers (根据OpenID列表群发). Followers
// past their monthly limit, and users who no longer follow, are filtered out.
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/notify/message/api_masssend.html
func (s *Service) Send(ctx context.Context, openIDs []string, m Message, opts ...SendOption) (*Sent, error) {
	switch n := len(openIDs); {
	case n < MinOpenIDs:
		return nil, fmt.Errorf("mass: Send needs %d to %d OpenIDs, got %d (use customerservice or a preview for one)", MinOpenIDs, MaxOpenIDs, n)
	case n > MaxOpenIDs:
		return nil, fmt.Errorf("mass: Send takes at most %d OpenIDs, got %d", MaxOpenIDs, n)
	}
	for i, id := range openIDs {
		if id == "" {
			return nil, fmt.Errorf("openIDs[%d]: %w", i, ErrEmptyOpenID)
		}
	}
	return s.send(ctx, "/cgi-bin/message/mass/send", m, opts, map[string]any{"touser": openIDs})
}

func (s *Service) send(ctx context.Context, path string, m Message, opts []SendOption, fields map[string]any) (*Sent, error) {
	var set sendSettings
	for _, o := range opts {
		o(&set)
	}
	if len(set.clientMsgID) > MaxClientMsgID {
		return nil, fmt.Errorf("mass: client message id is %d bytes, the limit is %d", len(set.clientMsgID), MaxClientMsgID)
	}
	b, err := body(m, false, fields)
	if err != nil {
		return nil, err
	}
	if set.clientMsgID != "" {
		b["clientmsgid"] = set.clientMsgID
	}
	if set.ignoreReprint {
		b["send_ignore_reprint"] = 1
	}
	var w struct {
		MsgID     int64 `json:"msg_id"`
		MsgDataID int64 `json:"msg_data_id"`
	}
	err = s.oa.PostJSON(ctx, path, nil, b, &w) // a 45065 reply still names the first msg_id
	switch code := wechat.Code(err); {
	case code == wechat.CodeMassDuplicate && w.MsgID != 0:
		return &Sent{MsgID: w.MsgID, Duplicate: true}, nil
	case code == wechat.CodeAPIUnauthorized:
		return nil, fmt.Errorf("%w: %w", ErrUnverified, err)
	case err != nil:
		return nil, err
	}
	return &Sent{MsgID: w.MsgID, MsgDataID: w.MsgDataID}, nil
}

// Preview sends m to the follower openID only, as it will look (预览). Images
// take exactly one image here.
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/notify/message/api_preview.html
func (s *Service) Preview(ctx context.Context, openID string, m Message) (int64, error) {
	if openID == "" {
		return 0, ErrEmptyOpenID
	}
	return s.preview(ctx, map[string]any{"touser": openID}, m)
}

// PreviewByWxName is Preview to the WeChat ID (微信号) wxName, which need not be
// an OpenID the account knows; WeChat allows 100 of these a day.
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/notify/message/api_preview.html
func (s *Service) PreviewByWxName(ctx context.Context, wxName string, m Message) (int64, error) {
	if wxName == "" {
		return 0, errors.New("mass: empty WeChat ID")
	}
	return s.preview(ctx, map[string]any{"towxname": wxName}, m)
}

func (s *Service) preview(ctx context.Context, fields map[string]any, m Message) (int64, error) {
	b, err := body(m, true, fields)
	if err != nil {
		return 0, err
	}
	var w struct {
		MsgID int64 `json:"msg_id"`
	}
	if err := s.oa.PostJSON(ctx, "/cgi-bin/message/mass/preview", nil, b, &w); err != nil {
		return 0, err
	}
	return w.MsgID, nil
}
