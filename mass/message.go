package mass

import (
	"errors"
	"fmt"

	"github.com/wxkit/wechat/message"
)

// Message is the content of a mass send or a preview: MPNews, Text, Voice,
// Images, Video or Card.
type Message interface {
	// MsgType is WeChat's msgtype: mpnews, text, voice, image, mpvideo, wxcard.
	MsgType() message.MsgType
	// fields returns the msgtype's object and its key, for a send or a preview.
	fields(preview bool) (key string, v any, err error)
}

type mpnews struct{ mediaID string }

// MPNews sends articles (图文消息): mediaID is a draft's media_id (draft.Add). The
// spec is unsure whether WeChat also wants the legacy uploadnews id here; wxkit
// sends what it is given.
func MPNews(mediaID string) Message { return mpnews{mediaID} }

func (m mpnews) MsgType() message.MsgType { return message.MsgTypeMPNews }
func (m mpnews) fields(bool) (string, any, error) {
	return "mpnews", map[string]string{"media_id": m.mediaID}, nonEmpty("mpnews media_id", m.mediaID)
}

type text struct{ content string }

// Text sends a text message.
func Text(content string) Message { return text{content} }

func (m text) MsgType() message.MsgType { return message.MsgTypeText }
func (m text) fields(bool) (string, any, error) {
	return "text", map[string]string{"content": m.content}, nonEmpty("text content", m.content)
}

type voice struct{ mediaID string }

// Voice sends a voice: mediaID is a voice uploaded with the media package.
func Voice(mediaID string) Message { return voice{mediaID} }

func (m voice) MsgType() message.MsgType { return message.MsgTypeVoice }
func (m voice) fields(bool) (string, any, error) {
	return "voice", map[string]string{"media_id": m.mediaID}, nonEmpty("voice media_id", m.mediaID)
}

type images struct{ mediaIDs []string }

// Images sends one or more images. A send carries them as WeChat's current
// pages show ("images": {"media_ids": […]}); a preview takes exactly one
// ("image": {"media_id": …}), as the preview page shows.
func Images(mediaIDs ...string) Message { return images{mediaIDs} }

func (m images) MsgType() message.MsgType { return message.MsgTypeImage }
func (m images) fields(preview bool) (string, any, error) {
	if len(m.mediaIDs) == 0 {
		return "", nil, errors.New("mass: Images needs at least one media_id")
	}
	for i, id := range m.mediaIDs {
		if err := nonEmpty(fmt.Sprintf("images media_id %d", i), id); err != nil {
			return "", nil, err
		}
	}
	if preview {
		if len(m.mediaIDs) != 1 {
			return "", nil, fmt.Errorf("mass: a preview takes one image, got %d", len(m.mediaIDs))
		}
		return "image", map[string]string{"media_id": m.mediaIDs[0]}, nil
	}
	return "images", map[string][]string{"media_ids": m.mediaIDs}, nil
}

type video struct{ mediaID string }

// msgTypeMPVideo is the msgtype of a video mass send, which only mass sends
// use (message has no constant for it).
const msgTypeMPVideo message.MsgType = "mpvideo"

// Video sends a video: mediaID comes from Service.UploadVideo, not from the
// upload itself. It goes out as msgtype mpvideo, for every kind of send.
func Video(mediaID string) Message { return video{mediaID} }

func (m video) MsgType() message.MsgType { return msgTypeMPVideo }
func (m video) fields(bool) (string, any, error) {
	return "mpvideo", map[string]string{"media_id": m.mediaID}, nonEmpty("mpvideo media_id", m.mediaID)
}

type card struct{ cardID string }

// Card sends a card or coupon (卡券).
func Card(cardID string) Message { return card{cardID} }

func (m card) MsgType() message.MsgType { return message.MsgTypeWxCard }
func (m card) fields(bool) (string, any, error) {
	return "wxcard", map[string]string{"card_id": m.cardID}, nonEmpty("wxcard card_id", m.cardID)
}

func nonEmpty(what, v string) error {
	if v == "" {
		return fmt.Errorf("mass: %s is empty", what)
	}
	return nil
}

// body is the JSON of a send or preview of m, with the recipient fields given.
func body(m Message, preview bool, fields map[string]any) (map[string]any, error) {
	if m == nil {
		return nil, errors.New("mass: nil message")
	}
	key, v, err := m.fields(preview)
	if err != nil {
		return nil, err
	}
	fields["msgtype"] = string(m.MsgType())
	fields[key] = v
	return fields, nil
}
