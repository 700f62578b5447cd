package credential

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/internal/central"
	"github.com/wxkit/wechat/internal/logsample"
)

// The central token server's protocol, which Remote and other tools rely on: do
// not change it. Both answer
// {"access_token":"...","expires_in":<seconds left>}; both need
// "Authorization: Bearer <key>".
const (
	PathServerToken   = "/token"         // GET: the current token
	PathServerRefresh = "/token/refresh" // POST {"stale":"<token>"}: a token other than stale
)

// unknownLife is the expires_in answered for a Provider that cannot say how long
// its token lives (it has no Current method). The protocol has no way to say
// "unknown"; five minutes makes a Remote ask again soon. *Manager and *Remote
// always say.
const unknownLife = 5 * time.Minute

// maxRefreshBody bounds the body of POST /token/refresh; WeChat's tokens are at
// most 512 characters.
const maxRefreshBody = 4 << 10

// minKeyLen is the shortest key NewServer and NewRemote accept.
const minKeyLen = central.MinKeyLen

// currenter is implemented by Providers that know the token they serve and how
// long it has left without any I/O: *Manager and *Remote.
type currenter interface {
	Current() (value string, left time.Duration)
}

// Server is the central token server (中控服务器) that WeChat's docs recommend for
// a backend on more than one machine: it alone fetches the access_token (through
// its Provider, normally a *Manager with the refresher started) and hands it to
// the other servers, which use a Remote instead of fetching themselves, so no two
// of them knock each other's token out.
//
// It serves GET /token and POST /token/refresh (body {"stale":"<token>"}), and
// POST /oauth/exchange (body {"code":"..."}), which exchanges a 网页授权 code with
// the AppSecret of its Provider when that is a *Manager built by New; mount it at
// the root of its own listener, or behind http.StripPrefix. Callers must
// send "Authorization: Bearer <key>"; the key is compared in constant time. Errors
// are answered in WeChat's shape, {"errcode":N,"errmsg":"..."}:
//
//   - 401, errcode 40001: no key or a wrong one (WeChat answers 40001 for a
//     wrong AppSecret, which the key stands in for here).
//   - 502, WeChat's errcode: WeChat refused the token (40164 IP allow-list, say).
//   - 429, errcode 45011: the Provider's passive-refresh limit refused a refresh.
//   - 503, errcode -1: no token for any other reason (see the server's log).
//
// Neither the key nor a token is ever logged. Server is safe for concurrent use.
type Server struct {
	p      Provider
	keySum [sha256.Size]byte
	logger *slog.Logger
	check  staleCheck
	denied *logsample.Sampler
}

// NewServer returns a token server handing out p's token to callers that know
// key. The key must be at least 16 bytes (use 32 random ones). The expires_in it answers comes from p's Current method
// (*Manager and *Remote have one); for another Provider it answers 300.
func NewServer(p Provider, key string, opts ...ServerOption) (*Server, error) {
	if p == nil {
		return nil, errors.New("credential: NewServer needs a Provider")
	}
	if len(key) < minKeyLen {
		return nil, fmt.Errorf("credential: the token server key must be at least %d bytes, got %d", minKeyLen, len(key))
	}
	s := defaults()
	for _, o := range opts {
		if o != nil {
			o.applyServer(&s)
		}
	}
	s.fill()
	return &Server{p: p, keySum: sha256.Sum256([]byte(key)), logger: s.logger, denied: logsample.New()}, nil
}

// deny answers a request without a valid key: 401, logged (sampled).
func (srv *Server) deny(w http.ResponseWriter, r *http.Request) {
	srv.logDenied(r)
	w.Header().Set("WWW-Authenticate", `Bearer realm="wxkit token server"`)
	writeServerError(w, http.StatusUnauthorized, wechat.CodeInvalidCredential, "invalid credential: missing or wrong token server key")
}

// ServeHTTP answers GET /token, POST /token/refresh and POST /oauth/exchange.
func (srv *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var (
		method string
		serve  func(http.ResponseWriter, *http.Request)
	)
	switch r.URL.Path {
	case PathServerToken:
		method, serve = http.MethodGet, srv.serveToken
	case PathServerRefresh:
		method, serve = http.MethodPost, srv.serveRefresh
	case PathServerOAuthExchange:
		method, serve = http.MethodPost, srv.serveExchange // oauthexchange.go
	default:
		writeServerError(w, http.StatusNotFound, wechat.CodeInvalidURL, "invalid url: the token server serves "+PathServerToken+", "+PathServerRefresh+" and "+PathServerOAuthExchange)
		return
	}
	if !srv.Authorized(r) {
		srv.deny(w, r)
		return
	}
	if r.Method != method {
		code := wechat.CodeGETRequired
		if method == http.MethodPost {
			code = wechat.CodePOSTRequired
		}
		w.Header().Set("Allow", method)
		writeServerError(w, http.StatusMethodNotAllowed, code, "require "+method+" method")
		return
	}
	serve(w, r)
}

// serveToken answers GET /token.
func (srv *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	value, left, err := srv.token(r.Context())
	srv.answer(w, r, value, left, err)
}

// serveRefresh answers POST /token/refresh.
func (srv *Server) serveRefresh(w http.ResponseWriter, r *http.Request) {
	value, left, err := srv.refresh(w, r)
	srv.answer(w, r, value, left, err)
}

// answer writes a token with the time it has left, or err's answer.
func (srv *Server) answer(w http.ResponseWriter, r *http.Request, value string, left time.Duration, err error) {
	if err != nil {
		srv.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(tokenAnswer{AccessToken: value, ExpiresIn: max(1, int(left/time.Second))})
}

type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
}

// Authorized reports whether r carries the server's key ("Authorization:
// Bearer <key>"; the scheme is case-insensitive, RFC 7235), for routes mounted
// beside the server behind the same key, such as a detailed health page. The
// key is compared in constant time; both sides are hashed first, so the
// comparison does not even reveal the key's length.
func (srv *Server) Authorized(r *http.Request) bool {
	scheme, got, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	sum := sha256.Sum256([]byte(strings.TrimLeft(got, " ")))
	return subtle.ConstantTimeCompare(sum[:], srv.keySum[:]) == 1
}

// logDenied logs a request without a valid key, sampled: anyone who can reach
// the server can send them.
func (srv *Server) logDenied(r *http.Request) {
	if ok, suppressed := srv.denied.Allow(time.Now()); ok {
		srv.logger.Warn("credential: token server: request without a valid key", "path", r.URL.Path, "remote", r.RemoteAddr, "suppressed", suppressed)
	}
}

func (srv *Server) token(ctx context.Context) (string, time.Duration, error) {
	v, err := srv.p.Token(ctx)
	if err != nil {
		return "", 0, err
	}
	v, left := srv.current(v, "")
	return v, left, nil
}

// errBadRefreshBody is answered 400 to a refresh without a stale token.
var errBadRefreshBody = errors.New(`body must be {"stale":"<the rejected token>"}`)

func (srv *Server) refresh(w http.ResponseWriter, r *http.Request) (string, time.Duration, error) {
	var body struct {
		Stale string `json:"stale"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRefreshBody)).Decode(&body); err != nil || body.Stale == "" {
		return "", 0, errBadRefreshBody
	}
	if srv.stillGood(r.Context(), body.Stale) {
		v, left := srv.current(body.Stale, "")
		return v, left, nil
	}
	v, err := srv.p.Refresh(r.Context(), body.Stale)
	if err != nil {
		return "", 0, err
	}
	v, left := srv.current(v, body.Stale)
	return v, left, nil
}

// current returns the token to hand out and its time left: the Provider's
// current token when it has one (the same as v, or newer) that is not stale.
func (srv *Server) current(v, stale string) (string, time.Duration) {
	if c, ok := srv.p.(currenter); ok {
		if cur, left := c.Current(); cur != "" && cur != stale && left > 0 {
			return cur, left
		}
	}
	return v, unknownLife
}

// fail answers err in WeChat's shape. Provider errors carry no secret, but only
// WeChat's own errcode and errmsg cross the wire; the rest goes to the log.
func (srv *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var we *wechat.Error
	switch {
	case errors.Is(err, errBadRefreshBody):
		writeServerError(w, http.StatusBadRequest, wechat.CodeBodyUnparsable, "data format error: "+err.Error())
		return
	case r.Context().Err() != nil: // the caller went away; nobody reads the answer
		srv.logger.Debug("credential: token server: caller gave up", "path", r.URL.Path, "err", err)
		return
	case errors.Is(err, ErrRefreshLimited):
		srv.logger.Warn("credential: token server: refresh refused by the limit", "err", err)
		writeServerError(w, http.StatusTooManyRequests, wechat.CodeMinuteQuotaLimit, "passive refresh limit reached; try again later")
	case errors.As(err, &we):
		srv.logger.Error("credential: token server: WeChat refused the token", "path", r.URL.Path, "err", err)
		writeServerError(w, http.StatusBadGateway, we.Code, we.Message)
	default:
		srv.logger.Error("credential: token server: no token to hand out", "path", r.URL.Path, "err", err)
		writeServerError(w, http.StatusServiceUnavailable, wechat.CodeSystemBusy, "system error: the token server has no token to hand out")
	}
}

func writeServerError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errcode": code, "errmsg": msg})
}
