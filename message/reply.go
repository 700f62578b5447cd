package message

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Reply is a passive reply (被动回复): the answer written in the response to the
// push. Build one with [Text], [Image], [Voice], [Video], [Music], [News] or
// [TransferCustomerService]; [NoReply] (or nil) answers "success", which tells
// WeChat there is nothing to show. The concrete types are exported so that code
// receiving a Reply (an OnLateReply hook, say) can switch on them.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Passive_user_reply_message.html
type Reply interface {
	// MsgType is the reply's MsgType.
	MsgType() MsgType
	// appendBody appends the elements that follow MsgType.
	appendBody(b []byte) []byte
}

// TextReply answers with text (文本消息); newlines are kept.
type TextReply struct{ Content string }

// ImageReply answers with an image (图片消息) uploaded as media.
type ImageReply struct{ MediaID string }

// VoiceReply answers with a voice message (语音消息) uploaded as media.
type VoiceReply struct{ MediaID string }

// VideoReply answers with a video (视频消息); Title and Description are optional.
type VideoReply struct{ MediaID, Title, Description string }

// MusicReply answers with music (音乐消息). ThumbMediaID is required.
type MusicReply struct {
	Title, Description string
	MusicURL           string // MusicUrl
	HQMusicURL         string // HQMusicUrl, played on Wi-Fi
	ThumbMediaID       string
}

// NewsReply answers with articles (图文消息). WeChat allows one article in answer
// to a follower's message and up to 8 in answer to an event.
type NewsReply struct{ Articles []Article }

// Article is one item of a NewsReply.
type Article struct {
	Title, Description string
	PicURL             string // PicUrl: 1068×455 for the first item, 150×150 for the others
	URL                string // Url: where a tap leads
}

// TransferCustomerServiceReply hands the conversation to customer service
// (转发到客服); with KfAccount set, to that agent ("name@account").
type TransferCustomerServiceReply struct{ KfAccount string }

type noReply struct{}

// Text returns a text reply.
func Text(content string) TextReply { return TextReply{Content: content} }

// Image returns an image reply.
func Image(mediaID string) ImageReply { return ImageReply{MediaID: mediaID} }

// Voice returns a voice reply.
func Voice(mediaID string) VoiceReply { return VoiceReply{MediaID: mediaID} }

// Video returns a video reply.
func Video(mediaID, title, description string) VideoReply {
	return VideoReply{MediaID: mediaID, Title: title, Description: description}
}

// Music returns a music reply.
func Music(title, description, musicURL, hqMusicURL, thumbMediaID string) MusicReply {
	return MusicReply{Title: title, Description: description, MusicURL: musicURL, HQMusicURL: hqMusicURL, ThumbMediaID: thumbMediaID}
}

// News returns an articles reply.
func News(articles ...Article) NewsReply { return NewsReply{Articles: articles} }

// TransferCustomerService hands the conversation to customer service; kfAccount
// names one agent, or is "" for any.
func TransferCustomerService(kfAccount string) TransferCustomerServiceReply {
	return TransferCustomerServiceReply{KfAccount: kfAccount}
}

// NoReply answers "success": WeChat shows nothing and does not retry.
func NoReply() Reply { return noReply{} }

func (TextReply) MsgType() MsgType                    { return MsgTypeText }
func (ImageReply) MsgType() MsgType                   { return MsgTypeImage }
func (VoiceReply) MsgType() MsgType                   { return MsgTypeVoice }
func (VideoReply) MsgType() MsgType                   { return MsgTypeVideo }
func (MusicReply) MsgType() MsgType                   { return MsgTypeMusic }
func (NewsReply) MsgType() MsgType                    { return MsgTypeNews }
func (TransferCustomerServiceReply) MsgType() MsgType { return MsgTypeTransferCustomerService }
func (noReply) MsgType() MsgType                      { return "" }

func (r TextReply) appendBody(b []byte) []byte { return appendElem(b, "Content", r.Content) }

func (r ImageReply) appendBody(b []byte) []byte {
	b = append(b, "<Image>"...)
	return append(appendElem(b, "MediaId", r.MediaID), "</Image>"...)
}

func (r VoiceReply) appendBody(b []byte) []byte {
	b = append(b, "<Voice>"...)
	return append(appendElem(b, "MediaId", r.MediaID), "</Voice>"...)
}

func (r VideoReply) appendBody(b []byte) []byte {
	b = append(b, "<Video>"...)
	b = appendElem(b, "MediaId", r.MediaID)
	b = appendElem(b, "Title", r.Title)
	b = appendElem(b, "Description", r.Description)
	return append(b, "</Video>"...)
}

func (r MusicReply) appendBody(b []byte) []byte {
	b = append(b, "<Music>"...)
	b = appendElem(b, "Title", r.Title)
	b = appendElem(b, "Description", r.Description)
	b = appendElem(b, "MusicUrl", r.MusicURL)
	b = appendElem(b, "HQMusicUrl", r.HQMusicURL)
	b = appendElem(b, "ThumbMediaId", r.ThumbMediaID)
	return append(b, "</Music>"...)
}

func (r NewsReply) appendBody(b []byte) []byte {
	b = append(b, "<ArticleCount>"...)
	b = strconv.AppendInt(b, int64(len(r.Articles)), 10)
	b = append(b, "</ArticleCount><Articles>"...)
	for _, a := range r.Articles {
		b = append(b, "<item>"...)
		b = appendElem(b, "Title", a.Title)
		b = appendElem(b, "Description", a.Description)
		b = appendElem(b, "PicUrl", a.PicURL)
		b = appendElem(b, "Url", a.URL)
		b = append(b, "</item>"...)
	}
	return append(b, "</Articles>"...)
}

func (r TransferCustomerServiceReply) appendBody(b []byte) []byte {
	if r.KfAccount == "" {
		return b
	}
	b = append(b, "<TransInfo>"...)
	return append(appendElem(b, "KfAccount", r.KfAccount), "</TransInfo>"...)
}

func (noReply) appendBody(b []byte) []byte { return b }

// The limits of a news reply (see spec/webhook.md §7).
const (
	maxArticles           = 8
	maxArticlesToAMessage = 1 // since 2018-10-12, in answer to a follower's message
)

// ErrInvalidReply is wrapped by the error of a reply that breaks one of WeChat's
// limits; such a reply is logged and answered with "success" instead.
var ErrInvalidReply = errors.New("message: invalid reply")

// validate checks r against WeChat's limits for an answer to in. The spec names
// text, image, video, news and location as the messages that allow one article;
// wxkit applies the one-article limit to every follower message, not to events.
func validate(r Reply, in *Message) error {
	switch r := r.(type) {
	case NewsReply:
		limit := maxArticles
		if in.MsgType != MsgTypeEvent {
			limit = maxArticlesToAMessage
		}
		if n := len(r.Articles); n == 0 || n > limit {
			return fmt.Errorf("%w: news has %d articles, the limit in answer to %s is %d", ErrInvalidReply, n, in.MsgType, limit)
		}
	case MusicReply:
		if r.ThumbMediaID == "" {
			return fmt.Errorf("%w: music reply needs ThumbMediaID", ErrInvalidReply)
		}
	}
	return nil
}

// isNoReply reports whether r means "answer success".
func isNoReply(r Reply) bool {
	if r == nil {
		return true
	}
	_, ok := r.(noReply)
	return ok
}

// appendReply renders r as the passive reply to in: the ids swapped, CreateTime
// now. The markup between the values is appended a run at a time: 12 % faster
// than element by element.
func appendReply(b []byte, r Reply, in *Message, now int64) []byte {
	b = append(b, "<xml><ToUserName><![CDATA["...)
	b = appendCDATA(b, in.FromUserName)
	b = append(b, "]]></ToUserName><FromUserName><![CDATA["...)
	b = appendCDATA(b, in.ToUserName)
	b = append(b, "]]></FromUserName><CreateTime>"...)
	b = strconv.AppendInt(b, now, 10)
	b = append(b, "</CreateTime><MsgType><![CDATA["...)
	b = appendCDATA(b, string(r.MsgType())) // a type embedding a Reply may say anything
	b = append(b, "]]></MsgType>"...)
	b = r.appendBody(b)
	return append(b, "</xml>"...)
}

// appendElem appends <name><![CDATA[value]]></name>.
func appendElem(b []byte, name, value string) []byte {
	b = append(b, '<')
	b = append(b, name...)
	b = append(b, "><![CDATA["...)
	b = appendCDATA(b, value)
	b = append(b, "]]></"...)
	b = append(b, name...)
	return append(b, '>')
}

// cdataPlain marks the bytes appendCDATA copies as they are: ASCII that XML
// allows, but for '>'.
var cdataPlain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '>'
	}
	t['\t'], t['\n'], t['\r'] = true, true, true
	return t
}()

// appendCDATA appends s for use inside a CDATA section: invalid UTF-8 becomes
// U+FFFD, characters XML does not allow (C0 controls other than tab, CR and LF,
// and U+FFFE, U+FFFF) are dropped, and a "]]>" in what remains is split across
// two sections. The check looks at the output, so that dropping a character
// cannot join "]]" and ">" into a terminator.
func appendCDATA(b []byte, s string) []byte {
	base := len(b) // b[base:] is this section's content so far
	start := 0     // s[start:i] is clean and not yet appended
	for i := 0; i < len(s); {
		c := s[i]
		if cdataPlain[c] {
			i++
			continue
		}
		// Most of a Chinese text: a three-byte sequence from U+1000 to U+CFFF,
		// which holds no surrogate and no U+FFFE or U+FFFF. Anything else goes
		// the long way.
		if c >= 0xE1 && c <= 0xEC && i+2 < len(s) && s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80 {
			i += 3
			continue
		}
		if c == '>' {
			b = append(b, s[start:i]...)
			if n := len(b) - base; n >= 2 && b[len(b)-1] == ']' && b[len(b)-2] == ']' {
				b = append(b, "]]><![CDATA["...)
				base = len(b)
			}
			i++
			start = i - 1
			continue
		}
		if c < utf8.RuneSelf { // the rest of ASCII is plain: a control character XML forbids
			b = append(b, s[start:i]...)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, "\uFFFD"...)
		case r == 0xFFFE || r == 0xFFFF:
			b = append(b, s[start:i]...)
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(b, s[start:]...)
}
