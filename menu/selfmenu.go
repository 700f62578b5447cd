package menu

import (
	"context"
	"encoding/json"
)

// SelfMenu is the live menu as [Service.CurrentSelfMenu] reports it, whether it was
// set through the API or in the web console.
type SelfMenu struct {
	Open    bool         // is_menu_open: whether the account shows a menu at all
	Buttons []SelfButton // selfmenu_info.button
}

// SelfButton is one button of the live menu. Console-made buttons carry Value
// (the text of a "text" button; a media id for img and voice; a URL for video) or
// News (a "news" button's articles) instead of a key or URL.
type SelfButton struct {
	Type       ButtonType   `json:"type,omitempty"`
	Name       string       `json:"name"`
	Key        string       `json:"key,omitempty"`
	URL        string       `json:"url,omitempty"`
	Value      string       `json:"value,omitempty"`
	AppID      string       `json:"appid,omitempty"`
	PagePath   string       `json:"pagepath,omitempty"`
	MediaID    string       `json:"media_id,omitempty"`
	ArticleID  string       `json:"article_id,omitempty"`
	News       []NewsItem   `json:"-"` // news_info.list on the wire
	SubButtons []SelfButton `json:"-"` // sub_button.list on the wire: an object, not an array
}

// NewsItem is one article of a console "news" button.
type NewsItem struct {
	Title      string `json:"title"`
	Author     string `json:"author"`
	Digest     string `json:"digest"`
	ShowCover  int    `json:"show_cover"` // 1: the cover is shown in the body
	CoverURL   string `json:"cover_url"`
	ContentURL string `json:"content_url"`
	SourceURL  string `json:"source_url"`
}

type selfButtonWire struct {
	selfButtonPlain
	SubButton *struct {
		List []SelfButton `json:"list"`
	} `json:"sub_button,omitempty"`
	NewsInfo *struct {
		List []NewsItem `json:"list"`
	} `json:"news_info,omitempty"`
}

type selfButtonPlain SelfButton // no methods: no recursion

// UnmarshalJSON reads WeChat's shape, where sub_button and news_info are objects
// holding a list.
func (b *SelfButton) UnmarshalJSON(data []byte) error {
	var w selfButtonReply
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*b = w.button()
	return nil
}

// selfButtonReply is a SelfButton as WeChat sends it, sub-buttons included,
// without methods: CurrentSelfMenu decodes the reply into it in one pass,
// where SelfButton's UnmarshalJSON would decode each level again.
type selfButtonReply struct {
	selfButtonPlain
	SubButton *struct {
		List []selfButtonReply `json:"list"`
	} `json:"sub_button,omitempty"`
	NewsInfo *struct {
		List []NewsItem `json:"list"`
	} `json:"news_info,omitempty"`
}

func (w *selfButtonReply) button() SelfButton {
	b := SelfButton(w.selfButtonPlain)
	if w.SubButton != nil {
		b.SubButtons = make([]SelfButton, len(w.SubButton.List))
		for i := range w.SubButton.List {
			b.SubButtons[i] = w.SubButton.List[i].button()
		}
	}
	if w.NewsInfo != nil {
		b.News = w.NewsInfo.List
	}
	return b
}

// MarshalJSON writes WeChat's shape back.
func (b SelfButton) MarshalJSON() ([]byte, error) {
	w := selfButtonWire{selfButtonPlain: selfButtonPlain(b)}
	if b.SubButtons != nil {
		w.SubButton = &struct {
			List []SelfButton `json:"list"`
		}{b.SubButtons}
	}
	if b.News != nil {
		w.NewsInfo = &struct {
			List []NewsItem `json:"list"`
		}{b.News}
	}
	return json.Marshal(w)
}

// CurrentSelfMenu returns the menu followers see now, however it was set; unlike
// [Service.Get] it includes menus made in the web console, but not the
// personalized menus. Media it reports are temporary (valid 3 days).
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/custommenu/api_getcurrentselfmenuinfo.html
func (s *Service) CurrentSelfMenu(ctx context.Context) (*SelfMenu, error) {
	var reply struct {
		IsMenuOpen int `json:"is_menu_open"`
		Info       struct {
			Buttons []selfButtonReply `json:"button"`
		} `json:"selfmenu_info"`
	}
	if err := s.oa.GetJSON(ctx, "/cgi-bin/get_current_selfmenu_info", nil, &reply); err != nil {
		return nil, err
	}
	menu := &SelfMenu{Open: reply.IsMenuOpen == 1}
	if reply.Info.Buttons != nil {
		menu.Buttons = make([]SelfButton, len(reply.Info.Buttons))
		for i := range reply.Info.Buttons {
			menu.Buttons[i] = reply.Info.Buttons[i].button()
		}
	}
	return menu, nil
}
