package wechattest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/wxkit/wechat"
)

// Paths of the mass-send APIs (群发) the fake serves.
const (
	PathMassSendAll     = "/cgi-bin/message/mass/sendall"
	PathMassSend        = "/cgi-bin/message/mass/send"
	PathMassPreview     = "/cgi-bin/message/mass/preview"
	PathMassDelete      = "/cgi-bin/message/mass/delete"
	PathMassGet         = "/cgi-bin/message/mass/get"
	PathMassSpeedGet    = "/cgi-bin/message/mass/speed/get"
	PathMassSpeedSet    = "/cgi-bin/message/mass/speed/set"
	PathMassUploadVideo = "/cgi-bin/media/uploadvideo"
)

// Mass-send limits the fake applies: a 服务号's (publishing.md §3).
const (
	massDailySends   = 100 // API sends a day (per path; clear_quota resets them)
	massPerMinute    = 60  // calls a minute
	massPerUserMonth = 4   // sends a follower receives a month; the rest are filtered out
	massMaxOpenIDs   = 10000
	clientMsgIDMax   = 64
	wxnamePreviewDay = 100
)

// MassSend is one mass send as the platform received it: what SentMass returns.
type MassSend struct {
	MsgID       int64
	MsgDataID   int64  // mpnews only
	Path        string // PathMassSendAll or PathMassSend
	ToAll       bool
	TagID       int
	ToUsers     []string // /mass/send
	MsgType     string
	Payload     json.RawMessage // the msgtype's object as sent
	ClientMsgID string
	Recipients  []string // the followers it reached
	Status      string   // SENDING, SEND_SUCCESS, SEND_FAIL or DELETE
	Submitted   time.Time
}

// MassPreview is one preview (预览) as the platform received it.
type MassPreview struct {
	MsgID    int64
	ToUser   string
	ToWxName string
	MsgType  string
	Payload  json.RawMessage
}

type massJob struct {
	MassSend
	doneAt    time.Time
	total     int // targeted followers
	failWith  string
	articleID string // mpnews: the pages of its articles
}

type massState struct {
	jobs      map[int64]*massJob
	order     []*massJob
	clientIDs map[string]*massJob // the last 24 hours' clientmsgid (or digest) -> job
	received  map[string][]time.Time
	calls     []time.Time // the last minute's send calls
	previews  []MassPreview
	wxnames   map[string]int // towxname previews per day
	speed     int
	seq       int64
	delay     time.Duration
	next      []string // queued by FailNextMass
}

func (s *Server) massRoutes() {
	s.content.mass = massState{jobs: map[int64]*massJob{}, clientIDs: map[string]*massJob{},
		received: map[string][]time.Time{}, wxnames: map[string]int{}, seq: 3147483650}
	s.quota[PathMassSendAll] = massDailySends
	s.quota[PathMassSend] = massDailySends
	s.api(http.MethodPost, PathMassSendAll, func(c *call) (any, error) { return s.massSend(c, PathMassSendAll) })
	s.api(http.MethodPost, PathMassSend, func(c *call) (any, error) { return s.massSend(c, PathMassSend) })
	s.api(http.MethodPost, PathMassPreview, s.massPreview)
	s.api(http.MethodPost, PathMassDelete, s.massDelete)
	s.api(http.MethodPost, PathMassGet, s.massGet)
	s.api(http.MethodPost, PathMassSpeedGet, func(*call) (any, error) {
		return map[string]any{"speed": s.content.mass.speed, "realspeed": massSpeeds[s.content.mass.speed]}, nil
	})
	s.api(http.MethodPost, PathMassSpeedSet, s.massSpeedSet)
	s.api(http.MethodPost, PathMassUploadVideo, s.massUploadVideo)
}

// massSpeeds is each speed level's sending rate in 万 per minute.
var massSpeeds = []int{80, 60, 45, 30, 10}

// SetMassDelay sets how long, on the platform's clock, a mass send stays
// SENDING before it ends and MASSSENDJOBFINISH is pushed (default 0: at once).
func (s *Server) SetMassDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.content.mass.delay = d
}

// FailNextMass makes the next mass send end with status instead of "send
// success": "send fail", or a review failure such as "err(20013)" (copyright).
func (s *Server) FailNextMass(status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.content.mass.next = append(s.content.mass.next, status)
}

// SentMass returns every accepted mass send so far, oldest first, with its
// status now.
func (s *Server) SentMass() []MassSend {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]MassSend, 0, len(s.content.mass.order))
	for _, j := range s.content.mass.order {
		s.finishMass(j, now)
		out = append(out, j.MassSend)
	}
	return out
}

// MassPreviews returns every preview sent so far, oldest first.
func (s *Server) MassPreviews() []MassPreview {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]MassPreview(nil), s.content.mass.previews...)
}

// massRequest is the body of sendall, send and preview.
type massRequest struct {
	Filter *struct {
		IsToAll bool `json:"is_to_all"`
		TagID   int  `json:"tag_id"`
	} `json:"filter"`
	ToUser            json.RawMessage `json:"touser"` // a list for send, a string for preview
	ToWxName          string          `json:"towxname"`
	MsgType           string          `json:"msgtype"`
	SendIgnoreReprint int             `json:"send_ignore_reprint"`
	ClientMsgID       string          `json:"clientmsgid"`
	raw               map[string]json.RawMessage
}

func (c *call) massRequest() (*massRequest, error) {
	var req massRequest
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	_ = json.Unmarshal(c.body, &req.raw)
	return &req, nil
}

func (s *Server) massSend(c *call, path string) (any, error) {
	if err := s.checkVerified(); err != nil {
		return nil, err
	}
	req, err := c.massRequest()
	if err != nil {
		return nil, err
	}
	st := &s.content.mass
	if err := st.rateLimit(c.now); err != nil {
		return nil, err
	}
	j := &massJob{MassSend: MassSend{Path: path, MsgType: req.MsgType, ClientMsgID: req.ClientMsgID, Status: "SENDING", Submitted: c.now}}
	targets, err := s.massTargets(req, path, &j.MassSend)
	if err != nil {
		return nil, err
	}
	if j.Payload, err = s.massPayload(req, false, c.now); err != nil {
		return nil, err
	}
	if dup, err := st.checkClientID(req, c.now); dup != nil || err != nil {
		if err != nil {
			return nil, err
		}
		return map[string]any{"errcode": wechat.CodeMassDuplicate, "errmsg": "clientmsgid exist", "msg_id": dup.MsgID}, nil
	}
	st.seq++
	j.MsgID, j.doneAt, j.total = st.seq, c.now.Add(st.delay), len(targets)
	for _, id := range targets {
		if st.monthly(id, c.now) < massPerUserMonth {
			j.Recipients = append(j.Recipients, id)
		}
	}
	if len(st.next) > 0 {
		j.failWith, st.next = st.next[0], st.next[1:]
	}
	st.jobs[j.MsgID] = j
	st.order = append(st.order, j)
	st.clientIDs[clientKey(req)] = j
	reply := map[string]any{"errcode": 0, "errmsg": "send job submission success", "msg_id": j.MsgID}
	if j.MsgType == "mpnews" {
		j.MsgDataID = j.MsgID + 1000
		reply["msg_data_id"] = j.MsgDataID
	}
	s.later(j.doneAt, func(now time.Time) { s.finishMass(j, now) })
	return reply, nil
}

func (st *massState) rateLimit(now time.Time) error {
	kept := st.calls[:0]
	for _, t := range st.calls {
		if now.Sub(t) < time.Minute {
			kept = append(kept, t)
		}
	}
	st.calls = kept
	if len(st.calls) >= massPerMinute {
		return apiError(wechat.CodeMinuteQuotaLimit, "api minute-quota reach limit: 60 mass sends a minute")
	}
	st.calls = append(st.calls, now)
	return nil
}

// checkClientID applies the 24-hour idempotency rule: the same clientmsgid (or,
// without one, the same recipients and content) within a minute is 45066, later
// within 24 hours the first send (45065, answered with its msg_id).
func (st *massState) checkClientID(req *massRequest, now time.Time) (*massJob, error) {
	if len(req.ClientMsgID) > clientMsgIDMax {
		return nil, apiError(wechat.CodeMassClientMsgIDLength, "clientmsgid too long")
	}
	j, ok := st.clientIDs[clientKey(req)]
	switch {
	case !ok || now.Sub(j.Submitted) >= 24*time.Hour:
		return nil, nil
	case now.Sub(j.Submitted) < time.Minute:
		return nil, apiError(wechat.CodeMassRetryTooFast, "clientmsgid retried too fast, wait one minute")
	}
	return j, nil
}

// clientKey is the idempotency key of a send: its clientmsgid, or a digest of
// recipients and content when it has none (old docs).
func clientKey(req *massRequest) string {
	if req.ClientMsgID != "" {
		return "id:" + req.ClientMsgID
	}
	h := sha256.New()
	for _, k := range []string{"filter", "touser", "msgtype", req.MsgType, "images"} {
		h.Write(req.raw[k])
		h.Write([]byte{0})
	}
	return "digest:" + hex.EncodeToString(h.Sum(nil))
}

// monthly is how many mass sends openID received this month (Beijing time).
func (st *massState) monthly(openID string, now time.Time) int {
	month := now.In(beijing).Format("2006-01")
	n := 0
	for _, t := range st.received[openID] {
		if t.In(beijing).Format("2006-01") == month {
			n++
		}
	}
	return n
}

// massTargets returns the followers a send is for, filling the record's
// filter fields.
func (s *Server) massTargets(req *massRequest, path string, rec *MassSend) ([]string, error) {
	if path == PathMassSendAll {
		if req.Filter == nil {
			return nil, apiError(wechat.CodeArgumentInvalid, "argument invalid! filter")
		}
		rec.ToAll, rec.TagID = req.Filter.IsToAll, req.Filter.TagID
		if !req.Filter.IsToAll {
			if _, ok := s.users.tags[req.Filter.TagID]; !ok && req.Filter.TagID != starTagID {
				return nil, apiError(wechat.CodeInvalidTagID, "invalid tagid")
			}
		}
		var out []string
		for _, id := range s.users.order {
			u := s.users.users[id]
			if u.subscribed && (req.Filter.IsToAll || slices.Contains(u.tags, req.Filter.TagID)) {
				out = append(out, id)
			}
		}
		return out, nil
	}
	if err := json.Unmarshal(req.ToUser, &rec.ToUsers); err != nil {
		return nil, apiError(wechat.CodeInvalidOpenIDList, "invalid openid list")
	}
	switch n := len(rec.ToUsers); {
	case n < 2:
		return nil, apiError(wechat.CodeMassTooFewUsers, "touser needs at least 2 openids")
	case n > massMaxOpenIDs:
		return nil, apiError(wechat.CodeOpenIDListTooLong, "touser has more than 10000 openids")
	}
	var out []string
	for _, id := range rec.ToUsers {
		if s.isFollower(id) { // others are filtered out, as unfollowers are
			out = append(out, id)
		}
	}
	return out, nil
}

// massPayload checks the msgtype's object and returns it as sent.
func (s *Server) massPayload(req *massRequest, preview bool, now time.Time) (json.RawMessage, error) {
	key := req.MsgType
	if key == "image" && !preview && req.raw["images"] != nil {
		key = "images"
	}
	raw := req.raw[key]
	var p struct {
		MediaID  string   `json:"media_id"`
		MediaIDs []string `json:"media_ids"`
		Content  string   `json:"content"`
		CardID   string   `json:"card_id"`
	}
	if raw == nil || json.Unmarshal(raw, &p) != nil {
		return nil, apiError(wechat.CodeArgumentInvalid, "argument invalid! "+key)
	}
	switch req.MsgType {
	case "text":
		if strings.TrimSpace(p.Content) == "" {
			return nil, apiError(wechat.CodeTextEmpty, "empty content")
		}
	case "mpnews": // a draft's media_id (publishing.md §6: which ids WeChat takes is unsure)
		if _, err := s.draftOf(p.MediaID); err != nil {
			return nil, err
		}
	case "image", "voice", "mpvideo", "video":
		ids := p.MediaIDs
		if p.MediaID != "" {
			ids = append(ids, p.MediaID)
		}
		if len(ids) == 0 {
			return nil, apiError(wechat.CodeMediaIDMissing, "media_id missing")
		}
		for _, id := range ids {
			if _, err := s.lookup(id, now); err != nil {
				return nil, err
			}
		}
	case "wxcard":
		if p.CardID == "" {
			return nil, apiError(wechat.CodeArgumentInvalid, "argument invalid! wxcard.card_id")
		}
	default:
		return nil, apiError(wechat.CodeInvalidMessageType, "invalid message type")
	}
	return raw, nil
}
