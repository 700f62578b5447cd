package menu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ID identifies a personalized menu (menuid). WeChat sends it as a number in
// /cgi-bin/menu/get and as a string in addconditional and delconditional; ID
// accepts both and is sent as a string.
type ID string

// UnmarshalJSON accepts a JSON string or number.
func (id *ID) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return fmt.Errorf("menu: menuid: %w", err)
	}
	*id = ID(s)
	return nil
}

// Platform is a client operating system in a match rule (client_platform_type).
type Platform string

// The platforms WeChat documents.
const (
	PlatformIOS     Platform = "1"
	PlatformAndroid Platform = "2"
	PlatformOther   Platform = "3"
)

// MatchRule says which followers see a personalized menu (个性化菜单匹配规则). Set
// at least one field. Only TagID and ClientPlatformType are usable today: WeChat
// rejects new rules with the privacy fields (sex, region, language) with 65320, and
// existing rules that use them silently stop matching; they remain here because
// /menu/get still reports them.
type MatchRule struct {
	TagID              string   `json:"tag_id,omitempty"` // a user tag id
	ClientPlatformType Platform `json:"client_platform_type,omitempty"`
	GroupID            string   `json:"group_id,omitempty"` // legacy (pre-tag) group id

	Sex      string `json:"sex,omitempty"`      // privacy: "1" male, "2" female
	Country  string `json:"country,omitempty"`  // privacy: region, filled big to small
	Province string `json:"province,omitempty"` // privacy: needs Country
	City     string `json:"city,omitempty"`     // privacy: needs Province
	Language string `json:"language,omitempty"` // privacy: zh_CN, en, …
}

// UnmarshalJSON accepts each field as a string or a number: current docs send
// strings, older replies sent numbers ("client_platform_type":2).
func (r *MatchRule) UnmarshalJSON(b []byte) error {
	var w matchRuleWire
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("menu: matchrule: %w", err)
	}
	*r = w.rule()
	return nil
}

// matchRuleWire is a MatchRule as WeChat sends it, each field a string or a
// number. Get decodes replies into it directly, so that a reply is decoded
// once (MatchRule's UnmarshalJSON is for callers' own JSON).
type matchRuleWire struct {
	TagID              flexString `json:"tag_id"`
	ClientPlatformType flexString `json:"client_platform_type"`
	GroupID            flexString `json:"group_id"`
	Sex                flexString `json:"sex"`
	Country            flexString `json:"country"`
	Province           flexString `json:"province"`
	City               flexString `json:"city"`
	Language           flexString `json:"language"`
}

func (w *matchRuleWire) rule() MatchRule {
	return MatchRule{
		TagID: string(w.TagID), ClientPlatformType: Platform(w.ClientPlatformType), GroupID: string(w.GroupID),
		Sex: string(w.Sex), Country: string(w.Country), Province: string(w.Province), City: string(w.City), Language: string(w.Language),
	}
}

// Validate checks r locally: at least one field (65304), a documented platform,
// region order (65310, 65311) and no privacy fields (65320). Each problem is a
// *ValidationError with Path "matchrule".
func (r MatchRule) Validate() error {
	var p problems
	r.check(&p)
	return p.err()
}

func (r MatchRule) check(p *problems) {
	if r == (MatchRule{}) {
		p.add("matchrule", ErrMatchRule, "empty; set tag_id or client_platform_type (WeChat answers 65304)")
		return
	}
	switch r.ClientPlatformType {
	case "", PlatformIOS, PlatformAndroid, PlatformOther:
	default:
		p.add("matchrule", ErrMatchRule, "client_platform_type is %q; WeChat documents 1 (iOS), 2 (Android) and 3 (others)", r.ClientPlatformType)
	}
	if (r.Province != "" || r.City != "") && r.Country == "" {
		p.add("matchrule", ErrMatchRule, "province and city need country; regions are filled big to small (WeChat answers 65310)")
	}
	if r.City != "" && r.Province == "" {
		p.add("matchrule", ErrMatchRule, "city needs province; regions are filled big to small (WeChat answers 65311)")
	}
	var privacy []string
	for _, f := range []struct{ name, v string }{
		{"sex", r.Sex}, {"country", r.Country}, {"province", r.Province}, {"city", r.City}, {"language", r.Language},
	} {
		if f.v != "" {
			privacy = append(privacy, f.name)
		}
	}
	if len(privacy) > 0 {
		p.add("matchrule", ErrPrivacyFields,
			"%s: WeChat no longer accepts rules on sex, region or language (privacy change; it answers 65320); match on tag_id or client_platform_type instead",
			strings.Join(privacy, ", "))
	}
}

// ConditionalMenu is a personalized menu as [Service.Get] reports it.
type ConditionalMenu struct {
	Menu
	MatchRule MatchRule `json:"matchrule"`
	MenuID    ID        `json:"menuid,omitempty"`
}

// AddConditional creates a personalized menu m shown to followers who match rule,
// and returns its menuid. A default menu must exist (65303). Rules are tried newest
// first and the first match wins; there is no edit: delete and add again. All
// personalized menus together may link to at most 3 URL domains (65316). Quota:
// 2000 a day; verified accounts only.
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/custommenu/api_addconditionalmenu.html
func (s *Service) AddConditional(ctx context.Context, m Menu, rule MatchRule) (ID, error) {
	var p problems
	m.check(&p)
	rule.check(&p)
	if err := p.err(); err != nil {
		return "", err
	}
	body := ConditionalMenu{Menu: m, MatchRule: rule}
	var reply struct {
		MenuID ID `json:"menuid"`
	}
	if err := s.oa.PostJSON(ctx, "/cgi-bin/menu/addconditional", nil, body, &reply); err != nil {
		return "", err
	}
	return reply.MenuID, nil
}

// DeleteConditional removes the personalized menu id; an unknown id is 65301
// ([wechat.CodeConditionalMenuNotFound]).
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/custommenu/api_deleteconditionalmenu.html
func (s *Service) DeleteConditional(ctx context.Context, id ID) error {
	if id == "" {
		return errors.New("menu: DeleteConditional: menuid is required")
	}
	return s.oa.PostJSON(ctx, "/cgi-bin/menu/delconditional", nil, map[string]ID{"menuid": id}, nil)
}

// TryMatch returns the menu the follower userID (an OpenID or a WeChat ID) would
// see, to test match rules. An unknown user is 65302 ([wechat.CodeTryMatchNoUser]).
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/custommenu/api_trymatchmenu.html
func (s *Service) TryMatch(ctx context.Context, userID string) (*Menu, error) {
	if userID == "" {
		return nil, errors.New("menu: TryMatch: user id is required")
	}
	var m Menu
	if err := s.oa.PostJSON(ctx, "/cgi-bin/menu/trymatch", nil, map[string]string{"user_id": userID}, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// flexString is a string that WeChat sends as a JSON string or a number.
type flexString string

// UnmarshalJSON reads a JSON string or number as a string. A string without
// escapes, and a number, are taken as they are, without a second decoder.
func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*f = ""
		return nil
	case b[0] == '"':
		if len(b) >= 2 && b[len(b)-1] == '"' && bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b) {
			*f = flexString(b[1 : len(b)-1])
			return nil
		}
		var s string
		err := json.Unmarshal(b, &s)
		*f = flexString(s)
		return err
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("want a string or a number, got %.20s", b)
	}
	*f = flexString(n)
	return nil
}
