package main

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"

	"github.com/wxkit/wechat/wechattest"
)

// bubble is one message from the account as the follower's chat draws it: a
// passive reply, a customer-service message or a template message.
type bubble struct {
	Type        string        `json:"type"` // text image voice video music news transfer template mpnews mpnewsarticle msgmenu wxcard miniprogram unknown
	Text        string        `json:"text,omitempty"`
	MediaID     string        `json:"mediaId,omitempty"`
	ImageURL    string        `json:"imageUrl,omitempty"` // the image; a video's, music's or mini program's thumbnail
	Title       string        `json:"title,omitempty"`
	Description string        `json:"description,omitempty"`
	URL         string        `json:"url,omitempty"`
	MusicURL    string        `json:"musicUrl,omitempty"`
	ThumbID     string        `json:"thumbMediaId,omitempty"`
	Articles    []article     `json:"articles,omitempty"`
	KfAccount   string        `json:"kfAccount,omitempty"`
	Template    *templateCard `json:"template,omitempty"`
	Menu        *msgMenu      `json:"menu,omitempty"`
	AppID       string        `json:"appid,omitempty"`
	PagePath    string        `json:"pagepath,omitempty"`
	RawType     string        `json:"rawType,omitempty"` // the msgtype of an unknown message
}

type article struct {
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	PicURL      string `json:"picUrl,omitempty"`
	URL         string `json:"url,omitempty"`
}

// templateCard is a template message as WeChat draws it: the title, one row per
// keyword line of the template (first and remark, which WeChat stopped showing
// in 2023, left out), and 详情 when it links somewhere.
type templateCard struct {
	Title       string        `json:"title"`
	Rows        []templateRow `json:"rows"`
	URL         string        `json:"url,omitempty"`
	MiniProgram string        `json:"miniprogram,omitempty"` // appid:pagepath
}

type templateRow struct {
	Label string `json:"label,omitempty"`
	Value string `json:"value"`
}

// msgMenu is a customer-service menu message (菜单消息): tapping an option sends
// its content back as text with bizmsgmenuid.
type msgMenu struct {
	Head string       `json:"head,omitempty"`
	List []menuOption `json:"list"`
	Tail string       `json:"tail,omitempty"`
}

type menuOption struct {
	ID      string `json:"id"`
	Content string `json:"content"`
}

// replyBubble draws a passive reply.
func (s *Sim) replyBubble(m *wechattest.ReplyMessage) *bubble {
	b := &bubble{Type: m.MsgType}
	switch m.MsgType {
	case "text":
		b.Text = m.Content
	case "image":
		b.MediaID = m.Image.MediaID
		b.ImageURL = s.mediaURL(b.MediaID)
	case "voice":
		b.MediaID = m.Voice.MediaID
	case "video":
		b.MediaID, b.Title, b.Description = m.Video.MediaID, m.Video.Title, m.Video.Description
	case "music":
		b.Title, b.Description, b.MusicURL = m.Music.Title, m.Music.Description, m.Music.MusicURL
		b.ThumbID = m.Music.ThumbMediaID
		b.ImageURL = s.mediaURL(b.ThumbID)
	case "news":
		for _, a := range m.Articles {
			b.Articles = append(b.Articles, article{Title: a.Title, Description: a.Description, PicURL: s.local(a.PicURL), URL: a.URL})
		}
	case "transfer_customer_service":
		b.Type, b.KfAccount = "transfer", m.TransInfo.KfAccount
	default:
		b.Type, b.RawType = "unknown", m.MsgType
	}
	return b
}

// kfPayload holds every field of any customer-service msgtype's payload.
type kfPayload struct {
	Content      string    `json:"content"`
	MediaID      string    `json:"media_id"`
	ThumbMediaID string    `json:"thumb_media_id"`
	Title        string    `json:"title"`
	Description  string    `json:"description"`
	MusicURL     string    `json:"musicurl"`
	Articles     []article `json:"articles"`
	ArticleID    string    `json:"article_id"`
	HeadContent  string    `json:"head_content"`
	TailContent  string    `json:"tail_content"`
	List         []struct {
		ID      json.RawMessage `json:"id"` // a number or a string
		Content string          `json:"content"`
	} `json:"list"`
	CardID   string `json:"card_id"`
	AppID    string `json:"appid"`
	PagePath string `json:"pagepath"`
}

// customBubble draws a customer-service message from the body the bot sent;
// the platform has already accepted it.
func (s *Sim) customBubble(m *wechattest.SentMessage) *bubble {
	var req map[string]json.RawMessage
	_ = json.Unmarshal(m.Body, &req) // the platform parsed it already
	var p kfPayload
	if raw, ok := req[m.MsgType]; ok {
		_ = json.Unmarshal(raw, &p)
	}
	b := &bubble{Type: m.MsgType, KfAccount: m.KfAccount}
	switch m.MsgType {
	case "text":
		b.Text = p.Content
	case "image":
		b.MediaID, b.ImageURL = p.MediaID, s.mediaURL(p.MediaID)
	case "voice":
		b.MediaID = p.MediaID
	case "video":
		b.MediaID, b.Title, b.Description = p.MediaID, p.Title, p.Description
		b.ThumbID, b.ImageURL = p.ThumbMediaID, s.mediaURL(p.ThumbMediaID)
	case "music":
		b.Title, b.Description, b.MusicURL = p.Title, p.Description, p.MusicURL
		b.ThumbID, b.ImageURL = p.ThumbMediaID, s.mediaURL(p.ThumbMediaID)
	case "news":
		for _, a := range p.Articles {
			a.PicURL = s.local(a.PicURL)
			b.Articles = append(b.Articles, a)
		}
	case "mpnews":
		b.MediaID = p.MediaID
	case "mpnewsarticle":
		b.MediaID = p.ArticleID
	case "msgmenu":
		b.Menu = &msgMenu{Head: p.HeadContent, Tail: p.TailContent}
		for _, o := range p.List {
			b.Menu.List = append(b.Menu.List, menuOption{ID: strings.Trim(string(o.ID), `"`), Content: o.Content})
		}
	case "wxcard":
		b.MediaID = p.CardID
	case "miniprogrampage":
		b.Type, b.Title, b.AppID, b.PagePath = "miniprogram", p.Title, p.AppID, p.PagePath
		b.ThumbID, b.ImageURL = p.ThumbMediaID, s.mediaURL(p.ThumbMediaID)
	default:
		b.Type, b.RawType = "unknown", m.MsgType
	}
	return b
}

// placeholder is a {{key.DATA}} of a template's content.
var placeholder = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\.DATA\s*\}\}`)

// templateBubble draws a template message: each line of the template's content
// that holds a placeholder becomes a row ("物品名称：{{keyword1.DATA}}" → label and
// value). Without the content (a template deleted since), the data's keys in
// order are the rows.
func templateBubble(t *wechattest.SentTemplate, title, content string) *bubble {
	card := &templateCard{Title: title, URL: t.URL}
	if t.MiniProgramAppID != "" {
		card.MiniProgram = t.MiniProgramAppID + ":" + t.MiniProgramPagePath
	}
	for _, line := range strings.Split(content, "\n") {
		m := placeholder.FindStringSubmatchIndex(line)
		if m == nil {
			continue
		}
		key := line[m[2]:m[3]]
		if key == "first" || key == "remark" {
			continue
		}
		label := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(line[:m[0]]), ":："))
		value := placeholder.ReplaceAllStringFunc(line[m[0]:], func(ph string) string {
			return t.Data[placeholder.FindStringSubmatch(ph)[1]]
		})
		card.Rows = append(card.Rows, templateRow{Label: label, Value: strings.TrimSpace(value)})
	}
	if content == "" {
		keys := make([]string, 0, len(t.Data))
		for k := range t.Data {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			card.Rows = append(card.Rows, templateRow{Label: k, Value: t.Data[k]})
		}
	}
	return &bubble{Type: "template", Title: title, Template: card}
}
