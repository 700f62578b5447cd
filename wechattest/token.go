package wechattest

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/wxkit/wechat"
)

const (
	pathToken       = "/cgi-bin/token"
	pathStableToken = "/cgi-bin/stable_token"
)

// issued is one access_token the platform handed out.
type issued struct {
	value      string
	expiresAt  time.Time
	graceUntil time.Time // zero while it is the newest of its kind
}

func (t *issued) valid(now time.Time) bool {
	return now.Before(t.expiresAt) && (t.graceUntil.IsZero() || now.Before(t.graceUntil))
}

// tokenState follows WeChat's rules for the two token kinds, which never affect
// each other: a classic fetch puts every earlier classic token on a grace period; a
// stable fetch returns the current stable token until its last 5 minutes, and a
// forced one (20 a day, 30 s apart) ends the previous token's life.
type tokenState struct {
	classic     []*issued
	stable      []*issued // the current one last
	forced      int
	forcedDay   string
	lastForced  time.Time
	issuedCount int
}

// stableRotation is the last part of a stable token's life in which a normal
// stable_token call gets a new token (WeChat: 5 minutes).
const stableRotation = 5 * time.Minute

func (s *Server) tokenRoutes() {
	s.route(http.MethodGet, pathToken, false, s.classicToken)
	s.route(http.MethodPost, pathStableToken, false, s.stableToken)
}

func (s *Server) classicToken(c *call) (any, error) {
	q := c.query
	if err := s.checkApp(q.Get("grant_type"), q.Get("appid"), q.Get("secret"), wechat.CodeInvalidCredential); err != nil {
		return nil, err
	}
	return tokenReply(s.issueClassic(c.now)), nil
}

func (s *Server) stableToken(c *call) (any, error) {
	var req struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	if err := json.Unmarshal(c.body, &req); err != nil {
		return nil, apiError(wechat.CodeBodyUnparsable, "data format error")
	}
	if err := s.checkApp(req.GrantType, req.AppID, req.Secret, wechat.CodeInvalidAppSecret); err != nil {
		return nil, err
	}
	st := &s.tokens
	cur := st.currentStable(c.now)
	switch {
	case req.ForceRefresh:
		day := c.now.In(beijing).Format(time.DateOnly)
		if day != st.forcedDay {
			st.forcedDay, st.forced = day, 0
		}
		if cur != nil && c.now.Sub(st.lastForced) < 30*time.Second {
			break // WeChat: forced calls less than 30 s apart refresh nothing
		}
		if st.forced >= 20 {
			return nil, apiError(wechat.CodeDailyQuotaLimit, "reach max api daily quota limit (force_refresh)")
		}
		st.forced++
		st.lastForced = c.now
		cur = s.rotateStable(c.now, true)
	case cur == nil || !c.now.Before(cur.expiresAt.Add(-stableRotation)):
		cur = s.rotateStable(c.now, false)
	}
	return tokenReply(cur, c.now), nil
}

func (s *Server) checkApp(grantType, appID, secret string, wrongSecret int) error {
	switch {
	case grantType != "client_credential":
		return apiError(wechat.CodeInvalidGrantType, "invalid grant_type")
	case appID == "":
		return apiError(wechat.CodeAppIDMissing, "appid missing")
	case secret == "":
		return apiError(wechat.CodeSecretMissing, "appsecret missing")
	case appID != s.appID:
		return apiError(wechat.CodeInvalidAppID, "invalid appid")
	case secret != s.secret:
		return apiError(wrongSecret, "invalid appsecret")
	}
	return nil
}

func (s *Server) issueClassic(now time.Time) (*issued, time.Time) {
	for _, t := range s.tokens.classic {
		if t.graceUntil.IsZero() {
			t.graceUntil = now.Add(s.grace)
		}
	}
	t := s.newToken(now)
	s.tokens.classic = append(pruned(s.tokens.classic, now), t)
	return t, now
}

// rotateStable issues a new stable token. A forced rotation ends the one before the
// current token at once and gives the current one the grace period; a normal one
// lets the current token live out its life.
func (s *Server) rotateStable(now time.Time, force bool) *issued {
	st := &s.tokens
	if force {
		for _, t := range st.stable {
			if !t.graceUntil.IsZero() {
				t.graceUntil = now // killed
			}
		}
		if n := len(st.stable); n > 0 {
			st.stable[n-1].graceUntil = now.Add(s.grace)
		}
	}
	t := s.newToken(now)
	st.stable = append(pruned(st.stable, now), t)
	return t
}

// currentStable returns the newest stable token if it is still valid.
func (st *tokenState) currentStable(now time.Time) *issued {
	if n := len(st.stable); n > 0 && st.stable[n-1].valid(now) {
		return st.stable[n-1]
	}
	return nil
}

func (s *Server) newToken(now time.Time) *issued {
	s.tokens.issuedCount++
	// Real tokens are opaque strings of about 140 characters.
	return &issued{value: randomHex(10) + "_" + randomHex(60), expiresAt: now.Add(s.expiresIn)}
}

func pruned(ts []*issued, now time.Time) []*issued {
	out := ts[:0]
	for _, t := range ts {
		if t.valid(now) {
			out = append(out, t)
		}
	}
	return out
}

func tokenReply(t *issued, now time.Time) map[string]any {
	return map[string]any{"access_token": t.value, "expires_in": int(t.expiresAt.Sub(now) / time.Second)}
}

// checkToken answers 41001, 40001 or 42001 the way WeChat does.
func (s *Server) checkToken(token string, now time.Time) error {
	if token == "" {
		return apiError(wechat.CodeAccessTokenMissing, "access_token missing")
	}
	for _, list := range [][]*issued{s.tokens.classic, s.tokens.stable} {
		for _, t := range list {
			if t.value != token {
				continue
			}
			if t.valid(now) {
				return nil
			}
			if !now.Before(t.expiresAt) {
				return apiError(wechat.CodeAccessTokenExpired, "access_token expired")
			}
		}
	}
	return apiError(wechat.CodeInvalidCredential, "invalid credential, access_token is invalid or not latest")
}

// IssueToken plays another party fetching a classic token with this account's
// secret: the new token is returned and every earlier one stops working after the
// grace period.
func (s *Server) IssueToken() string {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	t, _ := s.issueClassic(now)
	return t.value
}

// RevokeTokens ends every token's life at once, as two forced refreshes by
// another party would: the next API call with any of them gets 40001.
func (s *Server) RevokeTokens() {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, list := range [][]*issued{s.tokens.classic, s.tokens.stable} {
		for _, t := range list {
			t.graceUntil = now
		}
	}
}

// TokensIssued returns how many tokens the platform has issued, of both kinds.
func (s *Server) TokensIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens.issuedCount
}

// ValidToken reports whether token would be accepted by an API call now.
func (s *Server) ValidToken(token string) bool {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.checkToken(token, now) == nil
}
