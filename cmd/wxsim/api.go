package main

import (
	"encoding/json"
	"errors"
	"mime"
	"net"
	"net/http"
	"strings"
)

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
// site cannot reach the simulator through DNS rebinding), and a request to
// /wxsim/api/ from a browser must come from the simulator's own page: Origin
// (on a request that changes something) and Sec-Fetch-Site (on any) say so.
// That is what stops a form on another site, whose multipart post is a
// "simple" request; JSON bodies must also say application/json, which such a
// form cannot send. Scripts without those headers (curl) are let through.
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
		if strings.HasPrefix(r.URL.Path, "/wxsim/api/") {
			origin, site := r.Header.Get("Origin"), r.Header.Get("Sec-Fetch-Site")
			safe := r.Method == http.MethodGet || r.Method == http.MethodHead
			if !safe && origin != "" && origin != "http://"+r.Host || site != "" && site != "same-origin" && site != "none" {
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
	b, err := json.Marshal(ex) // under s.mu: exchanges under way change
	s.mu.Unlock()
	writeMarshalled(w, b, err)
}

// writeMarshalled answers b, JSON marshalled (under s.mu) by the caller, or
// the error of marshalling it.
func writeMarshalled(w http.ResponseWriter, b []byte, err error) {
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
