package message

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wxkit/wechat/internal/account"
	"github.com/wxkit/wechat/internal/logsample"
	"github.com/wxkit/wechat/internal/wxcrypto"
	"github.com/wxkit/wechat/officialaccount"
)

// Server is the webhook (服务器配置的 URL): an http.Handler that verifies the URL,
// checks every push's signature, decrypts in compatible and safe mode, parses,
// de-duplicates WeChat's retries, calls the handler within WeChat's 5 seconds and
// writes the passive reply, encrypted when the push was. It is safe for
// concurrent use.
//
// The handler runs on the goroutine of ServeHTTP, which returns when the
// handler does; a handler past its deadline has "success" answered for it,
// flushed from another goroutine, while it goes on (see the package doc).
type Server struct {
	appID  string
	token  string
	cipher *wxcrypto.Cipher // nil without an EncodingAESKey
	h      Handler
	settings

	// mem is the dedup store when it is the built-in one, called by key hash;
	// nil for a store that may block (Redis), whose calls are bounded.
	mem       *MemoryDedupStore
	realClock bool // no WithClock: the server's clock is the arrival's

	running   atomic.Int64  // handlers still running, late ones included: WithMaxHandlers and Shutdown
	deadlines deadlineQueue // the handlers' deadlines, on one timer

	// A Shutdown waiting for the handlers: it sets shutdownWaits, then waits on
	// idle, which the handler that ends the last one closes (see handlerDone).
	shutdownWaits atomic.Bool
	idleMu        sync.Mutex
	idle          chan struct{} // made by a waiting Shutdown; nil otherwise

	rejectLog, dropLog *logsample.Sampler // unauthenticated floods must not become log floods
	storeLog           *logsample.Sampler // nor a dedup store's outage, which fails every push
	noFlushLogged      atomic.Bool        // the writer's want of a Flush was logged
}

// NewServer returns the webhook of oa, answering with h (a *Mux, or any Handler).
// It uses oa's AppID, Token and EncodingAESKey: an account built from those three
// alone (no AppSecret) is enough for a replica that only answers pushes.
//
// Without a Token every request is rejected (403). NewServer says so once, at
// Error level, on the logger (WithLogger, else the account's), or on
// slog.Default() when that logger discards errors, so that the mistake shows at
// start-up. Out-of-range options fall back to their defaults, which is logged too.
func NewServer(oa *officialaccount.OfficialAccount, h Handler, opts ...Option) *Server {
	srv := &Server{appID: oa.AppID(), token: oa.WebhookToken(), h: h, settings: defaults(),
		rejectLog: logsample.New(), dropLog: logsample.New(), storeLog: logsample.New()}
	srv.logger = oa.Logger()
	for _, o := range opts {
		o(&srv.settings)
	}
	if key := account.Of(oa).AESKey; key != nil {
		srv.cipher, _ = wxcrypto.NewCipher(key) // officialaccount checked the key
	}
	if srv.dedup == nil {
		srv.dedup = NewMemoryDedupStore()
	}
	srv.mem, _ = srv.dedup.(*MemoryDedupStore)
	if srv.realClock = srv.now == nil; srv.realClock {
		srv.now = time.Now
	}
	if srv.logger == nil {
		srv.logger = slog.New(slog.DiscardHandler)
	}
	srv.fixSettings()
	if srv.token == "" {
		l := srv.logger
		if !l.Enabled(context.Background(), slog.LevelError) {
			l = slog.Default() // a mistake nobody would see otherwise
		}
		l.Error("message: the OfficialAccount has no webhook Token (officialaccount.Config.Token, 令牌 in 基本配置 → 服务器配置); every push will be rejected with 403")
	}
	if h == nil {
		srv.h = &Mux{}
	}
	return srv
}

func (srv *Server) fixSettings() {
	d := defaults()
	fix := func(ok bool, name string, def any, field func()) {
		if !ok {
			srv.logger.Warn("message: option out of range; using the default", "option", name, "default", def)
			field()
		}
	}
	fix(srv.bodyLimit > 0, "WithBodyLimit", d.bodyLimit, func() { srv.bodyLimit = d.bodyLimit })
	fix(srv.deadline > 0, "WithDeadline", d.deadline, func() { srv.deadline = d.deadline })
	fix(srv.window > 0, "WithDedupWindow", d.window, func() { srv.window = d.window })
	fix(srv.skew >= 0, "WithTimestampSkew", d.skew, func() { srv.skew = d.skew })
	fix(srv.maxHandlers > 0, "WithMaxHandlers", d.maxHandlers, func() { srv.maxHandlers = d.maxHandlers })
}

// ServeHTTP runs the pipeline: open (method, signature, size, decrypt, parse),
// then URL verification or dispatch (dedup, deadline, recover), then the reply.
func (srv *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	in := inbound{arrived: time.Now()} // the deadline runs on real time, whatever WithClock says
	in.now = in.arrived
	if !srv.realClock {
		in.now = srv.now()
	}
	status, err := srv.open(r, &in)
	if err != nil {
		in.release()
		srv.reject(w, r, status, err)
		return
	}
	if in.msg == nil { // URL verification
		w.Header()["Content-Type"] = plainText
		io.WriteString(w, in.echo)
		return
	}
	reply, claimed := srv.dispatch(r.Context(), &in, w)
	if !in.answered { // else the watchdog answered at the deadline, and stored it
		srv.write(w, &in, reply, claimed && srv.slowStore())
		if claimed { // after the answer: a slow store never delays it
			srv.finish(r.Context(), &in.dedupRef, reply)
		}
	}
	in.release()
}

// slowStore reports whether the dedup store may block (not the built-in
// memory store): its calls are bounded, and the answer is flushed before the
// reply is stored.
func (srv *Server) slowStore() bool { return srv.mem == nil }

// reject answers a request that failed a check and logs it, sampled: a flood of
// bad requests is not a flood of log lines. err never holds a secret: the errors
// of this package name what failed, not the values.
func (srv *Server) reject(w http.ResponseWriter, r *http.Request, status int, err error) {
	if ok, suppressed := srv.rejectLog.Allow(srv.now()); ok {
		srv.logger.LogAttrs(r.Context(), srv.rejectLevel, "message: request rejected",
			slog.Int("status", status), slog.String("reason", err.Error()),
			slog.String("method", r.Method), slog.String("remote", r.RemoteAddr),
			slog.Int64("suppressed", suppressed))
	}
	if status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", "GET, POST")
	}
	http.Error(w, http.StatusText(status), status)
}

var (
	plainText = []string{"text/plain; charset=utf-8"}
	textXML   = []string{"text/xml; charset=utf-8"}
	success   = []byte("success")
)

// render turns the handler's reply into XML, or nil for "success". A reply
// that breaks WeChat's limits is logged and not sent: the follower would see
// "该公众号暂时无法提供服务" instead. The XML is built in the push's pooled
// buffer (in.scratch), which in holds until in.release: nothing keeps it past
// the request (a DedupStore copies what it stores).
func (srv *Server) render(ctx context.Context, r Reply, in *inbound) []byte {
	if isNoReply(r) {
		return nil
	}
	if err := validate(r, in.msg); err != nil {
		srv.logger.LogAttrs(ctx, slog.LevelError, "message: reply not sent", slog.String("err", err.Error()))
		return nil
	}
	in.replied = srv.clock(in)
	buf := in.scratch()
	*buf = appendReply((*buf)[:0], r, in.msg, in.replied.Unix())
	return *buf
}

// clock returns the time on the server's clock during in: on the real clock,
// laterThan(in.arrived).
func (srv *Server) clock(in *inbound) time.Time {
	if srv.realClock {
		return laterThan(in.arrived)
	}
	return srv.now()
}

// laterThan returns the time now, from t, read on the real clock, as t plus
// the time since: that reads only the monotonic clock, half of what time.Now
// costs, and is the same to the second but across a step of the wall clock.
func laterThan(t time.Time) time.Time { return t.Add(time.Since(t)) }

// scratch returns the push's pooled buffer, taking it on first use. One
// buffer serves the whole push: the encrypted body, until it is decrypted; then
// the reply, and after it the reply's envelope. What it holds is live: each
// user appends after what is there, or starts over once it is dead.
func (in *inbound) scratch() *[]byte {
	if in.buf == nil {
		in.buf = pushBufs.get()
	}
	return in.buf
}

// release returns in's pooled buffer.
func (in *inbound) release() {
	if in.buf != nil {
		pushBufs.put(in.buf)
	}
	in.buf = nil
}

// bufPool recycles the byte buffers of a push: its encrypted body, its reply
// and the reply's envelope. A buffer grown past maxPooledBuf, by a push or a
// reply near the limits, is left to the collector instead of being kept for
// every later push.
type bufPool struct {
	size int // the capacity of a new buffer
	pool sync.Pool
}

const maxPooledBuf = 64 << 10

// get returns an empty buffer.
func (p *bufPool) get() *[]byte {
	if b, _ := p.pool.Get().(*[]byte); b != nil {
		return b
	}
	b := make([]byte, 0, p.size)
	return &b
}

// put takes back b, which nothing may use any more.
func (p *bufPool) put(b *[]byte) {
	if cap(*b) <= maxPooledBuf {
		*b = (*b)[:0]
		p.pool.Put(b)
	}
}

// pushBufs holds the buffers of pushes (inbound.scratch): room for a usual
// safe-mode push, or for its reply and the reply's envelope.
var pushBufs = bufPool{size: 4096}

// write sends the reply: "success" when there is none (in may then be nil),
// encrypted when the request was. With flush set the answer leaves at once, with its length, so
// that WeChat has it while the dedup store is still being written, or while a
// handler past its deadline still runs; the error is the flush's (a writer
// that cannot flush sends it only when ServeHTTP returns).
func (srv *Server) write(w http.ResponseWriter, in *inbound, reply []byte, flush bool) error {
	h := w.Header()
	body, ctype := reply, textXML
	switch {
	case len(reply) == 0:
		body, ctype = success, plainText
	case in.encrypted:
		// After what the buffer holds: the reply, when it was rendered there.
		// The envelope is dead once written; *buf keeps the reply. A buffer
		// the envelope grew goes back to the pool at its new size, so that
		// the next long reply does not grow it again; the reply stays
		// readable where it was rendered.
		buf := in.scratch()
		out, err := srv.seal(*buf, in, reply)
		body, *buf = out[len(*buf):], out[:len(*buf)]
		if err != nil { // a reply over 4 GiB: nothing sensible to send but success
			srv.logger.Error("message: encrypting the reply failed; answered success", "err", err)
			body, ctype = success, plainText
		}
	}
	h["Content-Type"] = ctype
	if flush {
		h["Content-Length"] = []string{strconv.Itoa(len(body))}
	}
	w.Write(body)
	if !flush {
		return nil
	}
	return http.NewResponseController(w).Flush()
}

// seal appends the encrypted reply envelope (spec §4.1) to dst.
func (srv *Server) seal(dst []byte, in *inbound, reply []byte) ([]byte, error) {
	var random [16]byte
	rand.Read(random[:]) // never fails: since Go 1.24 it crashes the program instead
	at := in.replied
	if at.IsZero() {
		at = srv.clock(in)
	}
	var tsBuf [20]byte
	ts := string(strconv.AppendInt(tsBuf[:0], at.Unix(), 10)) // short and kept by nothing: on the stack
	dst = append(dst, "<xml><Encrypt><![CDATA["...)
	start := len(dst)
	dst, err := srv.cipher.AppendEncrypt(dst, random[:], reply, srv.appID)
	if err != nil {
		return dst, err
	}
	end := len(dst)
	dst = append(dst, "]]></Encrypt><MsgSignature><![CDATA["...)
	dst = wxcrypto.AppendMsgSignature(dst, srv.token, ts, in.nonce, dst[start:end])
	dst = append(dst, "]]></MsgSignature><TimeStamp>"...)
	dst = append(dst, ts...)
	dst = append(dst, "</TimeStamp>"...)
	dst = appendElem(dst, "Nonce", in.nonce)
	return append(dst, "</xml>"...), nil
}
