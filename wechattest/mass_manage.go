package wechattest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/wxkit/wechat"
)

// finishMass ends j if its time has come: recipients get it, the draft of an
// mpnews send leaves the box and its articles get pages, MASSSENDJOBFINISH is
// pushed.
func (s *Server) finishMass(j *massJob, now time.Time) {
	if j.Status != "SENDING" || now.Before(j.doneAt) {
		return
	}
	st := &s.content.mass
	status, sent := "send success", len(j.Recipients)
	if j.failWith != "" {
		status, sent = j.failWith, 0
		j.Status = "SEND_FAIL"
	} else {
		j.Status = "SEND_SUCCESS"
		for _, id := range j.Recipients {
			st.received[id] = append(st.received[id], now)
		}
	}
	var urls strings.Builder
	count := 0
	if j.MsgType == "mpnews" && j.failWith == "" {
		var p struct {
			MediaID string `json:"media_id"`
		}
		_ = json.Unmarshal(j.Payload, &p)
		if d, ok := s.content.drafts.byID[p.MediaID]; ok {
			pj := &publishJob{Publication: Publication{ArticleID: fmt.Sprintf("wxkit_mass_%d", j.MsgID), Articles: append([]Article(nil), d.articles...)}}
			pj.deleted = make([]bool, len(pj.Articles))
			for i := range pj.Articles {
				pj.Articles[i].URL = s.articleURL(pj.ArticleID, i+1)
				fmt.Fprintf(&urls, "<item><ArticleIdx>%d</ArticleIdx>%s</item>", i+1, elem("ArticleUrl", pj.Articles[i].URL))
			}
			count = len(pj.Articles)
			j.articleID = pj.ArticleID
			s.content.publish.byArticle[pj.ArticleID] = pj
			s.removeDraft(d.id)
		}
	}
	filtered := len(j.Recipients)
	s.push("mphelper", "MASSSENDJOBFINISH", fmt.Sprintf("<MsgID>%d</MsgID>%s<TotalCount>%d</TotalCount>"+
		"<FilterCount>%d</FilterCount><SentCount>%d</SentCount><ErrorCount>%d</ErrorCount>"+
		"<CopyrightCheckResult><Count>0</Count><ResultList></ResultList><CheckState>2</CheckState></CopyrightCheckResult>"+
		"<ArticleUrlResult><Count>%d</Count><ResultList>%s</ResultList></ArticleUrlResult>",
		j.MsgID, elem("Status", status), j.total, filtered, sent, filtered-sent, count, urls.String()))
}

func (s *Server) massJob(c *call) (*massJob, map[string]json.RawMessage, error) {
	var raw map[string]json.RawMessage
	if err := c.bind(&raw); err != nil {
		return nil, nil, err
	}
	var id int64
	_ = json.Unmarshal(raw["msg_id"], &id)
	j, ok := s.content.mass.jobs[id]
	if !ok {
		return nil, raw, apiError(wechat.CodeInvalidMassMsgID, "invalid msg id")
	}
	s.finishMass(j, c.now)
	return j, raw, nil
}

func (s *Server) massGet(c *call) (any, error) {
	j, _, err := s.massJob(c)
	if err != nil {
		return nil, err
	}
	return map[string]any{"msg_id": j.MsgID, "msg_status": j.Status}, nil
}

func (s *Server) massDelete(c *call) (any, error) {
	j, raw, err := s.massJob(c)
	if err != nil {
		var byURL struct {
			URL string `json:"url"`
		}
		if raw == nil || json.Unmarshal(c.body, &byURL) != nil || byURL.URL == "" {
			return nil, err
		}
		if j = s.massByURL(byURL.URL); j == nil {
			return nil, err
		}
	}
	pj := s.content.publish.byArticle[j.articleID]
	if j.Status != "SEND_SUCCESS" || (j.MsgType != "mpnews" && j.MsgType != "mpvideo") {
		return nil, apiError(wechat.CodeInvalidMassMsgID, "invalid msg id: only successful mpnews and video sends can be deleted")
	}
	var idx int
	_ = json.Unmarshal(raw["article_idx"], &idx) // 1-based; 0 or missing: every article
	if pj == nil {
		j.Status = "DELETE"
		return ok(), nil
	}
	if idx < 0 || idx > len(pj.deleted) {
		return nil, apiError(wechat.CodeInvalidArticleIndex, "invalid article_idx")
	}
	for i := range pj.deleted {
		if idx == 0 || i == idx-1 {
			pj.deleted[i] = true
		}
	}
	if pj.status() == 5 {
		j.Status = "DELETE"
	}
	return ok(), nil
}

func (s *Server) massByURL(u string) *massJob {
	for _, j := range s.content.mass.order {
		if j.articleID != "" && strings.HasPrefix(u, s.URL()+"/s/"+j.articleID+"/") {
			return j
		}
	}
	return nil
}

func (s *Server) massPreview(c *call) (any, error) {
	req, err := c.massRequest()
	if err != nil {
		return nil, err
	}
	var toUser string
	_ = json.Unmarshal(req.ToUser, &toUser)
	st := &s.content.mass
	switch {
	case req.ToWxName != "": // towxname wins when both are given
		day := c.now.In(beijing).Format(time.DateOnly)
		if st.wxnames[day] >= wxnamePreviewDay {
			return nil, apiError(wechat.CodeDailyQuotaLimit, "towxname previews are limited to 100 a day")
		}
		st.wxnames[day]++
	case toUser == "":
		return nil, apiError(wechat.CodeInvalidOpenID, "touser or towxname required")
	case !s.isFollower(toUser):
		return nil, apiError(wechat.CodeInvalidOpenID, "invalid openid")
	}
	payload, err := s.massPayload(req, true, c.now)
	if err != nil {
		return nil, err
	}
	st.seq++
	st.previews = append(st.previews, MassPreview{MsgID: st.seq, ToUser: toUser, ToWxName: req.ToWxName, MsgType: req.MsgType, Payload: payload})
	return map[string]any{"errcode": 0, "errmsg": "preview success", "msg_id": st.seq}, nil
}

func (s *Server) massSpeedSet(c *call) (any, error) {
	var req struct {
		Speed *int `json:"speed"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	switch {
	case req.Speed == nil:
		return nil, apiError(wechat.CodeMassSpeedMissing, "speed missing")
	case *req.Speed < 0 || *req.Speed >= len(massSpeeds):
		return nil, apiError(wechat.CodeMassSpeedOutOfRange, "speed out of range: 0 to 4")
	}
	s.content.mass.speed = *req.Speed
	return ok(), nil
}

func (s *Server) massUploadVideo(c *call) (any, error) {
	var req struct {
		MediaID     string `json:"media_id"`
		Title       string `json:"title"`
		Description string `json:"description"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	// Old copies take a temporary video here, later ones a permanent one; the
	// fake takes both (publishing.md §6).
	m, err := s.lookup(req.MediaID, c.now)
	if err != nil || m.kind != "video" {
		return nil, apiError(wechat.CodeInvalidMediaID, "invalid media_id: a video is required")
	}
	v := &mediaItem{id: newMediaID(), kind: "mpvideo", name: m.name, data: m.data, title: req.Title, intro: req.Description, created: c.now, updated: c.now}
	s.content.media.items[v.id] = v
	return map[string]any{"type": "video", "media_id": v.id, "created_at": c.now.Unix()}, nil
}
