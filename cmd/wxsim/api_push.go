package main

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/wechattest"
)

func (s *Sim) postMessage(w http.ResponseWriter, r *http.Request) {
	var in messageIn
	if !readJSON(w, r, &in) {
		return
	}
	openID := r.PathValue("openid")
	if !s.fake.IsFollower(openID) {
		s.writeExchange(w, r, nil, errNotFollowing)
		return
	}
	what, build, err := in.message(openID)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	ex, err := s.push(r.Context(), openID, what, build)
	s.writeExchange(w, r, ex, err)
}

func (s *Sim) postEvent(w http.ResponseWriter, r *http.Request) {
	var in eventIn
	if !readJSON(w, r, &in) {
		return
	}
	openID := r.PathValue("openid")
	what, build, err := s.event(openID, in, s.fake.IsFollower(openID))
	if err != nil {
		s.writeExchange(w, r, nil, err)
		return
	}
	ex, err := s.push(r.Context(), openID, what, build)
	if err == nil && (what.Event == "subscribe" || what.Event == "unsubscribe") {
		s.publishFollowers()
	}
	if err == nil && what.Event == "unsubscribe" {
		s.mu.Lock()
		unseen(ex)
		s.hub.publish("exchange", ex)
		s.mu.Unlock()
	}
	s.writeExchange(w, r, ex, err)
}

// unseen records that a follower who unfollowed sees no answer. s.mu must be
// held.
func unseen(ex *exchange) {
	if ex.Outcome == "reply" || ex.Outcome == "fallback" {
		ex.Verdicts = append(ex.Verdicts, verdict{Name: "粉丝看得到", State: "info", Detail: "取消关注后，回复和“" + fallbackText + "”都不会出现"})
		ex.Outcome, ex.Bubbles = "silent", nil
	}
}

// postImage sends a picture the follower picked: multipart, the file in
// "image"; with "event" (pic_sysphoto, pic_photo_or_album, pic_weixin) and
// "key" it is the answer to a picture menu button, whose event goes first.
func (s *Sim) postImage(w http.ResponseWriter, r *http.Request) {
	openID := r.PathValue("openid")
	if !s.fake.IsFollower(openID) {
		s.writeExchange(w, r, nil, errNotFollowing)
		return
	}
	data, fields, err := readImageForm(w, r)
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	picURL, mediaID, err := s.storeImage(data)
	switch {
	case errors.Is(err, errTooManyBytes):
		writeError(w, http.StatusInsufficientStorage, err)
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, inputErr("%v", err))
		return
	}
	if ev := fields["event"]; ev != "" {
		what, build, err := picEvent(openID, wechat.Event(ev), fields["key"], fields["name"], data)
		if err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		if _, err := s.push(r.Context(), openID, what, build); err != nil {
			s.writeExchange(w, r, nil, err)
			return
		}
	}
	what := sent{Type: "image", ImageURL: s.local(picURL)}
	ex, err := s.push(r.Context(), openID, what, func(c *wechattest.WebhookClient) ([]byte, error) {
		return c.Image(openID, picURL, mediaID), nil
	})
	s.writeExchange(w, r, ex, err)
}

// readImageForm reads the multipart form of postImage: the image's bytes and
// the other fields.
func readImageForm(w http.ResponseWriter, r *http.Request) ([]byte, map[string]string, error) {
	ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || ct != "multipart/form-data" {
		return nil, nil, errUnsupportedMedia
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxImageBody)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, inputErr("%v", err)
	}
	var data []byte
	fields := map[string]string{}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, bodyErr(err)
		}
		if p.FormName() == "image" {
			data, err = io.ReadAll(io.LimitReader(p, maxImageSize+1))
			if err != nil {
				return nil, nil, bodyErr(err)
			}
			if len(data) > maxImageSize {
				return nil, nil, errTooLarge
			}
			continue
		}
		v, err := io.ReadAll(io.LimitReader(p, maxFieldLen+1))
		if err != nil {
			return nil, nil, bodyErr(err)
		}
		if len(fields) < 8 {
			fields[p.FormName()] = string(v)
		}
	}
	if len(data) == 0 {
		return nil, nil, inputErr("no image in the form's \"image\" field")
	}
	return data, fields, nil
}
