package oauth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Errors of the login callback, for an OnError that branches on them.
var (
	// ErrStateMismatch: the callback's state is not one this browser started
	// (a forged or replayed link: CSRF), or its cookie is gone.
	ErrStateMismatch = errors.New("oauth: login refused: this sign-in did not start in this browser (state mismatch); start again")
	// ErrLoginExpired: the sign-in started more than 10 minutes ago.
	ErrLoginExpired = errors.New("oauth: login refused: the sign-in started too long ago; start again")
	// ErrLoginUsed: the callback of this sign-in was already served in this
	// browser (a reload of the callback page, or its link opened again). The
	// mark is in the browser's cookie: a state serves one callback in this
	// browser, and a later link with the same state is refused; a leaked link
	// that reaches the browser before the real callback is not told apart.
	ErrLoginUsed = errors.New("oauth: login refused: this sign-in was already used (the callback page was reloaded or opened again); start again")
	// ErrLoginDenied: the user tapped 拒绝 on WeChat's consent page.
	ErrLoginDenied = errors.New("oauth: the user declined the authorization (拒绝)")
)

// loginLife is how long a started sign-in waits for its callback: a code lives 5
// minutes, the consent page may take a little longer.
const loginLife = 10 * time.Minute

// cookiePrefix names the state cookies; the state follows, so that sign-ins in
// two tabs do not overwrite each other.
const cookiePrefix = "wxkit_oauth_"

// maxPending bounds the sign-ins one browser has under way, each holding a
// cookie: a page that sends the browser to the login in a loop must not grow
// its Cookie header past what servers and proxies accept (8 KB for many).
const maxPending = 4

// LoginConfig configures LoginHandler.
type LoginConfig struct {
	// CallbackURL is the absolute URL the handler is mounted at (WeChat sends the
	// browser back to it); its host must be the 网页授权域名. Required.
	CallbackURL string
	// Scope is ScopeBase (the default: OpenID only, silent) or ScopeUserInfo
	// (consent page; the profile is read for OnLogin).
	Scope Scope
	// Lang is the profile's language for ScopeUserInfo ("" is zh_CN).
	Lang string
	// OnLogin is called after a successful sign-in with the web token and, for
	// ScopeUserInfo, the profile (nil for ScopeBase and for a snapshot user: check
	// tok.IsSnapshotUser). It typically starts the site's own session. When it
	// writes nothing and returns nil, the browser is sent (303) to the same-origin
	// path the sign-in started from. A returned error goes to OnError. Required.
	OnLogin func(w http.ResponseWriter, r *http.Request, tok *Token, info *UserInfo) error
	// OnError writes the answer to a failed sign-in. The default is a short page
	// in Chinese and English with a link to start again, with the status of
	// LoginErrorStatus: 403 for ErrStateMismatch, ErrLoginDenied and
	// ErrSnapshotUser, 400 for an expired sign-in, a reloaded callback or an
	// expired or reused code, 502 when WeChat failed.
	OnError func(w http.ResponseWriter, r *http.Request, err error)
	// CookieKey signs the state cookie (HMAC-SHA256): at least 32 bytes, the same
	// on every server behind one domain. nil makes a random key, good for one
	// process.
	CookieKey []byte
}

// LoginHandler returns the handler of the whole 网页授权 sign-in, mounted at
// cfg.CallbackURL's path:
//
//   - GET <path>?next=/profile starts it: a random state goes into a signed,
//     HttpOnly, SameSite=Lax cookie (Secure on https) and the browser to WeChat.
//     A browser holds at most 4 sign-ins under way; a fifth drops the oldest.
//   - WeChat sends the browser back to <path>?code=…&state=…: the state must
//     match the cookie (CSRF) and not be used yet in this browser (the cookie is
//     marked used before anything else: one callback per state), the code is exchanged,
//     the profile read for ScopeUserInfo, and cfg.OnLogin called.
//
// next must be a same-origin path ("/profile?tab=1"); anything else (another
// host, "//host", a scheme) becomes "/", so the handler is no open redirect. A
// declined consent, a forged state, or a reused or expired code (a reload of the
// callback page) end on a clear page, never a 500.
func (s *Service) LoginHandler(cfg LoginConfig) (http.Handler, error) {
	if cfg.Scope == "" {
		cfg.Scope = ScopeBase
	}
	if cfg.OnLogin == nil {
		return nil, errors.New("oauth: LoginConfig.OnLogin is required")
	}
	// Check the callback once, with a valid state, as AuthCodeURL will.
	if _, err := s.AuthCodeURL(cfg.CallbackURL, cfg.Scope, "x"); err != nil {
		return nil, fmt.Errorf("oauth: LoginConfig.CallbackURL: %w", err)
	}
	if !langs[cfg.Lang] {
		return nil, fmt.Errorf("oauth: LoginConfig.Lang must be zh_CN, zh_TW or en (or empty), got %q", cfg.Lang)
	}
	key := cfg.CookieKey
	switch {
	case key == nil:
		key = make([]byte, 32)
		_, _ = rand.Read(key) // crypto/rand.Read never fails
	case len(key) < 32:
		return nil, fmt.Errorf("oauth: LoginConfig.CookieKey must be at least 32 bytes, got %d", len(key))
	}
	u, _ := url.Parse(cfg.CallbackURL) // checked above
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	h := &loginHandler{s: s, cfg: cfg, key: key, path: path, secure: u.Scheme == "https"}
	if h.cfg.OnError == nil {
		h.cfg.OnError = h.errorPage
	}
	return h, nil
}

type loginHandler struct {
	s      *Service
	cfg    LoginConfig
	key    []byte
	path   string // the callback's path, the cookie's Path
	secure bool
}

func (h *loginHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	if q.Has("state") || q.Has("code") {
		h.callback(w, r, q)
		return
	}
	h.start(w, r, SafeNext(q.Get("next")))
}

// start sets the state cookie and sends the browser to WeChat.
func (h *loginHandler) start(w http.ResponseWriter, r *http.Request, next string) {
	h.prune(w, r)
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	state := hex.EncodeToString(b)
	link, err := h.s.AuthCodeURL(h.cfg.CallbackURL, h.cfg.Scope, state)
	if err != nil { // checked in LoginHandler; cannot happen
		h.cfg.OnError(w, r, err)
		return
	}
	h.setCookie(w, state, h.s.now().Add(loginLife), false, next)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, link, http.StatusFound)
}

// callback checks the state, exchanges the code and calls OnLogin.
func (h *loginHandler) callback(w http.ResponseWriter, r *http.Request, q url.Values) {
	w.Header().Set("Cache-Control", "no-store")
	next, err := h.checkState(w, r, q.Get("state"))
	if err == nil && q.Get("code") == "" {
		err = ErrLoginDenied
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	tok, err := h.s.Exchange(r.Context(), q.Get("code"))
	var info *UserInfo
	if err == nil && h.cfg.Scope == ScopeUserInfo && !tok.IsSnapshotUser {
		info, err = h.s.UserInfo(r.Context(), tok, h.cfg.Lang)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rec := &writeRecorder{ResponseWriter: w}
	if err := h.cfg.OnLogin(rec, r, tok, info); err != nil {
		if rec.wrote {
			h.s.oa.Logger().Error("oauth: login: OnLogin failed after writing its answer", "err", err)
			return
		}
		h.fail(w, r, err)
		return
	}
	if !rec.wrote {
		http.Redirect(w, r, next, http.StatusSeeOther)
	}
}

func (h *loginHandler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		return // the browser went away
	}
	h.s.oa.Logger().Warn("oauth: login failed", "err", err) // no code, token or secret in it
	h.cfg.OnError(w, r, err)
}

// checkState returns the return path of the sign-in state names, if this
// browser holds its cookie, signed by us, not expired and not used yet; it then
// marks the cookie used, so that the state serves one callback only.
func (h *loginHandler) checkState(w http.ResponseWriter, r *http.Request, state string) (string, error) {
	if checkState(state) != nil || len(state) != 32 {
		return "", ErrStateMismatch
	}
	c, err := r.Cookie(cookiePrefix + state)
	if err != nil {
		return "", ErrStateMismatch
	}
	got, expires, used, next, ok := h.open(c.Value)
	switch {
	case !ok || !hmac.Equal([]byte(got), []byte(state)):
		return "", ErrStateMismatch
	case !h.s.now().Before(expires):
		return "", ErrLoginExpired
	case used:
		return "", ErrLoginUsed
	}
	h.setCookie(w, state, expires, true, next)
	return next, nil
}

// prune expires the state cookies r carries that are used, expired or not
// ours, and the oldest of the others past maxPending-1, so that with the one
// start adds the browser holds at most maxPending.
func (h *loginHandler) prune(w http.ResponseWriter, r *http.Request) {
	type pending struct {
		name    string
		expires time.Time
	}
	var live []pending
	for _, c := range r.Cookies() {
		if !strings.HasPrefix(c.Name, cookiePrefix) {
			continue
		}
		_, expires, used, _, ok := h.open(c.Value)
		if ok && !used && h.s.now().Before(expires) {
			live = append(live, pending{c.Name, expires})
			continue
		}
		h.expire(w, c.Name)
	}
	if n := len(live) - (maxPending - 1); n > 0 {
		slices.SortFunc(live, func(a, b pending) int { return a.expires.Compare(b.expires) })
		for _, p := range live[:n] {
			h.expire(w, p.name)
		}
	}
}

// expire removes the cookie name.
func (h *loginHandler) expire(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Path: h.path, MaxAge: -1, HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode})
}

// setCookie sets the state cookie of a sign-in, until expires (a whole second
// at least).
func (h *loginHandler) setCookie(w http.ResponseWriter, state string, expires time.Time, used bool, next string) {
	left := (expires.Sub(h.s.now()) + time.Second - 1) / time.Second
	http.SetCookie(w, &http.Cookie{
		Name: cookiePrefix + state, Value: h.sign(state, expires, used, next),
		Path: h.path, MaxAge: max(1, int(left)),
		HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode,
	})
}

// sign packs state, expiry, whether its callback was served, and next into a
// cookie value with an HMAC.
func (h *loginHandler) sign(state string, expires time.Time, used bool, next string) string {
	flag := "0"
	if used {
		flag = "1"
	}
	payload := state + "\n" + strconv.FormatInt(expires.Unix(), 10) + "\n" + flag + "\n" + next
	enc := base64.RawURLEncoding.EncodeToString([]byte(payload))
	return enc + "." + base64.RawURLEncoding.EncodeToString(h.mac(enc))
}

func (h *loginHandler) open(v string) (state string, expires time.Time, used bool, next string, ok bool) {
	enc, sig, found := strings.Cut(v, ".")
	if !found {
		return "", time.Time{}, false, "", false
	}
	want, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(want, h.mac(enc)) {
		return "", time.Time{}, false, "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return "", time.Time{}, false, "", false
	}
	parts := strings.SplitN(string(raw), "\n", 4)
	if len(parts) != 4 || (parts[2] != "0" && parts[2] != "1") {
		return "", time.Time{}, false, "", false
	}
	secs, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return "", time.Time{}, false, "", false
	}
	return parts[0], time.Unix(secs, 0), parts[2] == "1", SafeNext(parts[3]), true
}

func (h *loginHandler) mac(enc string) []byte {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte("wxkit oauth state\n"))
	m.Write([]byte(enc))
	return m.Sum(nil)
}

// SafeNext returns next when it is a same-origin path to send the browser to
// after sign-in ("/profile?tab=1"), and "/" otherwise: another host, "//host",
// "/\host", a scheme, control characters or over 1 KiB. It keeps a login flow
// from being an open redirect.
func SafeNext(next string) string {
	if next == "" || len(next) > 1024 || next[0] != '/' || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\") {
		return "/"
	}
	for i := 0; i < len(next); i++ {
		if next[i] < 0x20 || next[i] == 0x7f {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}

// writeRecorder notes whether OnLogin wrote an answer.
type writeRecorder struct {
	http.ResponseWriter
	wrote bool
}

func (w *writeRecorder) WriteHeader(code int) { w.wrote = true; w.ResponseWriter.WriteHeader(code) }
func (w *writeRecorder) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *writeRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }
