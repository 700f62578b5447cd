package qrcode

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wxkit/wechat/officialaccount"
)

// DefaultImageBaseURL is the host of showqrcode, which serves the QR image
// without an access_token.
const DefaultImageBaseURL = "https://mp.weixin.qq.com"

// Paths of the QR code APIs.
const (
	pathCreate = "/cgi-bin/qrcode/create" // on the account's API host
	pathShow   = "/cgi-bin/showqrcode"    // on the image host
)

// Limits WeChat documents.
const (
	MaxTTL            = 30 * 24 * time.Hour // a temporary code lives at most 30 days
	MaxPermanentID    = 100000              // QR_LIMIT_SCENE ids are 1 to 100,000
	MaxTemporaryID    = math.MaxUint32      // QR_SCENE ids: "32-bit non-zero"; taken as unsigned (see Scene)
	MaxSceneStrLength = 64                  // characters of a string scene
)

// Service makes parametric QR codes and short keys. It is safe for concurrent use.
type Service struct {
	oa *officialaccount.OfficialAccount
	settings
}

// Option configures New.
type Option func(*settings)

type settings struct {
	imageBase string // without a trailing slash
	now       func() time.Time
}

// WithImageBaseURL sets the host showqrcode is fetched from (default
// https://mp.weixin.qq.com; "" means the default). Tests point it at
// wechattest, which serves it too.
func WithImageBaseURL(u string) Option {
	return func(s *settings) { s.imageBase = strings.TrimRight(u, "/") }
}

// WithClock sets the clock expiry times are computed with (default time.Now;
// nil means the default); tests pass wechattest's.
func WithClock(now func() time.Time) Option { return func(s *settings) { s.now = now } }

// New returns the QR code service of oa.
func New(oa *officialaccount.OfficialAccount, opts ...Option) *Service {
	s := &Service{oa: oa}
	for _, o := range opts {
		o(&s.settings)
	}
	if s.imageBase == "" {
		s.imageBase = DefaultImageBaseURL
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Scene is what a QR code carries back to the webhook: a number (ID) or a
// string (String).
type Scene struct {
	id    int64
	str   string
	isStr bool
}

// ID is a numeric scene. A temporary code takes 1 to 4,294,967,295: WeChat says
// "32-bit non-zero integer" without saying signed or not, and unsigned values
// are reported to work; a permanent code takes 1 to 100,000.
func ID(n int64) Scene { return Scene{id: n} }

// String is a string scene of 1 to 64 characters.
func String(s string) Scene { return Scene{str: s, isStr: true} }

// String returns the scene as the webhook event carries it: the decimal id or
// the string (what message.Message.Scene returns).
func (sc Scene) String() string {
	if sc.isStr {
		return sc.str
	}
	return strconv.FormatInt(sc.id, 10)
}

// check applies WeChat's limits for a temporary or a permanent code.
func (sc Scene) check(permanent bool) error {
	if sc.isStr {
		if n := utf8.RuneCountInString(sc.str); n < 1 || n > MaxSceneStrLength {
			return fmt.Errorf("qrcode: a string scene is 1 to %d characters, got %d", MaxSceneStrLength, n)
		}
		if !utf8.ValidString(sc.str) {
			return errors.New("qrcode: a string scene must be valid UTF-8")
		}
		return nil
	}
	limit := int64(MaxTemporaryID)
	if permanent {
		limit = MaxPermanentID
	}
	if sc.id < 1 || sc.id > limit {
		kind := "temporary"
		if permanent {
			kind = "permanent"
		}
		return fmt.Errorf("qrcode: a %s code's scene id is 1 to %d, got %d", kind, limit, sc.id)
	}
	return nil
}

// Code is a parametric QR code.
type Code struct {
	Ticket    string    // exchanges for the image (ImageURL, Image)
	URL       string    // the QR content: render it yourself instead of downloading the image
	ExpiresAt time.Time // zero for a permanent code

	imageBase string
}

// ImageURL returns the image's address on showqrcode, the ticket percent-encoded
// (it holds '+', '/' and '='). It needs no access_token and can go into an <img>.
func (c *Code) ImageURL() string {
	base := c.imageBase
	if base == "" {
		base = DefaultImageBaseURL
	}
	return base + pathShow + "?ticket=" + url.QueryEscape(c.Ticket)
}

// ImageURL returns the showqrcode address of ticket, for a code kept as its
// ticket only.
func (s *Service) ImageURL(ticket string) string {
	return (&Code{Ticket: ticket, imageBase: s.imageBase}).ImageURL()
}

type createRequest struct {
	ExpireSeconds int64      `json:"expire_seconds,omitempty"`
	ActionName    string     `json:"action_name"`
	ActionInfo    actionInfo `json:"action_info"`
}

type actionInfo struct {
	Scene sceneJSON `json:"scene"`
}

type sceneJSON struct {
	SceneID  int64  `json:"scene_id,omitempty"`
	SceneStr string `json:"scene_str,omitempty"`
}

type createReply struct {
	Ticket        string `json:"ticket"`
	ExpireSeconds int64  `json:"expire_seconds"`
	URL           string `json:"url"`
}

// Temporary makes a temporary code (临时二维码) that lives ttl: more than 0, at
// most 30 days, whole seconds. Meant for one-off uses such as binding an account;
// WeChat sets no stated limit on how many.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Account_Management/Generating_a_Parametric_QR_Code.html
func (s *Service) Temporary(ctx context.Context, scene Scene, ttl time.Duration) (*Code, error) {
	if ttl < time.Second || ttl > MaxTTL {
		return nil, fmt.Errorf("qrcode: a temporary code lives 1s to 30 days, got %v", ttl)
	}
	if err := scene.check(false); err != nil {
		return nil, err
	}
	req := createRequest{ExpireSeconds: int64(ttl / time.Second), ActionName: "QR_SCENE", ActionInfo: actionInfo{sceneJSON{SceneID: scene.id}}}
	if scene.isStr {
		req.ActionName, req.ActionInfo.Scene = "QR_STR_SCENE", sceneJSON{SceneStr: scene.str}
	}
	return s.create(ctx, req)
}

// Permanent makes a permanent code (永久二维码). An account has at most 100,000
// of them and they never expire; the same scene gives the same code.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Account_Management/Generating_a_Parametric_QR_Code.html
func (s *Service) Permanent(ctx context.Context, scene Scene) (*Code, error) {
	if err := scene.check(true); err != nil {
		return nil, err
	}
	req := createRequest{ActionName: "QR_LIMIT_SCENE", ActionInfo: actionInfo{sceneJSON{SceneID: scene.id}}}
	if scene.isStr {
		req.ActionName, req.ActionInfo.Scene = "QR_LIMIT_STR_SCENE", sceneJSON{SceneStr: scene.str}
	}
	return s.create(ctx, req)
}

func (s *Service) create(ctx context.Context, req createRequest) (*Code, error) {
	var r createReply
	if err := s.oa.PostJSON(ctx, pathCreate, nil, req, &r); err != nil {
		return nil, err
	}
	if r.Ticket == "" || r.URL == "" {
		return nil, fmt.Errorf("wechat: %s: reply has no ticket or url", pathCreate)
	}
	c := &Code{Ticket: r.Ticket, URL: r.URL, imageBase: s.imageBase}
	if req.ExpireSeconds > 0 {
		secs := r.ExpireSeconds
		if secs <= 0 {
			secs = req.ExpireSeconds
		}
		c.ExpiresAt = s.now().Add(time.Duration(secs) * time.Second)
	}
	return c, nil
}
