package wechattest

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	qrencode "github.com/skip2/go-qrcode"

	"github.com/wxkit/wechat"
)

// Paths of parametric QR codes (带参数二维码).
const (
	PathQRCodeCreate = "/cgi-bin/qrcode/create"
	PathShowQRCode   = "/cgi-bin/showqrcode" // on mp.weixin.qq.com, no access_token
)

// Limits of qrcode/create, as the spec gives them.
const (
	qrMaxExpire      = 2592000 // seconds: 30 days
	qrDefaultExpire  = 60      // seconds, when expire_seconds is omitted (uncertain: 60 or 30)
	qrPermanentLimit = 100000  // permanent codes per account; also the largest QR_LIMIT_SCENE id
	qrSceneStrLimit  = 64      // characters
	qrImageSize      = 430     // pixels, about WeChat's
)

// fakeQR is a QR code the platform made.
type fakeQR struct {
	ticket    string
	url       string
	scene     string // the decimal scene_id or the scene_str
	isStr     bool
	expiresAt time.Time // zero: permanent
}

func (q *fakeQR) valid(now time.Time) bool { return q.expiresAt.IsZero() || now.Before(q.expiresAt) }

func (s *Server) qrcodeRoutes() {
	s.api(http.MethodPost, PathQRCodeCreate, s.qrcodeCreate)
	s.mux.HandleFunc(PathShowQRCode, s.serveQRCode)
}

// qrcodeCreate checks the request as the spec describes (40052 unknown
// action_name, 40053 a bad scene) and makes the code. A permanent code for a
// scene that has one already is the same code. expire_seconds above 30 days is
// cut to 30 days, and omitted means 60 s: the spec is unsure of both.
func (s *Server) qrcodeCreate(c *call) (any, error) {
	var req struct {
		ExpireSeconds int64  `json:"expire_seconds"`
		ActionName    string `json:"action_name"`
		ActionInfo    struct {
			Scene struct {
				SceneID  *int64 `json:"scene_id"`
				SceneStr string `json:"scene_str"`
			} `json:"scene"`
		} `json:"action_info"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	scene := req.ActionInfo.Scene
	var key string
	switch req.ActionName {
	case "QR_SCENE", "QR_LIMIT_SCENE":
		limit := int64(1<<32 - 1) // "32-bit non-zero integer"; the fake takes it as unsigned
		if req.ActionName == "QR_LIMIT_SCENE" {
			limit = qrPermanentLimit
		}
		if scene.SceneID == nil || *scene.SceneID < 1 || *scene.SceneID > limit {
			return nil, apiError(wechat.CodeInvalidActionInfo, "invalid action info: scene_id")
		}
		key = strconv.FormatInt(*scene.SceneID, 10)
	case "QR_STR_SCENE", "QR_LIMIT_STR_SCENE":
		if n := utf8.RuneCountInString(scene.SceneStr); n < 1 || n > qrSceneStrLimit {
			return nil, apiError(wechat.CodeInvalidActionInfo, "invalid action info: scene_str")
		}
		key = scene.SceneStr
	default:
		return nil, apiError(wechat.CodeInvalidActionName, "invalid action name")
	}
	web := s.web
	isStr := req.ActionName == "QR_STR_SCENE" || req.ActionName == "QR_LIMIT_STR_SCENE"
	if req.ActionName == "QR_LIMIT_SCENE" || req.ActionName == "QR_LIMIT_STR_SCENE" {
		pkey := strconv.FormatBool(isStr) + ":" + key
		if t, ok := web.permanent[pkey]; ok {
			q := web.qrcodes[t]
			return map[string]any{"ticket": q.ticket, "url": q.url}, nil
		}
		if len(web.permanent) >= qrPermanentLimit {
			// The spec names no errcode for the 100,000 limit; 40053 is a guess.
			return nil, apiError(wechat.CodeInvalidActionInfo, "permanent qrcode limit reached")
		}
		q := s.newQR(key, isStr, time.Time{})
		web.permanent[pkey] = q.ticket
		return map[string]any{"ticket": q.ticket, "url": q.url}, nil
	}
	secs := req.ExpireSeconds
	switch {
	case secs <= 0:
		secs = qrDefaultExpire
	case secs > qrMaxExpire:
		secs = qrMaxExpire
	}
	q := s.newQR(key, isStr, c.now.Add(time.Duration(secs)*time.Second))
	return map[string]any{"ticket": q.ticket, "expire_seconds": secs, "url": q.url}, nil
}

// newQR makes a code. Its ticket is base64 with '+', '/' and '=' as WeChat's
// are, so that a client that does not escape it fails here as it would there.
func (s *Server) newQR(scene string, isStr bool, expiresAt time.Time) *fakeQR {
	b := make([]byte, 60)
	for {
		_, _ = rand.Read(b) // crypto/rand.Read never fails
		t := base64.StdEncoding.EncodeToString(b[:58])
		if strings.ContainsAny(t, "+/") {
			q := &fakeQR{ticket: t, url: "http://weixin.qq.com/q/" + randomHex(11), scene: scene, isStr: isStr, expiresAt: expiresAt}
			s.web.qrcodes[t] = q
			return q
		}
	}
}

// serveQRCode is mp.weixin.qq.com's showqrcode: the PNG of the code's URL, or
// 404 (not JSON) for an unknown or expired ticket. WeChat sends image/jpg; the
// fake draws a PNG.
func (s *Server) serveQRCode(w http.ResponseWriter, r *http.Request) {
	s.record(r, PathShowQRCode)
	now := s.Now()
	s.mu.Lock()
	q := s.web.qrcodes[r.URL.Query().Get("ticket")]
	valid := q != nil && q.valid(now)
	var content string
	if valid {
		content = q.url
	}
	s.mu.Unlock()
	if !valid {
		http.NotFound(w, r)
		return
	}
	png, err := qrencode.Encode(content, qrencode.Medium, qrImageSize)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "max-age=604800")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(png)
}

// QRCode is a parametric QR code the platform made, as tests inspect it.
type QRCode struct {
	Ticket    string
	URL       string    // the QR content
	Scene     string    // the decimal scene_id or the scene_str
	ExpiresAt time.Time // zero for a permanent code
}

// QRCode returns the code of ticket, and false when the platform made none or it
// has expired.
func (s *Server) QRCode(ticket string) (QRCode, bool) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.web.qrcodes[ticket]
	if q == nil || !q.valid(now) {
		return QRCode{}, false
	}
	return QRCode{Ticket: q.ticket, URL: q.url, Scene: q.scene, ExpiresAt: q.expiresAt}, true
}

// scan plays a user scanning ticket: a follower gets SCAN with the scene, anyone
// else follows and gets subscribe with "qrscene_" and the scene.
func (s *Server) scan(openID, ticket string) (event wechat.Event, key string, err error) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.web.qrcodes[ticket]
	if q == nil || !q.valid(now) {
		return "", "", errors.New("wechattest: Scan: the ticket is unknown or expired")
	}
	if s.isFollower(openID) {
		return eventScan, q.scene, nil
	}
	f := s.knownUser(openID, now).Follower
	f.SubscribeTime, f.SubscribeScene = now, "ADD_SCENE_QR_CODE"
	f.QRScene, f.QRSceneStr = 0, ""
	if q.isStr {
		f.QRSceneStr = q.scene
	} else {
		f.QRScene, _ = strconv.Atoi(q.scene)
	}
	s.addFollower(f, now)
	return eventSubscribe, "qrscene_" + q.scene, nil
}

// The events a scan pushes (message.EventSubscribe and message.EventScan; this
// package cannot import message, whose tests import it).
const (
	eventSubscribe wechat.Event = "subscribe"
	eventScan      wechat.Event = "SCAN"
)

// Scan plays openID scanning the parametric QR code of ticket and builds the
// event push WeChat sends for it, as Event does: subscribe with EventKey
// "qrscene_<scene>" when openID does not follow the account, or SCAN with EventKey
// "<scene>" when they do; both carry the Ticket. The scan itself happens on the
// platform now: a non-follower follows (subscribe_scene ADD_SCENE_QR_CODE, with
// the code's scene), whether or not the push is sent. Send the result with Send.
// It needs a client made by Server.WebhookClient, and a ticket the platform
// issued that has not expired.
func (c *WebhookClient) Scan(openID, ticket string) ([]byte, error) {
	if c.fake == nil {
		return nil, errors.New("wechattest: Scan needs a client made by Server.WebhookClient")
	}
	event, key, err := c.fake.scan(openID, ticket)
	if err != nil {
		return nil, err
	}
	return c.event(openID, event, key, elem("Ticket", ticket)), nil
}
