package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/wxkit/wechat/wechattest"
)

// exchange is one push to the bot and what came of it: the follower's side, the
// request as it went over the wire, each attempt, the reply, the verdicts and
// what the follower's chat shows.
type exchange struct {
	ID        int         `json:"id"`
	OpenID    string      `json:"openid"`
	At        time.Time   `json:"at"`
	Mode      string      `json:"mode"`
	Webhook   string      `json:"webhook"`
	Sent      sent        `json:"sent"`
	Request   wireRequest `json:"request"`
	Attempts  []attempt   `json:"attempts"`
	Reply     *wireReply  `json:"reply,omitempty"`
	Verdicts  []verdict   `json:"verdicts"`
	Outcome   string      `json:"outcome"`           // pending, reply, silent (success), fallback (该公众号暂时无法提供服务)
	Problem   string      `json:"problem,omitempty"` // why the follower sees the fallback
	Hint      string      `json:"hint,omitempty"`    // what to do about it
	Bubbles   []*bubble   `json:"bubbles,omitempty"`
	ElapsedMS float64     `json:"elapsedMs"`
	TimeoutMS float64     `json:"timeoutMs"`

	Trimmed bool `json:"trimmed,omitempty"` // the bodies were dropped to bound memory

	late  []string // the customer-service messages that followed, as drawn (late.go)
	early []string // those that came during the first attempt, until it ends (late.go)
}

// trim drops the bodies of an old exchange; what the chat shows stays.
func (ex *exchange) trim() {
	ex.Request.Plain, ex.Request.Body = "", ""
	for i := range ex.Attempts {
		ex.Attempts[i].Body = ""
	}
	if ex.Reply != nil {
		ex.Reply.Body, ex.Reply.XML = "", ""
	}
	ex.Trimmed = true
}

// sent is what the follower did, as their chat shows it.
type sent struct {
	Type       string    `json:"type"` // text, image, location, link, event
	Content    string    `json:"content,omitempty"`
	Event      string    `json:"event,omitempty"`
	EventKey   string    `json:"eventKey,omitempty"`
	Label      string    `json:"label,omitempty"` // the menu button's name, the QR code's scene
	ImageURL   string    `json:"imageUrl,omitempty"`
	Location   *location `json:"location,omitempty"`
	Link       *link     `json:"link,omitempty"`
	ScanResult string    `json:"scanResult,omitempty"`
}

type location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Scale     int     `json:"scale"`
	Label     string  `json:"label"`
}

type link struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	URL         string `json:"url"`
}

// wireRequest is the push as WeChat sends it.
type wireRequest struct {
	Method    string      `json:"method"`
	URL       string      `json:"url"`
	Query     [][2]string `json:"query"`
	Plain     string      `json:"plain"` // the message, before encryption
	Body      string      `json:"body"`  // what went over the wire
	Encrypted bool        `json:"encrypted"`
}

// attempt is one delivery of the push (WeChat sends it up to 3 times).
type attempt struct {
	N        int     `json:"n"`
	StartMS  float64 `json:"startMs"` // after the first attempt started
	MS       float64 `json:"ms"`
	Status   int     `json:"status,omitempty"`
	Body     string  `json:"body,omitempty"`
	Error    string  `json:"error,omitempty"`
	TimedOut bool    `json:"timedOut,omitempty"`
}

// wireReply is the answer that counted, as received and decrypted.
type wireReply struct {
	Status      int    `json:"status"`
	ContentType string `json:"contentType,omitempty"`
	Body        string `json:"body"`
	Encrypted   bool   `json:"encrypted"`
	XML         string `json:"xml,omitempty"` // the reply message, decrypted
}

// verdict is one check of the exchange.
type verdict struct {
	Name   string `json:"name"`
	State  string `json:"state"` // ok, fail, warn, info
	Detail string `json:"detail,omitempty"`
}

// builder makes the message to push with a client of the current mode; it may
// change the platform (a scan makes a stranger follow).
type builder func(c *wechattest.WebhookClient) ([]byte, error)

var errUnknownFollower = errors.New("no such follower")

// push sends what build makes as openID's push, the way WeChat does, records
// the exchange in the follower's chat and on the event stream, and returns it
// when it is over: answered, refused, or every attempt timed out.
func (s *Sim) push(ctx context.Context, openID string, what sent, build builder) (*exchange, error) {
	s.mu.Lock()
	f := s.followerLocked(openID)
	webhook, mode := s.webhook, s.mode
	s.mu.Unlock()
	if f == nil {
		return nil, errUnknownFollower
	}
	c := s.fake.WebhookClient(webhook, mode)
	msg, err := build(c)
	if err != nil { // a QR code that expired since it was checked
		return nil, inputErr("%v", err)
	}
	// The attempts run to the end even if the page that asked goes away, as
	// WeChat's would; Shutdown stops them.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Duration(s.tries)*s.timeout+5*time.Second)
	defer cancel()
	stop := context.AfterFunc(s.ctx, cancel)
	defer stop()
	req, err := c.NewRequest(ctx, msg)
	if err != nil {
		return nil, err
	}
	ex := &exchange{
		OpenID: openID, At: s.fake.Now(), Mode: mode.String(), Webhook: webhook, Sent: what,
		Request: wireRequest{Method: req.Method, URL: req.URL.String(), Query: orderedQuery(req.URL.Query()),
			Plain: clip(msg), Encrypted: mode != wechattest.ModePlaintext},
		Attempts: []attempt{}, Verdicts: []verdict{}, Outcome: "pending", TimeoutMS: ms(s.timeout),
	}
	if body, err := io.ReadAll(req.Body); err == nil {
		ex.Request.Body = clip(body)
	}
	wechattest.ResetBody(req)

	s.mu.Lock()
	ex.ID = s.nextSeq()
	s.exchanges[ex.ID] = ex
	s.keepWire(ex)
	e := entry{Seq: ex.ID, Exchange: ex}
	s.addEntry(f, e)
	s.hub.publish("entry", entryEvent{OpenID: openID, Entry: e})
	s.mu.Unlock()

	// A message from the follower opens the 48-hour customer-service window,
	// as WebhookClient.Send does.
	s.fake.OpenWindow(openID)

	start := time.Now()
	var last result
	for n := 1; n <= s.tries; n++ {
		var a attempt
		a, last = s.attempt(ctx, req, n, start)
		s.mu.Lock()
		ex.Attempts = append(ex.Attempts, a)
		ex.ElapsedMS = ms(time.Since(start))
		s.hub.publish("exchange", ex)
		s.mu.Unlock()
		if !a.TimedOut {
			break
		}
	}
	v := s.judge(c, ex, last)
	s.mu.Lock()
	defer s.mu.Unlock()
	v.apply(ex)
	ex.ElapsedMS = ms(time.Since(start))
	ex.settleEarly(s.timeout)
	s.hub.publish("exchange", ex)
	return ex, nil
}

// result is what an attempt got: a status and body, or an error.
type result struct {
	status      int
	contentType string
	body        []byte
	err         error
}

// attempt sends req once and waits at most the timeout for the whole answer.
func (s *Sim) attempt(ctx context.Context, req *http.Request, n int, start time.Time) (attempt, result) {
	actx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	r := req.Clone(actx)
	wechattest.ResetBody(r)
	t0 := time.Now()
	a := attempt{N: n, StartMS: ms(t0.Sub(start))}
	var res result
	resp, err := s.client.Do(r)
	if err == nil {
		res.status, res.contentType = resp.StatusCode, resp.Header.Get("Content-Type")
		res.body, err = io.ReadAll(io.LimitReader(resp.Body, maxReplyBody+1))
		resp.Body.Close()
		if err == nil && len(res.body) > maxReplyBody {
			err = errors.New("the reply is over 1 MiB")
		}
	}
	a.MS = ms(time.Since(t0))
	switch {
	case err != nil && errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		a.TimedOut = true
		a.Error = "no answer within " + s.timeout.String()
	case err != nil:
		var ue *url.Error
		if errors.As(err, &ue) { // the URL is in the panel already
			err = ue.Err
		}
		a.Error = err.Error()
	default:
		a.Status, a.Body = res.status, clip(res.body)
	}
	res.err = err
	return a, res
}

// orderedQuery lists q in the order WeChat's pushes carry it.
func orderedQuery(q url.Values) [][2]string {
	order := []string{"signature", "timestamp", "nonce", "openid", "encrypt_type", "msg_signature"}
	var out [][2]string
	for _, k := range order {
		if v, ok := q[k]; ok {
			out = append(out, [2]string{k, v[0]})
		}
	}
	for k, v := range q {
		if !slices.Contains(order, k) {
			out = append(out, [2]string{k, v[0]})
		}
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func itoa(n int) string { return strconv.Itoa(n) }
