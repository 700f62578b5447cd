package menu

import (
	"context"

	"github.com/wxkit/wechat/officialaccount"
)

// Service calls the custom-menu APIs (自定义菜单). It is safe for concurrent use.
type Service struct {
	oa *officialaccount.OfficialAccount
}

// New returns the menu service of oa.
func New(oa *officialaccount.OfficialAccount) *Service { return &Service{oa: oa} }

// Menu is a custom menu: 1–3 top-level buttons. Its JSON is WeChat's create body,
// {"button":[…]}, so a menu file can be sent as it is.
type Menu struct {
	Buttons []Button `json:"button"`
}

// Menus is what [Service.Get] returns: the default menu (embedded, so
// got.Buttons are its buttons and got.WriteJSON saves it as a menu file) and the
// personalized menus, newest last.
type Menus struct {
	Menu
	MenuID      ID                `json:"menuid,omitempty"` // set only when personalized menus exist
	Conditional []ConditionalMenu `json:"conditionalmenu,omitempty"`
}

// Create publishes m as the default menu, replacing the current one (personalized
// menus stay). It checks WeChat's limits first and names every button that breaks
// one. Followers see the change when their client next refreshes the menu (on
// entering the chat, at most every 5 minutes). Quota: 1000 a day.
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/custommenu/api_createcustommenu.html
func (s *Service) Create(ctx context.Context, m Menu) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return s.oa.PostJSON(ctx, "/cgi-bin/menu/create", nil, m, nil)
}

// Get returns the menus created through the API: the default menu and every
// personalized menu with its match rule. Menus set in the web console are not
// included; see [Service.CurrentSelfMenu]. With no menu WeChat answers 46003
// ([wechat.CodeMenuNotExist]).
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/custommenu/api_getmenu.html
func (s *Service) Get(ctx context.Context) (*Menus, error) {
	var reply struct {
		Menu struct {
			Buttons []Button `json:"button"`
			MenuID  ID       `json:"menuid"`
		} `json:"menu"`
		Conditional []struct {
			Buttons   []Button      `json:"button"`
			MatchRule matchRuleWire `json:"matchrule"`
			MenuID    ID            `json:"menuid"`
		} `json:"conditionalmenu"`
	}
	if err := s.oa.GetJSON(ctx, "/cgi-bin/menu/get", nil, &reply); err != nil {
		return nil, err
	}
	menus := &Menus{Menu: Menu{Buttons: reply.Menu.Buttons}, MenuID: reply.Menu.MenuID}
	for _, c := range reply.Conditional {
		menus.Conditional = append(menus.Conditional, ConditionalMenu{Menu: Menu{Buttons: c.Buttons}, MatchRule: c.MatchRule.rule(), MenuID: c.MenuID})
	}
	return menus, nil
}

// Delete removes the default menu and all personalized menus. Quota: 1000 a day.
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/custommenu/api_deletemenu.html
func (s *Service) Delete(ctx context.Context) error {
	return s.oa.GetJSON(ctx, "/cgi-bin/menu/delete", nil, nil)
}
