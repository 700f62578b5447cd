package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wxkit/wechat/wechattest"
)

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
	writeMarshalled(w, b, err)
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
	if ex == nil {
		writeError(w, http.StatusNotFound, errors.New("no such exchange (the oldest are forgotten)"))
		return
	}
	writeMarshalled(w, b, err)
}
