package mass

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Index is the number of an article in a mass send, counted from 1 as
// mass/delete's article_idx counts: the first article is OneBased(1). A
// struct, not an int, so that a 0-based number cannot slip in; the zero Index
// is no article.
type Index struct{ n int }

// OneBased returns the index of the n-th article, the first being 1.
func OneBased(n int) Index { return Index{n} }

// Int returns the index counted from 1.
func (i Index) Int() int { return i.n }

// Delete deletes the articles of the mass send msgID (删除群发): their pages go
// offline; followers keep the card in their chat. Only successful mpnews and
// video sends made by API can be deleted, and deleting one send of a reused
// article kills every send of it. 40059: no such send.
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/notify/message/api_deletemassmsg.html
func (s *Service) Delete(ctx context.Context, msgID int64) error {
	return s.deleteSend(ctx, msgID, 0)
}

// DeleteArticle deletes one article, at index (1-based), of the mass send msgID
// (删除群发, one article).
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/notify/message/api_deletemassmsg.html
func (s *Service) DeleteArticle(ctx context.Context, msgID int64, index Index) error {
	if index.n < 1 {
		return fmt.Errorf("mass: article index %d: indexes count from 1 (OneBased(1) is the first); Delete removes every article", index.n)
	}
	return s.deleteSend(ctx, msgID, index.n)
}

// DeleteURL deletes the mass-sent article whose page is articleURL (删除群发,
// by the article's URL).
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/notify/message/api_deletemassmsg.html
func (s *Service) DeleteURL(ctx context.Context, articleURL string) error {
	if articleURL == "" {
		return errors.New("mass: empty article URL")
	}
	return s.oa.PostJSON(ctx, pathDelete, nil, map[string]string{"url": articleURL}, nil)
}

// deleteSend deletes the article at index of the send msgID, every article
// for 0.
func (s *Service) deleteSend(ctx context.Context, msgID int64, index int) error {
	if msgID <= 0 {
		return fmt.Errorf("mass: msg_id %d is not a send's", msgID)
	}
	body := map[string]int64{"msg_id": msgID, "article_idx": int64(index)}
	return s.oa.PostJSON(ctx, pathDelete, nil, body, nil)
}

const pathDelete = "/cgi-bin/message/mass/delete"

// SendStatus is where a mass send stands (msg_status).
type SendStatus string

// The statuses mass/get reports.
const (
	StatusSendSuccess SendStatus = "SEND_SUCCESS" // 发送成功
	StatusSending     SendStatus = "SENDING"      // 发送中
	StatusSendFail    SendStatus = "SEND_FAIL"    // 发送失败
	StatusDeleted     SendStatus = "DELETE"       // 已删除
)

// Status returns where the mass send msgID stands (查询群发消息发送状态).
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/notify/message/api_massmsgget.html
func (s *Service) Status(ctx context.Context, msgID int64) (SendStatus, error) {
	var w struct {
		MsgStatus SendStatus `json:"msg_status"`
	}
	if err := s.oa.PostJSON(ctx, "/cgi-bin/message/mass/get", nil, map[string]int64{"msg_id": msgID}, &w); err != nil {
		return "", err
	}
	return w.MsgStatus, nil
}

// Speed is the account's mass-send speed.
type Speed struct {
	// Level is 0 (800,000 followers a minute), 1 (600,000), 2 (450,000),
	// 3 (300,000) or 4 (100,000).
	Level int `json:"speed"`
	// RealSpeed is in units of 10,000 followers a minute. WeChat's example
	// pairs level 3 with 15, not 30: it may be a measured rate.
	RealSpeed int `json:"realspeed"`
}

// Speed returns the mass-send speed (获取群发速度).
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/notify/message/api_getspeed.html
func (s *Service) Speed(ctx context.Context) (*Speed, error) {
	var sp Speed
	if err := s.oa.PostJSON(ctx, "/cgi-bin/message/mass/speed/get", nil, struct{}{}, &sp); err != nil {
		return nil, err
	}
	return &sp, nil
}

// SetSpeed sets the mass-send speed level, 0 (fastest) to 4 (设置群发速度).
// WeChat may answer 89504 or 89505 (awaiting an administrator; the trigger is
// not documented).
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/notify/message/api_setspeed.html
func (s *Service) SetSpeed(ctx context.Context, level int) error {
	if level < 0 || level > 4 {
		return fmt.Errorf("mass: speed level %d: it must be 0 to 4", level)
	}
	return s.oa.PostJSON(ctx, "/cgi-bin/message/mass/speed/set", nil, map[string]int{"speed": level}, nil)
}

// UploadedVideo is a video made ready for a mass send.
type UploadedVideo struct {
	MediaID   string // for Video
	CreatedAt time.Time
}

// UploadVideo turns the video mediaID, uploaded with the media package, into
// the id a Video mass send takes (群发视频), with its title and description. Old docs take
// a temporary video here, later ones a permanent one; developers report 40007
// with permanent ids.
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/notify/message/api_sendall.html
func (s *Service) UploadVideo(ctx context.Context, mediaID, title, description string) (*UploadedVideo, error) {
	if mediaID == "" {
		return nil, errors.New("mass: empty media_id")
	}
	body := map[string]string{"media_id": mediaID, "title": title, "description": description}
	var w struct {
		MediaID   string `json:"media_id"`
		CreatedAt int64  `json:"created_at"`
	}
	if err := s.oa.PostJSON(ctx, "/cgi-bin/media/uploadvideo", nil, body, &w); err != nil {
		return nil, err
	}
	return &UploadedVideo{MediaID: w.MediaID, CreatedAt: time.Unix(w.CreatedAt, 0)}, nil
}
