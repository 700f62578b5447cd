package wechattest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"

	"github.com/wxkit/wechat/internal/wxcrypto"
)

// WebhookReply is a webhook's answer to a push, checked the way WeChat checks it.
type WebhookReply struct {
	StatusCode int
	Body       []byte       // as received
	Success    bool         // "success" or an empty body: nothing to show
	Encrypted  bool         // the reply came in an <Encrypt> envelope
	XML        []byte       // the reply message, decrypted; nil when Success
	Message    ReplyMessage // XML decoded
}

// ReplyMessage is a passive reply as WeChat reads it.
type ReplyMessage struct {
	ToUserName   string
	FromUserName string
	CreateTime   int64
	MsgType      string
	Content      string
	Image        struct {
		MediaID string `xml:"MediaId"`
	}
	Voice struct {
		MediaID string `xml:"MediaId"`
	}
	Video struct {
		MediaID     string `xml:"MediaId"`
		Title       string
		Description string
	}
	Music struct {
		Title, Description string
		MusicURL           string `xml:"MusicUrl"`
		HQMusicURL         string `xml:"HQMusicUrl"`
		ThumbMediaID       string `xml:"ThumbMediaId"`
	}
	ArticleCount int
	Articles     []struct {
		Title, Description string
		PicURL             string `xml:"PicUrl"`
		URL                string `xml:"Url"`
	} `xml:"Articles>item"`
	TransInfo struct{ KfAccount string }
}

// StatusError is a webhook answer other than 200.
type StatusError struct {
	StatusCode int
	Body       []byte
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("wechattest: webhook answered %d: %.100q", e.StatusCode, e.Body)
}

// ErrBadReply is wrapped by every reply WeChat would refuse (the follower then
// sees "该公众号暂时无法提供服务").
var ErrBadReply = errors.New("wechattest: webhook reply would be refused by WeChat")

// DecodeReply checks a webhook's answer as WeChat would in the client's mode:
// status 200; "success" or empty; else XML, which in safe mode must be an
// encrypted envelope whose MsgSignature and AppID check out. Tests that serve
// with httptest.NewRecorder pass its Code and Body here.
func (c *WebhookClient) DecodeReply(status int, body []byte) (*WebhookReply, error) {
	if status != 200 {
		return nil, &StatusError{StatusCode: status, Body: body}
	}
	reply := &WebhookReply{StatusCode: status, Body: body}
	if len(body) == 0 || string(body) == "success" {
		reply.Success = true
		return reply, nil
	}
	var env struct {
		Encrypt      string
		MsgSignature string
		TimeStamp    string
		Nonce        string
	}
	if err := xml.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("%w: not XML: %v", ErrBadReply, err)
	}
	plain := body
	switch {
	case env.Encrypt != "":
		if c.cipher == nil {
			return nil, fmt.Errorf("%w: encrypted, but the client has no EncodingAESKey", ErrBadReply)
		}
		if !wxcrypto.VerifySignature(env.MsgSignature, c.cfg.Token, env.TimeStamp, env.Nonce, env.Encrypt) {
			return nil, fmt.Errorf("%w: MsgSignature does not match", ErrBadReply)
		}
		var err error
		if plain, err = c.cipher.Decrypt([]byte(env.Encrypt), c.cfg.AppID); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadReply, err)
		}
		reply.Encrypted = true
	case c.cfg.Mode == ModeSafe:
		return nil, fmt.Errorf("%w: safe mode needs an encrypted reply", ErrBadReply)
	}
	if bytes.Contains(plain, []byte("<!DOCTYPE")) {
		return nil, fmt.Errorf("%w: DOCTYPE in reply", ErrBadReply)
	}
	if err := xml.Unmarshal(plain, &reply.Message); err != nil {
		return nil, fmt.Errorf("%w: reply message is not XML: %v", ErrBadReply, err)
	}
	if reply.Message.MsgType == "" || reply.Message.ToUserName == "" {
		return nil, fmt.Errorf("%w: reply lacks MsgType or ToUserName", ErrBadReply)
	}
	reply.XML = plain
	return reply, nil
}

// fromUser returns the FromUserName of a message, "" when it has none.
func fromUser(msg []byte) string {
	var m struct{ FromUserName string }
	if xml.Unmarshal(msg, &m) != nil {
		return ""
	}
	return m.FromUserName
}
