package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/wechattest"
)

// Request bounds of the simulator's own API.
const (
	maxJSONBody  = 64 << 10
	maxImageBody = maxImageSize + 1<<20 // the image and the form around it
	maxProxyBody = 20 << 20             // what the bot sends the fake (media uploads are up to 10 MB)
)

// Handler serves everything on one port: the page at /, its assets and API
// under /wxsim/, and every other path to the fake platform, which is where the
// bot's WECHAT_API_BASE_URL points.
//
// Every request must name this machine in its Host header (a page on another
// site cannot reach the simulator through DNS rebinding), and a request that
// changes something must come from the simulator's own page (Origin,
// Sec-Fetch-Site) with a JSON or multipart body (so a form on another site
// cannot post one).
func (s *Sim) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", servePage)
	mux.Handle("GET /wxsim/static/", http.StripPrefix("/wxsim/static/", staticFiles()))
	mux.HandleFunc("GET /wxsim/media/{id}", s.serveMedia)
	mux.Handle("GET /wxsim/api/events", s.hub)
	mux.HandleFunc("GET /wxsim/api/state", s.getState)
	mux.HandleFunc("PUT /wxsim/api/mode", s.putMode)
	mux.HandleFunc("PUT /wxsim/api/webhook", s.putWebhook)
	mux.HandleFunc("POST /wxsim/api/verify", s.postVerify)
	mux.HandleFunc("POST /wxsim/api/followers", s.postFollower)
	mux.HandleFunc("GET /wxsim/api/followers/{openid}/chat", s.getChat)
	mux.HandleFunc("GET /wxsim/api/followers/{openid}/menu", s.getMenu)
	mux.HandleFunc("POST /wxsim/api/followers/{openid}/messages", s.postMessage)
	mux.HandleFunc("POST /wxsim/api/followers/{openid}/image", s.postImage)
	mux.HandleFunc("POST /wxsim/api/followers/{openid}/events", s.postEvent)
	mux.HandleFunc("GET /wxsim/api/exchanges/{id}", s.getExchange)
	mux.HandleFunc("GET /wxsim/api/qrcodes", s.getQRCodes)
	mux.HandleFunc("/wxsim/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, errors.New("no such page"))
	})
	mux.Handle("/", s.proxy())
	return s.guard(mux)
}

// guard refuses requests from elsewhere: see Handler.
func (s *Sim) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.hostAllowed(r.Host) {
			writeError(w, http.StatusForbidden, errors.New("wxsim: the Host header does not name this machine; open the simulator at the URL it printed"))
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && strings.HasPrefix(r.URL.Path, "/wxsim/") {
			origin, site := r.Header.Get("Origin"), r.Header.Get("Sec-Fetch-Site")
			if origin != "" && origin != "http://"+r.Host || site != "" && site != "same-origin" && site != "none" {
				writeError(w, http.StatusForbidden, errors.New("wxsim: cross-site request refused"))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// hostAllowed reports whether a Host header names this machine: a loopback
// address or localhost, or any host when the simulator listens beyond
// loopback (it said so when it started).
func (s *Sim) hostAllowed(hostport string) bool {
	if s.anyHost {
		return true
	}
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	return isLoopbackHost(strings.Trim(host, "[]"))
}

// state is what a page loads first.
type state struct {
	Account   accountInfo    `json:"account"`
	Webhook   string         `json:"webhook"`
	Mode      string         `json:"mode"`
	TimeoutMS float64        `json:"timeoutMs"`
	Attempts  int            `json:"attempts"`
	Followers []followerInfo `json:"followers"`
}

type accountInfo struct {
	Name           string `json:"name"`
	AppID          string `json:"appId"`
	OriginalID     string `json:"originalId"`
	Token          string `json:"token"`
	EncodingAESKey string `json:"encodingAESKey"`
	APIBaseURL     string `json:"apiBaseUrl"`
}

type followerInfo struct {
	OpenID    string `json:"openid"`
	Nickname  string `json:"nickname"`
	Avatar    string `json:"avatar"`
	Following bool   `json:"following"`
	Unread    int    `json:"unread"`
}

func (s *Sim) getState(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.state())
}

func (s *Sim) state() state {
	s.mu.Lock()
	st := state{Webhook: s.webhook, Mode: s.mode.String(), TimeoutMS: ms(s.timeout), Attempts: s.tries}
	for _, f := range s.followers {
		st.Followers = append(st.Followers, followerInfo{OpenID: f.OpenID, Nickname: f.Nickname, Avatar: f.Avatar, Unread: f.unread})
	}
	s.mu.Unlock()
	for i := range st.Followers { // the platform, outside s.mu
		st.Followers[i].Following = s.fake.IsFollower(st.Followers[i].OpenID)
	}
	st.Account = accountInfo{Name: wechattest.DefaultAccountName, AppID: s.fake.AppID(), OriginalID: s.fake.OriginalID(),
		Token: s.fake.WebhookToken(), EncodingAESKey: s.fake.EncodingAESKey(), APIBaseURL: s.base}
	return st
}

// publishFollowers tells pages the follower list changed.
func (s *Sim) publishFollowers() { s.hub.publish("followers", s.state().Followers) }

// modes are the page's names of the modes.
var modes = map[string]wechattest.Mode{
	wechattest.ModePlaintext.String():  wechattest.ModePlaintext,
	wechattest.ModeCompatible.String(): wechattest.ModeCompatible,
	wechattest.ModeSafe.String():       wechattest.ModeSafe,
}

func (s *Sim) putMode(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Mode string `json:"mode"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	mode, ok := modes[in.Mode]
	if !ok {
		writeError(w, http.StatusBadRequest, inputErr("mode must be plaintext, compatible or safe"))
		return
	}
	s.mu.Lock()
	s.mode = mode
	webhook := s.webhook
	s.mu.Unlock()
	s.fake.SetWebhook(webhook, mode)
	s.hub.publish("mode", in.Mode)
	writeJSON(w, http.StatusOK, in)
}

func (s *Sim) putWebhook(w http.ResponseWriter, r *http.Request) {
	var in struct {
		URL string `json:"url"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	if err := checkWebhook(in.URL, true); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	s.mu.Lock()
	s.webhook = in.URL
	mode := s.mode
	s.mu.Unlock()
	s.fake.SetWebhook(in.URL, mode)
	s.hub.publish("webhook", in.URL)
	writeJSON(w, http.StatusOK, in)
}

// postVerify does what the console's 提交 does: a GET with echostr that the
// webhook must answer with echostr.
func (s *Sim) postVerify(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	webhook := s.webhook
	s.mu.Unlock()
	c, err := wechattest.NewWebhookClient(wechattest.WebhookConfig{
		URL: webhook, AppID: s.fake.AppID(), Token: s.fake.WebhookToken(), EncodingAESKey: s.fake.EncodingAESKey(),
		Timeout: s.timeout, HTTPClient: s.client, Now: s.fake.Now,
	})
	if err == nil {
		ctx, cancel := context.WithTimeout(r.Context(), s.timeout)
		defer cancel()
		err = c.Verify(ctx)
	}
	out := struct {
		OK    bool   `json:"ok"`
		Error string `json:"error,omitempty"`
	}{OK: err == nil}
	if err != nil {
		out.Error = strings.TrimPrefix(err.Error(), "wechattest: ")
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Sim) postFollower(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Nickname string `json:"nickname"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	f, err := s.addFollower(in.Nickname)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	s.publishFollowers()
	writeJSON(w, http.StatusCreated, followerInfo{OpenID: f.OpenID, Nickname: f.Nickname, Avatar: f.Avatar})
}

// getChat returns a follower's chat, oldest first, and marks it read.
func (s *Sim) getChat(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f := s.followerLocked(r.PathValue("openid"))
	if f == nil {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, errUnknownFollower)
		return
	}
	f.unread = 0
	chat := f.chat
	if chat == nil {
		chat = []entry{}
	}
	b, err := json.Marshal(chat) // under s.mu: exchanges under way change
	s.mu.Unlock()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// getMenu returns the menu the follower sees: the default menu or the
// personalized one that matches them.
func (s *Sim) getMenu(w http.ResponseWriter, r *http.Request) {
	buttons, menuID := s.fake.MenuFor(r.PathValue("openid"))
	if buttons == nil {
		buttons = []wechattest.MenuButton{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"button": buttons, "menuid": menuID})
}

func (s *Sim) getQRCodes(w http.ResponseWriter, _ *http.Request) {
	type code struct {
		wechattest.QRCode
		Image string `json:"image"`
	}
	codes := []code{}
	for _, q := range s.fake.QRCodes() {
		codes = append(codes, code{QRCode: q, Image: "/cgi-bin/showqrcode?ticket=" + url.QueryEscape(q.Ticket)})
	}
	writeJSON(w, http.StatusOK, codes)
}

func (s *Sim) getExchange(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.Atoi(r.PathValue("id"))
	s.mu.Lock()
	ex := s.exchanges[id]
	var b []byte
	var err error
	if ex != nil {
		b, err = json.Marshal(ex)
	}
	s.mu.Unlock()
	switch {
	case ex == nil:
		writeError(w, http.StatusNotFound, errors.New("no such exchange (the oldest are forgotten)"))
	case err != nil:
		writeError(w, http.StatusInternalServerError, err)
	default:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	}
}

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
	if err != nil {
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

var (
	errUnsupportedMedia = errors.New("wxsim: send JSON (Content-Type: application/json), or multipart/form-data for an image")
	errTooLarge         = errors.New("wxsim: the request body is too large")
)

// writeExchange answers a push: the exchange, or why there was none.
func (s *Sim) writeExchange(w http.ResponseWriter, _ *http.Request, ex *exchange, err error) {
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	s.mu.Lock()
	b, err := json.Marshal(ex)
	s.mu.Unlock()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// statusOf maps an error to the status of its answer.
func statusOf(err error) int {
	switch {
	case errors.Is(err, errUnknownFollower):
		return http.StatusNotFound
	case errors.Is(err, errNotFollowing), errors.Is(err, errFollowing):
		return http.StatusConflict
	case errors.Is(err, errUnsupportedMedia):
		return http.StatusUnsupportedMediaType
	case errors.Is(err, errTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, errInput), errors.Is(err, errNotImage):
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// readJSON decodes a JSON body of at most maxJSONBody bytes into v, or answers
// the error and returns false.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, errUnsupportedMedia)
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		err = bodyErr(err)
		writeError(w, statusOf(err), err)
		return false
	}
	return true
}

// bodyErr tells a body over the limit from a malformed one.
func bodyErr(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errTooLarge
	}
	return inputErr("%v", err)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}
