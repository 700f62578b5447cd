package customerservice

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/wxkit/wechat/message"
)

// ErrNotDeliverable is returned by SendReply for a passive reply that has no
// customer-service equivalent: a transfer to customer service cannot happen after
// the push was answered.
var ErrNotDeliverable = errors.New("customerservice: this passive reply has no customer-service equivalent")

// OnLateReply delivers the reply of a webhook handler that missed WeChat's 5-second
// deadline as a customer-service message to the follower who wrote. Plug it into the
// webhook:
//
//	srv := message.NewServer(oa, mux, message.WithOnLateReply(customerservice.New(oa).OnLateReply))
//
// Failures are logged with the account's logger (no token in them); 45015 means the
// follower is outside the 48-hour window. Call SendReply to handle errors yourself.
func (s *Service) OnLateReply(ctx context.Context, m *message.Message, r message.Reply) {
	if err := s.SendReply(ctx, m.FromUserName, r); err != nil {
		s.oa.Logger().LogAttrs(ctx, slog.LevelError, "customerservice: late reply not delivered",
			slog.String("msg_type", string(m.MsgType)), slog.String("reply_type", replyType(r)), slog.Any("err", err))
	}
}

// SendReply sends the passive reply r to toOpenID as customer-service messages: text,
// image, voice, video and music map one to one; a news reply becomes one message per
// article (customer service allows one article a message), sent in order. A nil or
// "no reply" sends nothing. A transfer to customer service is ErrNotDeliverable.
func (s *Service) SendReply(ctx context.Context, toOpenID string, r message.Reply) error {
	msgs, err := fromReply(r)
	if err != nil {
		return err
	}
	for i, msg := range msgs {
		if err := s.Send(ctx, toOpenID, msg); err != nil {
			if len(msgs) > 1 {
				return fmt.Errorf("article %d of %d: %w", i+1, len(msgs), err)
			}
			return err
		}
	}
	return nil
}

func fromReply(r message.Reply) ([]Message, error) {
	switch r := r.(type) {
	case nil:
		return nil, nil
	case message.TextReply:
		return []Message{Text{Content: r.Content}}, nil
	case message.ImageReply:
		return []Message{Image{MediaID: r.MediaID}}, nil
	case message.VoiceReply:
		return []Message{Voice{MediaID: r.MediaID}}, nil
	case message.VideoReply:
		return []Message{Video{MediaID: r.MediaID, Title: r.Title, Description: r.Description}}, nil
	case message.MusicReply:
		return []Message{Music{Title: r.Title, Description: r.Description, MusicURL: r.MusicURL, HQMusicURL: r.HQMusicURL, ThumbMediaID: r.ThumbMediaID}}, nil
	case message.NewsReply:
		out := make([]Message, 0, len(r.Articles))
		for _, a := range r.Articles {
			out = append(out, News{Title: a.Title, Description: a.Description, URL: a.URL, PicURL: a.PicURL})
		}
		return out, nil
	case message.TransferCustomerServiceReply:
		return nil, ErrNotDeliverable
	}
	if r.MsgType() == "" { // message.NoReply()
		return nil, nil
	}
	return nil, fmt.Errorf("%w: %s", ErrNotDeliverable, r.MsgType())
}

func replyType(r message.Reply) string {
	if r == nil {
		return ""
	}
	return string(r.MsgType())
}
