package main

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/message"
	"github.com/wxkit/wechat/wechattest"
)

// What a follower can do, turned into the push WeChat sends for it. Inputs come
// from the page and are checked here: a bad one is a 400 with the reason.

// Limits of what a follower can send (the simulator's; WeChat's own input
// box takes about as much).
const (
	maxTextRunes = 2000
	maxFieldLen  = 1024 // bytes of a title, label, key or URL
)

// errInput is wrapped by every refusal of the page's input.
var errInput = errors.New("bad input")

func inputErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errInput, fmt.Sprintf(format, args...))
}

// messageIn is a message the follower sends: text, a location or a link.
type messageIn struct {
	Type         string  `json:"type"`
	Content      string  `json:"content"`
	BizMsgMenuID string  `json:"bizmsgmenuid"` // a tap on a 菜单消息 option
	Latitude     float64 `json:"latitude"`
	Longitude    float64 `json:"longitude"`
	Scale        int     `json:"scale"`
	Label        string  `json:"label"`
	Title        string  `json:"title"`
	Description  string  `json:"description"`
	URL          string  `json:"url"`
}

// message turns in into what the chat shows and the push's builder.
func (in messageIn) message(openID string) (sent, builder, error) {
	switch in.Type {
	case "text":
		if strings.TrimSpace(in.Content) == "" {
			return sent{}, nil, inputErr("empty text")
		}
		if n := utf8.RuneCountInString(in.Content); n > maxTextRunes {
			return sent{}, nil, inputErr("text is %d characters, the limit is %d", n, maxTextRunes)
		}
		if len(in.BizMsgMenuID) > 64 {
			return sent{}, nil, inputErr("bizmsgmenuid is too long")
		}
		return sent{Type: "text", Content: in.Content}, func(c *wechattest.WebhookClient) ([]byte, error) {
			msg := c.Text(openID, in.Content)
			if in.BizMsgMenuID != "" {
				msg = withElems(msg, elem("bizmsgmenuid", in.BizMsgMenuID))
			}
			return msg, nil
		}, nil
	case "location":
		loc, err := in.location()
		if err != nil {
			return sent{}, nil, err
		}
		return sent{Type: "location", Location: &loc}, func(c *wechattest.WebhookClient) ([]byte, error) {
			return c.Location(openID, loc.Latitude, loc.Longitude, loc.Scale, loc.Label), nil
		}, nil
	case "link":
		if err := checkFields(in.Title, in.Description); err != nil {
			return sent{}, nil, err
		}
		if in.Title == "" || !isWebURL(in.URL) {
			return sent{}, nil, inputErr("a link needs a title and an http(s) URL")
		}
		l := link{Title: in.Title, Description: in.Description, URL: in.URL}
		return sent{Type: "link", Link: &l}, func(c *wechattest.WebhookClient) ([]byte, error) {
			return c.Link(openID, l.Title, l.Description, l.URL), nil
		}, nil
	}
	return sent{}, nil, inputErr("unknown message type %q (text, location, link; images go to /image)", in.Type)
}

func (in messageIn) location() (location, error) {
	scale := in.Scale
	if scale == 0 {
		scale = 15
	}
	switch {
	case in.Latitude < -90 || in.Latitude > 90 || in.Longitude < -180 || in.Longitude > 180:
		return location{}, inputErr("latitude must be within ±90 and longitude within ±180")
	case scale < 1 || scale > 20:
		return location{}, inputErr("scale must be 1 to 20")
	}
	if err := checkFields(in.Label); err != nil {
		return location{}, err
	}
	return location{Latitude: in.Latitude, Longitude: in.Longitude, Scale: scale, Label: in.Label}, nil
}

// eventIn is an event the follower causes: following, a scan, a menu tap.
type eventIn struct {
	Event      string  `json:"event"` // subscribe, unsubscribe, scan, CLICK, VIEW, scancode_push, scancode_waitmsg, location_select, view_miniprogram, LOCATION
	Key        string  `json:"key"`
	Name       string  `json:"name"` // the menu button's name, for the chat
	Ticket     string  `json:"ticket"`
	ScanType   string  `json:"scanType"`
	ScanResult string  `json:"scanResult"`
	messageIn          // the location of location_select and LOCATION
	Precision  float64 `json:"precision"`
}

// event turns in into what the chat shows and the push's builder. following
// says whether openID follows now: only subscribe and scan are open to others.
func (s *Sim) event(openID string, in eventIn, following bool) (sent, builder, error) {
	if err := checkFields(in.Key, in.Name, in.ScanResult, in.ScanType); err != nil {
		return sent{}, nil, err
	}
	ev := wechat.Event(in.Event)
	out := sent{Type: "event", Event: in.Event, EventKey: in.Key, Label: in.Name}
	if !following && ev != message.EventSubscribe && in.Event != "scan" {
		return sent{}, nil, errNotFollowing
	}
	switch ev {
	case message.EventSubscribe:
		if following {
			return sent{}, nil, errFollowing
		}
		out.EventKey = ""
		return out, func(c *wechattest.WebhookClient) ([]byte, error) {
			s.fake.AddFollower(wechattest.Follower{OpenID: openID, Nickname: s.nickname(openID), SubscribeScene: "ADD_SCENE_SEARCH"})
			return c.Event(openID, ev, ""), nil
		}, nil
	case message.EventUnsubscribe:
		out.EventKey = ""
		return out, func(c *wechattest.WebhookClient) ([]byte, error) {
			s.fake.Unfollow(openID)
			return c.Event(openID, ev, ""), nil
		}, nil
	case "scan":
		q, ok := s.fake.QRCode(in.Ticket)
		if !ok {
			return sent{}, nil, inputErr("the QR code is unknown or has expired")
		}
		out.Event, out.Label = string(message.EventScan), q.Scene
		if !following {
			out.Event = string(message.EventSubscribe)
		}
		return out, func(c *wechattest.WebhookClient) ([]byte, error) { return c.Scan(openID, in.Ticket) }, nil
	case message.EventClick:
		if in.Key == "" {
			return sent{}, nil, inputErr("CLICK needs the button's key")
		}
		return out, func(c *wechattest.WebhookClient) ([]byte, error) { return c.Event(openID, ev, in.Key), nil }, nil
	case message.EventView, message.EventViewMiniProgram:
		if ev == message.EventView && !isWebURL(in.Key) {
			return sent{}, nil, inputErr("VIEW needs the button's http(s) URL as key")
		}
		_, menuID := s.fake.MenuFor(openID)
		return out, func(c *wechattest.WebhookClient) ([]byte, error) {
			return withElems(c.Event(openID, ev, in.Key), "<MenuId>"+strconv.FormatInt(menuID, 10)+"</MenuId>"), nil
		}, nil
	case message.EventScanCodePush, message.EventScanCodeWaitMsg:
		if in.ScanResult == "" {
			return sent{}, nil, inputErr("a scan needs its result")
		}
		scanType := in.ScanType
		if scanType == "" {
			scanType = "qrcode"
		}
		out.ScanResult = in.ScanResult
		return out, func(c *wechattest.WebhookClient) ([]byte, error) {
			return withElems(c.Event(openID, ev, in.Key),
				"<ScanCodeInfo>"+elem("ScanType", scanType)+elem("ScanResult", in.ScanResult)+"</ScanCodeInfo>"), nil
		}, nil
	case message.EventLocationSelect:
		loc, err := in.location()
		if err != nil {
			return sent{}, nil, err
		}
		out.Location = &loc
		return out, func(c *wechattest.WebhookClient) ([]byte, error) {
			info := "<SendLocationInfo><Location_X><![CDATA[" + fmtFloat(loc.Latitude) + "]]></Location_X><Location_Y><![CDATA[" +
				fmtFloat(loc.Longitude) + "]]></Location_Y><Scale><![CDATA[" + strconv.Itoa(loc.Scale) + "]]></Scale>" +
				elem("Label", loc.Label) + elem("Poiname", loc.Label) + "</SendLocationInfo>"
			return withElems(c.Event(openID, ev, in.Key), info), nil
		}, nil
	case message.EventLocation:
		loc, err := in.location()
		if err != nil {
			return sent{}, nil, err
		}
		out.Location = &loc
		return out, func(c *wechattest.WebhookClient) ([]byte, error) {
			return withElems(c.Event(openID, ev, ""), "<Latitude>"+fmtFloat(loc.Latitude)+"</Latitude><Longitude>"+
				fmtFloat(loc.Longitude)+"</Longitude><Precision>"+fmtFloat(in.Precision)+"</Precision>"), nil
		}, nil
	}
	return sent{}, nil, inputErr("unknown event %q", in.Event)
}

// picEvent is the event a pic_* menu button pushes before the picture itself.
func picEvent(openID string, ev wechat.Event, key, name string, data []byte) (sent, builder, error) {
	switch ev {
	case message.EventPicSysPhoto, message.EventPicPhotoOrAlbum, message.EventPicWeixin:
	default:
		return sent{}, nil, inputErr("unknown picture event %q", ev)
	}
	if err := checkFields(key, name); err != nil {
		return sent{}, nil, err
	}
	sum := md5.Sum(data)
	info := "<SendPicsInfo><Count>1</Count><PicList><item>" + elem("PicMd5Sum", hex.EncodeToString(sum[:])) + "</item></PicList></SendPicsInfo>"
	return sent{Type: "event", Event: string(ev), EventKey: key, Label: name}, func(c *wechattest.WebhookClient) ([]byte, error) {
		return withElems(c.Event(openID, ev, key), info), nil
	}, nil
}

var (
	errNotFollowing = errors.New("the user does not follow the account: follow it first (subscribe, or scan a QR code)")
	errFollowing    = errors.New("the user follows the account already")
)

// nickname returns the nickname of openID, "" when unknown.
func (s *Sim) nickname(openID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.followerLocked(openID); f != nil {
		return f.Nickname
	}
	return ""
}

// withElems puts extra elements at the end of a message's <xml> root.
func withElems(msg []byte, extra string) []byte {
	i := strings.LastIndex(string(msg), "</xml>")
	if i < 0 {
		return msg
	}
	return append(append(append([]byte(nil), msg[:i]...), extra...), msg[i:]...)
}

// elem is <name><![CDATA[value]]></name>, as WeChat writes its pushes; the
// value is escaped for XML, and "]]>" split across two CDATA sections.
func elem(name, value string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(name)) // our own element names
	n := b.String()
	return "<" + n + "><![CDATA[" + strings.ReplaceAll(value, "]]>", "]]]]><![CDATA[>") + "]]></" + n + ">"
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// checkFields refuses fields longer than maxFieldLen or not valid UTF-8.
func checkFields(fields ...string) error {
	for _, f := range fields {
		if len(f) > maxFieldLen || !utf8.ValidString(f) {
			return inputErr("a field is over %d bytes or not UTF-8", maxFieldLen)
		}
	}
	return nil
}

// isWebURL reports whether u is an absolute http or https URL.
func isWebURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != "" && len(u) <= maxFieldLen
}
