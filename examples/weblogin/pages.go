package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wxkit/wechat/message"
	"github.com/wxkit/wechat/oauth"
	"github.com/wxkit/wechat/qrcode"
	"github.com/wxkit/wechat/wechattest"
)

// sessionCookie names the demo's own session; the web token stays server-side.
const sessionCookie = "weblogin_session"

// profile is what a session remembers of the signed-in user.
type profile struct {
	OpenID, Nickname, Avatar string
	Snapshot                 bool
}

// maxSessions bounds the in-memory store: past it, the oldest session ends.
const maxSessions = 10000

// sessions is an in-memory session store: enough for a demo, one process. It
// holds at most maxSessions, so that sign-ins cannot grow it without end.
type sessions struct {
	mu    sync.Mutex
	m     map[string]profile
	order []string // ids, oldest first
}

func newSessions() *sessions { return &sessions{m: map[string]profile{}} }

// add starts a session for p and returns its id.
func (ss *sessions) add(p profile) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.m[id] = p
	ss.order = append(ss.order, id)
	for len(ss.m) > maxSessions {
		delete(ss.m, ss.order[0]) // gone already if it logged out
		ss.order = ss.order[1:]
	}
	if len(ss.order) > 2*maxSessions { // logouts left ids behind
		ss.order = slices.DeleteFunc(ss.order, func(id string) bool { _, ok := ss.m[id]; return !ok })
	}
	return id
}

// onLogin starts a session for the user WeChat authorized.
func (d *demo) onLogin(w http.ResponseWriter, r *http.Request, tok *oauth.Token, info *oauth.UserInfo) error {
	p := profile{OpenID: tok.OpenID, Snapshot: tok.IsSnapshotUser}
	if info != nil {
		p.Nickname, p.Avatar = info.Nickname, info.HeadImgURL
	}
	id := d.sessions.add(p)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: strings.HasPrefix(d.base, "https:")})
	return nil // the handler sends the browser back to ?next
}

func (d *demo) user(c *gin.Context) (profile, bool) {
	id, err := c.Cookie(sessionCookie)
	if err != nil {
		return profile{}, false
	}
	d.sessions.mu.Lock()
	defer d.sessions.mu.Unlock()
	p, ok := d.sessions.m[id]
	return p, ok
}

func (d *demo) home(c *gin.Context) {
	p, ok := d.user(c)
	render(c, homeTmpl, map[string]any{"User": p, "SignedIn": ok})
}

func (d *demo) profile(c *gin.Context) {
	p, ok := d.user(c)
	if !ok {
		c.Redirect(http.StatusFound, "/login?next=/profile")
		return
	}
	render(c, profileTmpl, p)
}

func (d *demo) logout(c *gin.Context) {
	if id, err := c.Cookie(sessionCookie); err == nil {
		d.sessions.mu.Lock()
		delete(d.sessions.m, id)
		d.sessions.mu.Unlock()
	}
	c.SetCookie(sessionCookie, "", -1, "/", "", false, true)
	c.Redirect(http.StatusSeeOther, "/")
}

func (d *demo) jssdkPage(c *gin.Context) {
	render(c, jssdkTmpl, map[string]any{"Script": d.jsSDK})
}

// jssdkConfig signs the page URL the page sends (location.href without the
// #fragment, percent-encoded in transit).
func (d *demo) jssdkConfig(c *gin.Context) {
	page := c.Query("url")
	if !strings.HasPrefix(page, d.base+"/") {
		c.JSON(http.StatusBadRequest, gin.H{"error": "url must be a page of this site"})
		return
	}
	cfg, err := d.signer.Config(c.Request.Context(), page, []string{"updateAppMessageShareData", "updateTimelineShareData"}, nil)
	if err != nil {
		d.logger.Error("weblogin: wx.config", "err", err) // the details stay in the log
		c.JSON(http.StatusBadGateway, gin.H{"error": "cannot sign the page now: the jsapi_ticket is not available"})
		return
	}
	c.JSON(http.StatusOK, cfg)
}

func (d *demo) qrcodePage(c *gin.Context) {
	data := map[string]any{"Sandbox": d.fake != nil}
	if t := c.Query("ticket"); t != "" {
		data["Ticket"] = t
		data["Image"] = d.qr.ImageURL(t)
		data["URL"] = c.Query("url")
		data["Scene"] = c.Query("scene")
	}
	render(c, qrcodeTmpl, data)
}

// qrcodeCreate makes a temporary code for the form's scene, for 10 minutes.
func (d *demo) qrcodeCreate(c *gin.Context) {
	scene := strings.TrimSpace(c.PostForm("scene"))
	code, err := d.qr.Temporary(c.Request.Context(), qrcode.String(scene), 10*time.Minute)
	if err != nil {
		render(c, qrcodeTmpl, map[string]any{"Sandbox": d.fake != nil, "Error": err.Error()})
		return
	}
	c.Redirect(http.StatusSeeOther, "/qrcode?ticket="+queryEscape(code.Ticket)+"&url="+queryEscape(code.URL)+"&scene="+queryEscape(scene))
}

// scans records the QR events the webhook received, by ticket.
type scans struct {
	mu sync.Mutex
	m  map[string][]scanEvent
}

type scanEvent struct {
	Event  string `json:"event"`
	OpenID string `json:"openid"`
	Scene  string `json:"scene"`
}

func newScans() *scans { return &scans{m: map[string][]scanEvent{}} }

// webhookMux answers follows and scans, and notes the scans of QR codes.
func (d *demo) webhookMux() *message.Mux {
	mux := message.NewMux()
	note := func(_ context.Context, m *message.Message) message.Reply {
		if m.Ticket != "" {
			d.scans.mu.Lock()
			d.scans.m[m.Ticket] = append(d.scans.m[m.Ticket], scanEvent{Event: string(m.Event), OpenID: m.FromUserName, Scene: m.Scene()})
			d.scans.mu.Unlock()
		}
		if m.Event == message.EventSubscribe {
			return message.Text("欢迎关注！")
		}
		return message.Text("扫码成功：" + m.Scene())
	}
	mux.HandleEvent(message.EventSubscribe, note)
	mux.HandleEvent(message.EventScan, note)
	return mux
}

func (d *demo) qrcodeStatus(c *gin.Context) {
	d.scans.mu.Lock()
	events := append([]scanEvent{}, d.scans.m[c.Query("ticket")]...)
	d.scans.mu.Unlock()
	c.JSON(http.StatusOK, gin.H{"scans": events})
}

// qrcodeScan plays a sandbox user scanning the code (sandbox mode only): the
// fake pushes the event a real scan would to this server's webhook.
func (d *demo) qrcodeScan(c *gin.Context) {
	if d.fake == nil {
		c.JSON(http.StatusNotFound, gin.H{"error": "only in sandbox mode"})
		return
	}
	client := d.fake.WebhookClient(d.base+"/wechat", wechattest.ModeSafe)
	scan, err := client.Scan(sandboxScanner, c.PostForm("ticket"))
	if err != nil {
		c.JSON(http.StatusBadRequest, gin.H{"error": err.Error()})
		return
	}
	if _, err := client.Send(c.Request.Context(), scan); err != nil {
		c.JSON(http.StatusBadGateway, gin.H{"error": err.Error()})
		return
	}
	c.JSON(http.StatusOK, gin.H{"ok": true})
}

func render(c *gin.Context, t *template.Template, data any) {
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	if err := t.Execute(c.Writer, data); err != nil {
		_ = c.Error(err)
	}
}
