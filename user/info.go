package user

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"
)

// Info is what WeChat tells about one user of the account (用户基本信息). A user who
// does not follow the account comes back with Subscribed false, OpenID set and
// nothing else.
type Info struct {
	Subscribed     bool           `json:"-"` // subscribe: 1 following, 0 not following
	OpenID         string         `json:"openid"`
	Language       string         `json:"language,omitempty"`        // no longer provided by WeChat's docs, kept when sent
	SubscribeTime  time.Time      `json:"-"`                         // subscribe_time: the latest follow; zero when not following
	UnionID        string         `json:"unionid,omitempty"`         // only when bound to an Open Platform account
	Remark         string         `json:"remark,omitempty"`          // the operator's note (备注名)
	GroupID        int            `json:"groupid,omitempty"`         // legacy group id
	TagIDs         []int          `json:"tagid_list,omitempty"`      // tags on the user
	SubscribeScene SubscribeScene `json:"subscribe_scene,omitempty"` // how the user followed (关注的渠道来源)
	QRScene        int            `json:"qr_scene,omitempty"`        // scene id of the parametric QR code followed with
	QRSceneStr     string         `json:"qr_scene_str,omitempty"`    // string scene of that QR code

	// WeChat stopped returning these on 2021-12-27 (use OAuth web authorization
	// for them); they are filled only by older or unusual replies.
	Nickname   string `json:"nickname,omitempty"`
	HeadImgURL string `json:"headimgurl,omitempty"`
	Sex        int    `json:"sex,omitempty"`
	City       string `json:"city,omitempty"`
	Province   string `json:"province,omitempty"`
	Country    string `json:"country,omitempty"`
}

// infoWire is Info as WeChat writes it.
type infoWire struct {
	plainInfo
	Subscribe     int   `json:"subscribe"`
	SubscribeTime int64 `json:"subscribe_time,omitempty"`
}

type plainInfo Info // Info without its methods

// info returns w as an Info. The service decodes replies into infoWire, so
// that a reply is decoded once (Info's UnmarshalJSON, for callers' own JSON,
// decodes twice: json.Unmarshal validates before calling it).
func (w *infoWire) info() Info {
	in := Info(w.plainInfo)
	in.Subscribed = w.Subscribe == 1
	if w.SubscribeTime > 0 {
		in.SubscribeTime = time.Unix(w.SubscribeTime, 0)
	}
	return in
}

// UnmarshalJSON reads WeChat's user-info object.
func (in *Info) UnmarshalJSON(b []byte) error {
	var w infoWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*in = w.info()
	return nil
}

// MarshalJSON writes in as WeChat's user-info object.
func (in Info) MarshalJSON() ([]byte, error) {
	w := infoWire{plainInfo: plainInfo(in)}
	if in.Subscribed {
		w.Subscribe = 1
	}
	if !in.SubscribeTime.IsZero() {
		w.SubscribeTime = in.SubscribeTime.Unix()
	}
	return json.Marshal(w)
}

// Lang is the language of the region names in user info (国家地区语言版本).
type Lang string

// The languages WeChat accepts; zh_CN is its default.
const (
	LangZhCN Lang = "zh_CN" // simplified Chinese
	LangZhTW Lang = "zh_TW" // traditional Chinese
	LangEN   Lang = "en"    // English
)

// InfoOption is an optional setting of Info and BatchInfo.
type InfoOption func(*infoSettings)

type infoSettings struct{ lang Lang }

// WithLang asks for region names in lang: "zh_CN" (the default), "zh_TW" or "en".
// Any other value fails the call before a request is sent.
func WithLang(lang Lang) InfoOption { return func(s *infoSettings) { s.lang = lang } }

func infoOptions(opts []InfoOption) (infoSettings, error) {
	var s infoSettings
	for _, o := range opts {
		o(&s)
	}
	switch s.lang {
	case "", LangZhCN, LangZhTW, LangEN:
		return s, nil
	}
	return s, fmt.Errorf("user: lang %q is not one of zh_CN, zh_TW, en", s.lang)
}

// Info fetches what WeChat tells about the user openID. An OpenID that is not of
// this account is a *wechat.Error with code 40003 (wechat.CodeInvalidOpenID); a
// user who unfollowed comes back with Subscribed false.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/User_Management/Get_users_basic_information_UnionID.html
func (s *Service) Info(ctx context.Context, openID string, opts ...InfoOption) (*Info, error) {
	set, err := infoOptions(opts)
	if err != nil {
		return nil, err
	}
	if openID == "" {
		return nil, ErrEmptyOpenID
	}
	q := url.Values{"openid": {openID}}
	if set.lang != "" {
		q.Set("lang", string(set.lang))
	}
	var w infoWire
	if err := s.oa.GetJSON(ctx, "/cgi-bin/user/info", q, &w); err != nil {
		return nil, err
	}
	info := w.info()
	return &info, nil
}

// MaxBatchInfo is how many users one /cgi-bin/user/info/batchget call takes.
const MaxBatchInfo = 100

// BatchInfo fetches the information of every user in openIDs, in order, with one
// request per 100 users (WeChat's limit per call). On an error it returns the users
// fetched by the earlier requests along with it.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/User_Management/Get_users_basic_information_UnionID.html
func (s *Service) BatchInfo(ctx context.Context, openIDs []string, opts ...InfoOption) ([]Info, error) {
	set, err := infoOptions(opts)
	if err != nil {
		return nil, err
	}
	if err := checkOpenIDs(openIDs); err != nil {
		return nil, err
	}
	type entry struct {
		OpenID string `json:"openid"`
		Lang   Lang   `json:"lang,omitempty"`
	}
	out := make([]Info, 0, len(openIDs))
	for _, chunk := range chunks(openIDs, MaxBatchInfo) {
		req := struct {
			List []entry `json:"user_list"`
		}{List: make([]entry, len(chunk))}
		for i, id := range chunk {
			req.List[i] = entry{OpenID: id, Lang: set.lang}
		}
		var resp struct {
			List []infoWire `json:"user_info_list"`
		}
		if err := s.oa.PostJSON(ctx, "/cgi-bin/user/info/batchget", nil, req, &resp); err != nil {
			return out, err
		}
		for i := range resp.List {
			out = append(out, resp.List[i].info())
		}
	}
	return out, nil
}
