package wechattest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/wxkit/wechat"
)

// Request is one call the platform received, as tests inspect it.
type Request struct {
	Method string
	Path   string
	Query  url.Values // access_token and secret included: the fake keeps what it got
	Body   []byte
	At     time.Time // platform time
}

// fault is an injected answer for the next call to a path.
type fault struct {
	errcode int // WeChat errcode, when status is 0
	status  int // HTTP status
}

// FailNext answers the next n calls to path with errcode (and errmsg "injected
// fault"), before any other check. Token endpoints included.
func (s *Server) FailNext(path string, n, errcode int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[path] = append(s.faults[path], fault{errcode: errcode})
	}
}

// FailNextHTTP answers the next n calls to path with HTTP status and no JSON.
func (s *Server) FailNextHTTP(path string, n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[path] = append(s.faults[path], fault{status: status})
	}
}

// SetLatency delays every answer to path by d ("" for every path).
func (s *Server) SetLatency(path string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency[path] = d
}

// SetQuota sets path's daily limit (0 removes it). Past it, calls get 45009 until
// the platform's date (Beijing time) changes.
func (s *Server) SetQuota(path string, perDay int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quota[path] = perDay
}

// Pause holds every answer to path until resume is called: a test can keep a
// fetch in flight for as long as it needs. Calls are counted when they arrive.
func (s *Server) Pause(path string) (resume func()) {
	gate := make(chan struct{})
	s.mu.Lock()
	s.paused[path] = gate
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			if s.paused[path] == gate {
				delete(s.paused, path)
			}
			s.mu.Unlock()
			close(gate)
		})
	}
}

// wait sleeps d, then waits for gate (nil: no gate); false if ctx ends first.
func wait(ctx context.Context, d time.Duration, gate chan struct{}) bool {
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return false
		}
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return false
		}
	}
	return true
}

// Calls returns how many requests reached path, injected faults included.
func (s *Server) Calls(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l := s.requests[path]; l != nil {
		return l.calls
	}
	return 0
}

// Requests returns the requests that reached path, oldest first: the last
// MaxKeptRequests of them, and of those no more than MaxKeptRequestBytes of
// bodies, so that a fake serving for hours (a sandbox, wxsim) does not grow
// without bound: a path's newest request is kept whatever its size. A request
// is recorded when it arrives, before latency, pauses and checks.
func (s *Server) Requests(path string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l := s.requests[path]; l != nil {
		return append([]Request(nil), l.kept...)
	}
	return nil
}

// What Requests keeps of a path: MaxKeptRequests requests, and of their
// bodies MaxKeptRequestBytes (an upload may be 16 MiB); Calls counts them all.
const (
	MaxKeptRequests     = 1000
	MaxKeptRequestBytes = 64 << 20
)

// requestLog is the record of one path: every call counted, the last ones kept.
type requestLog struct {
	calls int
	kept  []Request
	bytes int // of the kept requests' bodies
}

// note records req on path; the lock is held. The oldest kept requests go
// while the log is past MaxKeptRequests or MaxKeptRequestBytes, the newest
// excepted: append moves the window to a new array now and then, amortised
// O(1), and the old one goes to the collector with what it held.
func (s *Server) note(path string, req Request) {
	l := s.requests[path]
	if l == nil {
		l = &requestLog{}
		s.requests[path] = l
	}
	l.calls++
	l.kept = append(l.kept, req)
	l.bytes += len(req.Body)
	for len(l.kept) > MaxKeptRequests || (l.bytes > MaxKeptRequestBytes && len(l.kept) > 1) {
		l.bytes -= len(l.kept[0].Body)
		l.kept[0] = Request{} // the array may live on: let the request go
		l.kept = l.kept[1:]
	}
}

// call is one API request as a handler sees it; the server's lock is held.
type call struct {
	s      *Server
	query  url.Values
	header http.Header // the request's headers (a multipart upload's Content-Type)
	body   []byte
	now    time.Time
}

// bind decodes the JSON body into v: 44002 when empty, 47001 when malformed.
func (c *call) bind(v any) error {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return apiError(wechat.CodeEmptyPOSTBody, "empty post data")
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		return apiError(wechat.CodeBodyUnparsable, "data format error")
	}
	return nil
}

// apiError is an errcode answer.
func apiError(code int, msg string) error { return &wechat.Error{Code: code, Message: msg} }

// ok is the answer of a write call that succeeded.
func ok() any { return map[string]any{"errcode": 0, "errmsg": "ok"} }

type handlerFunc func(c *call) (any, error)

// htmlEscapes are what encoding/json writes unless SetEscapeHTML(false); WeChat
// rejects them in some fields, so the fake rejects them everywhere.
var htmlEscapes = [][]byte{[]byte(`\u003c`), []byte(`\u003e`), []byte(`\u0026`)}

// api registers an endpoint that needs a valid access_token.
func (s *Server) api(method, path string, h handlerFunc) {
	s.route(method, path, true, h)
}

// route registers path: it records the call, applies latency, injected faults, the
// method rule, the token check and the daily quota, then runs h with s.mu held.
func (s *Server) route(method, path string, needToken bool, h handlerFunc) {
	s.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 16<<20))
		s.mu.Lock()
		s.note(path, Request{Method: r.Method, Path: path, Query: r.URL.Query(), Body: body, At: s.Now()})
		delay := s.latency[path] + s.latency[""]
		gate := s.paused[path]
		s.mu.Unlock()
		if !wait(r.Context(), delay, gate) {
			return
		}
		now := s.Now()
		s.mu.Lock()
		defer s.mu.Unlock()
		if f, ok := s.popFault(path); ok {
			if f.status != 0 {
				http.Error(w, http.StatusText(f.status), f.status)
				return
			}
			reply := errorBody(apiError(f.errcode, "injected fault"))
			s.noteRID(reply, r, body, now)
			writeJSON(w, reply)
			return
		}
		reply, err := s.serve(r, method, path, needToken, now, body, h)
		if err != nil {
			eb := errorBody(err)
			s.noteRID(eb, r, body, now)
			reply = eb
		}
		if raw, ok := reply.(http.Handler); ok { // a file, not JSON (media downloads)
			raw.ServeHTTP(w, r)
			return
		}
		writeJSON(w, reply)
	})
}

func (s *Server) serve(r *http.Request, method, path string, needToken bool, now time.Time, body []byte, h handlerFunc) (any, error) {
	if r.Method != method {
		if method == http.MethodPost {
			return nil, apiError(wechat.CodePOSTRequired, "require POST method")
		}
		return nil, apiError(wechat.CodeGETRequired, "require GET method")
	}
	q := r.URL.Query()
	if needToken {
		if err := s.checkToken(q.Get("access_token"), now); err != nil {
			return nil, err
		}
	}
	for _, esc := range htmlEscapes {
		if bytes.Contains(body, esc) && !isMultipart(r.Header) {
			return nil, apiError(wechat.CodeIllegalCharacters, "invalid char in json: HTML-escaped "+string(esc))
		}
	}
	if err := s.countQuota(path, now); err != nil {
		return nil, err
	}
	return h(&call{s: s, query: q, header: r.Header, body: body, now: now})
}

func (s *Server) popFault(path string) (fault, bool) {
	q := s.faults[path]
	if len(q) == 0 {
		return fault{}, false
	}
	s.faults[path] = q[1:]
	return q[0], true
}

// beijing is the zone WeChat's daily quotas reset in.
var beijing = time.FixedZone("CST", 8*3600)

func (s *Server) countQuota(path string, now time.Time) error {
	if day := now.In(beijing).Format(time.DateOnly); day != s.usedDay {
		s.usedDay, s.used = day, map[string]int{}
	}
	limit := s.quota[path]
	if limit > 0 && s.used[path] >= limit {
		return apiError(wechat.CodeDailyQuotaLimit, "reach max api daily quota limit")
	}
	s.used[path]++
	return nil
}

// errorBody is WeChat's error reply, errmsg ending in a rid as WeChat's do.
func errorBody(err error) map[string]any {
	var we *wechat.Error
	if !errors.As(err, &we) {
		we = &wechat.Error{Code: wechat.CodeSystemBusy, Message: "system error: " + err.Error()}
	}
	return map[string]any{"errcode": we.Code, "errmsg": fmt.Sprintf("%s rid: %s", we.Message, newRID())}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; encoding=utf-8")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the client went away; nothing to do
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}
