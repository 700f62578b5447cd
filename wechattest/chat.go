package wechattest

import (
	"slices"
	"strings"
)

// This file is the follower's side of the platform, for tools that draw a
// follower's chat (cmd/wxsim) and for tests that watch what reaches a follower:
// the messages delivered into the chat as they are accepted, the menu the
// follower sees, the QR codes a follower can scan, who follows, the pictures a
// follower sends and the media a chat shows.

// Delivery is a message the platform delivered into a follower's chat: a
// customer-service message (客服消息) or a template message (模板消息) that the
// API accepted under its rules (the 48-hour window, following, the blacklist).
type Delivery struct {
	Message  *SentMessage  // a customer-service message, or nil
	Template *SentTemplate // a template message, or nil
	// TemplateTitle and TemplateContent are the template's title and content
	// ({{key.DATA}} placeholders), for a template message: what WeChat draws
	// the message's card from.
	TemplateTitle, TemplateContent string
}

// ToUser returns the OpenID the message was delivered to.
func (d Delivery) ToUser() string {
	switch {
	case d.Message != nil:
		return d.Message.ToUser
	case d.Template != nil:
		return d.Template.ToUser
	}
	return ""
}

// observers are the functions Observe registered, in the order they did.
// Guarded by Server.mu.
type observers struct {
	next  int
	funcs []observer
}

type observer struct {
	id int
	f  func(Delivery)
}

// Observe calls f with every message the platform delivers to a follower, in
// the order the API accepts them, until stop is called. f runs while the
// platform holds its lock, in the API call that delivered the message: it must
// return quickly and must not call the Server (hand the Delivery to a channel
// or a queue of its own).
func (s *Server) Observe(f func(Delivery)) (stop func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := &s.observers
	o.next++
	id := o.next
	o.funcs = append(o.funcs, observer{id, f})
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		o.funcs = slices.DeleteFunc(o.funcs, func(ob observer) bool { return ob.id == id })
	}
}

// deliver hands d to the observers, in the order they registered. s.mu must be
// held.
func (s *Server) deliver(d Delivery) {
	for _, ob := range s.observers.funcs {
		ob.f(d)
	}
}

// MenuButton is a button of the custom menu (自定义菜单) as a follower's WeChat
// draws it: a top-level button with SubButtons pops them up; any other button
// has a Type (click, view, scancode_push, …) and the field that type uses.
type MenuButton struct {
	Type       string       `json:"type,omitempty"`
	Name       string       `json:"name"`
	Key        string       `json:"key,omitempty"`
	URL        string       `json:"url,omitempty"`
	AppID      string       `json:"appid,omitempty"`
	PagePath   string       `json:"pagepath,omitempty"`
	MediaID    string       `json:"media_id,omitempty"`
	ArticleID  string       `json:"article_id,omitempty"`
	SubButtons []MenuButton `json:"sub_button,omitempty"`
}

// MenuFor returns the menu openID sees, as trymatch picks it (the newest
// personalized menu whose rule matches the follower, else the default menu),
// and its menu id, which VIEW events carry as MenuId. It returns nil when the
// account has no menu.
func (s *Server) MenuFor(openID string) (buttons []MenuButton, menuID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.menus
	if st.main == nil {
		return nil, 0
	}
	if u, known := s.menuUser(openID); known {
		for i := len(st.conditional) - 1; i >= 0; i-- {
			if m := st.conditional[i]; ruleMatches(m.rule, u) {
				return menuButtons(m.buttons), m.id
			}
		}
	}
	return menuButtons(st.main), st.mainID
}

func menuButtons(bs []menuButton) []MenuButton {
	if len(bs) == 0 {
		return nil
	}
	out := make([]MenuButton, len(bs))
	for i, b := range bs {
		out[i] = MenuButton{Type: b.Type, Name: b.Name, Key: b.Key, URL: b.URL, AppID: b.AppID,
			PagePath: b.PagePath, MediaID: b.MediaID, ArticleID: b.ArticleID, SubButtons: menuButtons(b.SubButton)}
	}
	return out
}

// QRCodes returns the parametric QR codes the platform made that have not
// expired, ordered by scene, then ticket.
func (s *Server) QRCodes() []QRCode {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []QRCode
	for _, q := range s.web.qrcodes {
		if q.valid(now) {
			out = append(out, QRCode{Ticket: q.ticket, URL: q.url, Scene: q.scene, ExpiresAt: q.expiresAt})
		}
	}
	slices.SortFunc(out, func(a, b QRCode) int {
		if c := strings.Compare(a.Scene, b.Scene); c != 0 {
			return c
		}
		return strings.Compare(a.Ticket, b.Ticket)
	})
	return out
}

// IsFollower reports whether openID follows the account now.
func (s *Server) IsFollower(openID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.isFollower(openID)
}

// AvatarURL returns the avatar of the user openID as /sns/userinfo gives it
// (their HeadImgURL, or one the platform draws and serves), "" for a user the
// platform does not know.
func (s *Server) AvatarURL(openID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users.users[openID]
	if u == nil {
		return ""
	}
	return s.avatarURL(u)
}

// ReceiveImage plays a follower sending a picture (name's extension, png, jpg,
// jpeg or gif, says its type): the platform keeps it as temporary media for 3
// days, as WeChat keeps what followers send, and returns the PicUrl and MediaId
// of the image push. PicUrl is served by the platform itself (LocalURL's form),
// so a bot under test can download it; so can /cgi-bin/media/get with the
// MediaId. A file over 10 MB or of another type is refused with the errcode an
// upload would get.
func (s *Server) ReceiveImage(name string, data []byte) (picURL, mediaID string, err error) {
	now := s.Now()
	up := &upload{name: name, data: data}
	if err := temporaryRules["image"].check(up); err != nil {
		return "", "", err
	}
	s.mu.Lock()
	m := s.storeMedia("image", up, false, now)
	picURL = s.addImage(m, name)
	s.mu.Unlock()
	return s.LocalURL(picURL), m.id, nil
}

// Media returns the media mediaID names while it is valid (temporary media for 3
// days, permanent material until deleted): its type (image, voice, video, thumb
// or news), file name and bytes, which are the platform's own and must not be
// modified. ok is false for an unknown or expired id.
func (s *Server) Media(mediaID string) (kind, name string, data []byte, ok bool) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.lookup(mediaID, now)
	if err != nil {
		return "", "", nil, false
	}
	return m.kind, m.name, m.data, true
}
