package customerservice

import (
	"errors"
	"fmt"

	"github.com/wxkit/wechat/message"
)

// Message is the content of a customer-service message: Text, Image, Voice, Video,
// Music, News, MPNews, MPNewsArticle, MsgMenu, WxCard or MiniProgramPage. Send puts
// it in WeChat's envelope under its MsgType.
type Message interface {
	// MsgType is WeChat's msgtype of the message, such as message.MsgTypeText.
	MsgType() message.MsgType
	// payload checks the message and returns the object sent under MsgType.
	payload() (any, error)
}

// Text is a text message (文本消息). Content may hold links: build them with Link
// and MiniProgramLink.
type Text struct {
	Content string
}

// MsgType returns message.MsgTypeText.
func (Text) MsgType() message.MsgType { return message.MsgTypeText }

func (m Text) payload() (any, error) {
	if m.Content == "" {
		return nil, errors.New("text: empty content")
	}
	return struct {
		Content string `json:"content"`
	}{m.Content}, nil
}

// Image is an image message (图片消息) of an uploaded image.
type Image struct {
	MediaID string
}

// MsgType returns message.MsgTypeImage.
func (Image) MsgType() message.MsgType { return message.MsgTypeImage }

func (m Image) payload() (any, error) { return mediaPayload("image", m.MediaID) }

// Voice is a voice message (语音消息) of an uploaded voice file.
type Voice struct {
	MediaID string
}

// MsgType returns message.MsgTypeVoice.
func (Voice) MsgType() message.MsgType { return message.MsgTypeVoice }

func (m Voice) payload() (any, error) { return mediaPayload("voice", m.MediaID) }

// MPNews is an article message (图文消息, mpnews) of a news material or draft: it
// opens the article page inside WeChat. WeChat sends one article.
type MPNews struct {
	MediaID string
}

// MsgType returns message.MsgTypeMPNews.
func (MPNews) MsgType() message.MsgType { return message.MsgTypeMPNews }

func (m MPNews) payload() (any, error) { return mediaPayload("mpnews", m.MediaID) }

func mediaPayload(kind, mediaID string) (any, error) {
	if mediaID == "" {
		return nil, fmt.Errorf("%s: empty media id", kind)
	}
	return struct {
		MediaID string `json:"media_id"`
	}{mediaID}, nil
}

// Video is a video message (视频消息) of an uploaded video.
type Video struct {
	MediaID      string `json:"media_id"`
	ThumbMediaID string `json:"thumb_media_id,omitempty"`
	Title        string `json:"title,omitempty"`
	Description  string `json:"description,omitempty"`
}

// MsgType returns message.MsgTypeVideo.
func (Video) MsgType() message.MsgType { return message.MsgTypeVideo }

func (m Video) payload() (any, error) {
	if m.MediaID == "" {
		return nil, errors.New("video: empty media id")
	}
	return m, nil
}

// Music is a music message (音乐消息): a player for MusicURL (HQMusicURL on Wi-Fi)
// with the thumbnail ThumbMediaID, which is required.
type Music struct {
	Title        string `json:"title,omitempty"`
	Description  string `json:"description,omitempty"`
	MusicURL     string `json:"musicurl"`
	HQMusicURL   string `json:"hqmusicurl"`
	ThumbMediaID string `json:"thumb_media_id"`
}

// MsgType returns message.MsgTypeMusic.
func (Music) MsgType() message.MsgType { return message.MsgTypeMusic }

func (m Music) payload() (any, error) {
	if m.ThumbMediaID == "" {
		return nil, errors.New("music: empty thumb media id")
	}
	return m, nil
}

// News is a link card (图文消息, news) that opens URL. WeChat has sent one article
// per message since 2018 (more is errcode 45008), so News is that one article.
type News struct {
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	URL         string `json:"url"`
	PicURL      string `json:"picurl,omitempty"`
}

// MsgType returns message.MsgTypeNews.
func (News) MsgType() message.MsgType { return message.MsgTypeNews }

func (m News) payload() (any, error) {
	if m.Title == "" || m.URL == "" {
		return nil, errors.New("news: title and url are required")
	}
	return struct {
		Articles []News `json:"articles"`
	}{[]News{m}}, nil
}

// MPNewsArticle is a message of a published article (发布的文章), named by the
// article_id the publishing API returned.
type MPNewsArticle struct {
	ArticleID string
}

// MsgType returns message.MsgTypeMPNewsArticle.
func (MPNewsArticle) MsgType() message.MsgType { return message.MsgTypeMPNewsArticle }

func (m MPNewsArticle) payload() (any, error) {
	if m.ArticleID == "" {
		return nil, errors.New("mpnewsarticle: empty article id")
	}
	return struct {
		ArticleID string `json:"article_id"`
	}{m.ArticleID}, nil
}

// MsgMenu is a menu message (菜单消息): Head, then one tappable line per item, then
// Tail. A tap comes back to the webhook as a text message whose Content is the
// item's Content and whose bizmsgmenuid is its ID.
type MsgMenu struct {
	Head  string     `json:"head_content,omitempty"`
	Items []MenuItem `json:"list"`
	Tail  string     `json:"tail_content,omitempty"`
}

// MenuItem is one option of a MsgMenu.
type MenuItem struct {
	ID      string `json:"id"`
	Content string `json:"content"`
}

// MsgType returns message.MsgTypeMsgMenu.
func (MsgMenu) MsgType() message.MsgType { return message.MsgTypeMsgMenu }

func (m MsgMenu) payload() (any, error) {
	if len(m.Items) == 0 {
		return nil, errors.New("msgmenu: no items")
	}
	for i, it := range m.Items {
		if it.ID == "" || it.Content == "" {
			return nil, fmt.Errorf("msgmenu: items[%d]: id and content are required", i)
		}
	}
	return m, nil
}

// WxCard is a card or coupon message (卡券). The card must allow customer-service
// sending and have no custom code.
type WxCard struct {
	CardID string
}

// MsgType returns message.MsgTypeWxCard.
func (WxCard) MsgType() message.MsgType { return message.MsgTypeWxCard }

func (m WxCard) payload() (any, error) {
	if m.CardID == "" {
		return nil, errors.New("wxcard: empty card id")
	}
	return struct {
		CardID string `json:"card_id"`
	}{m.CardID}, nil
}

// MiniProgramPage is a mini-program card (小程序卡片) that opens PagePath of the
// mini program AppID, which must be linked to the account.
type MiniProgramPage struct {
	Title        string `json:"title,omitempty"`
	AppID        string `json:"appid"`
	PagePath     string `json:"pagepath"`
	ThumbMediaID string `json:"thumb_media_id"`
}

// MsgType returns message.MsgTypeMiniProgramPage.
func (MiniProgramPage) MsgType() message.MsgType { return message.MsgTypeMiniProgramPage }

func (m MiniProgramPage) payload() (any, error) {
	if m.AppID == "" || m.PagePath == "" || m.ThumbMediaID == "" {
		return nil, errors.New("miniprogrampage: appid, pagepath and thumb media id are required")
	}
	return m, nil
}
