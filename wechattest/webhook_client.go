package wechattest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/internal/wxcrypto"
)

// Mode is how the account's webhook receives messages (消息加解密方式).
type Mode int

const (
	ModePlaintext  Mode = iota // 明文模式: plain XML, signature only
	ModeCompatible             // 兼容模式: plain fields and <Encrypt> side by side
	ModeSafe                   // 安全模式: only <Encrypt>, checked with msg_signature
)

func (m Mode) String() string {
	switch m {
	case ModePlaintext:
		return "plaintext"
	case ModeCompatible:
		return "compatible"
	case ModeSafe:
		return "safe"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// WebhookConfig is what a WebhookClient needs to push like WeChat does.
type WebhookConfig struct {
	URL            string // the webhook, such as "http://127.0.0.1:8080/wechat"
	AppID          string
	Token          string
	EncodingAESKey string // required in compatible and safe mode
	OriginalID     string // the ToUserName of messages built by Text and Event; default SandboxOriginalID
	Mode           Mode
	// Timeout is how long one attempt waits for the answer (WeChat: 5 s, the
	// default). Attempts is how many times a message is sent when an attempt
	// times out (WeChat: 3; default 1, no retries).
	Timeout    time.Duration
	Attempts   int
	HTTPClient *http.Client     // default: a plain client
	Now        func() time.Time // the push timestamps; default time.Now
}

// lastMsgID hands out MsgIds unique in the process, so that messages built by
// different clients never look like retries of each other.
var lastMsgID atomic.Int64

func init() { lastMsgID.Store(time.Now().UnixMilli() * 1000) }

// WebhookClient pushes messages to a webhook the way WeChat does: signed,
// encrypted in compatible and safe mode, retried on timeout if asked, and it
// checks the reply as WeChat would (signature and AppID of an encrypted one).
type WebhookClient struct {
	cfg    WebhookConfig
	cipher *wxcrypto.Cipher
	fake   *Server // set by Server.WebhookClient: Send opens the sender's window on it, Scan plays the scan
}

// NewWebhookClient checks cfg and returns a client.
func NewWebhookClient(cfg WebhookConfig) (*WebhookClient, error) {
	if cfg.URL == "" || cfg.Token == "" || cfg.AppID == "" {
		return nil, errors.New("wechattest: WebhookConfig needs URL, AppID and Token")
	}
	c := &WebhookClient{cfg: cfg}
	if cfg.Mode != ModePlaintext || cfg.EncodingAESKey != "" {
		key, err := wxcrypto.DecodeAESKey(cfg.EncodingAESKey)
		if err != nil {
			return nil, fmt.Errorf("wechattest: %w", err)
		}
		if c.cipher, err = wxcrypto.NewCipher(key); err != nil {
			return nil, err
		}
	}
	if c.cfg.OriginalID == "" {
		c.cfg.OriginalID = SandboxOriginalID
	}
	if c.cfg.Timeout <= 0 {
		c.cfg.Timeout = 5 * time.Second
	}
	if c.cfg.Attempts <= 0 {
		c.cfg.Attempts = 1
	}
	if c.cfg.HTTPClient == nil {
		c.cfg.HTTPClient = &http.Client{}
	}
	if c.cfg.Now == nil {
		c.cfg.Now = time.Now
	}
	return c, nil
}

// WebhookClient returns a client that pushes this platform's messages to the
// webhook at url in mode, on the platform's clock. Every message it sends opens
// the sender's 48-hour customer-service window, as a real message does.
func (s *Server) WebhookClient(url string, mode Mode) *WebhookClient {
	c, err := NewWebhookClient(WebhookConfig{
		URL: url, AppID: s.appID, Token: s.token, EncodingAESKey: s.aesKey,
		OriginalID: s.originalID, Mode: mode, Now: s.Now,
	})
	if err != nil {
		panic(err) // the server's own settings are valid
	}
	c.fake = s
	return c
}

// The builders below make the XML WeChat pushes for each kind of message a
// follower sends (接收普通消息), each with a fresh MsgId; Event makes an event
// push. Send the result with Send, or build the request with NewRequest.

// Text builds a text message from the follower openID.
func (c *WebhookClient) Text(openID, content string) []byte {
	return c.build(openID, "text", elem("Content", content)+msgID())
}

// Image builds an image message: the picture's URL on WeChat's servers and its
// media id (temporary media, 3 days).
func (c *WebhookClient) Image(openID, picURL, mediaID string) []byte {
	return c.build(openID, "image", elem("PicUrl", picURL)+elem("MediaId", mediaID)+msgID())
}

// Voice builds a voice message of format ("amr", "speex"), with WeChat's
// speech recognition result when recognition is not "" (accounts that turned it
// on receive it).
func (c *WebhookClient) Voice(openID, mediaID, format, recognition string) []byte {
	body := elem("MediaId", mediaID) + elem("Format", format)
	if recognition != "" {
		body += elem("Recognition", recognition)
	}
	return c.build(openID, "voice", body+msgID())
}

// Location builds a location message: latitude and longitude in degrees, the
// map's zoom scale and the place's label.
func (c *WebhookClient) Location(openID string, latitude, longitude float64, scale int, label string) []byte {
	body := "<Location_X>" + strconv.FormatFloat(latitude, 'f', -1, 64) + "</Location_X>" +
		"<Location_Y>" + strconv.FormatFloat(longitude, 'f', -1, 64) + "</Location_Y>" +
		"<Scale>" + strconv.Itoa(scale) + "</Scale>" + elem("Label", label)
	return c.build(openID, "location", body+msgID())
}

// Link builds a link message (a shared article or page).
func (c *WebhookClient) Link(openID, title, description, pageURL string) []byte {
	return c.build(openID, "link", elem("Title", title)+elem("Description", description)+elem("Url", pageURL)+msgID())
}

// Event builds an event push from openID: event is one of package message's
// constants (message.EventSubscribe, message.EventClick, …) or any other event
// name; key is the EventKey, omitted when "".
func (c *WebhookClient) Event(openID string, event wechat.Event, key string) []byte {
	return c.event(openID, event, key, "")
}

// event builds an event push with the elements extra after Event and EventKey.
func (c *WebhookClient) event(openID string, event wechat.Event, key, extra string) []byte {
	body := elem("Event", string(event))
	if key != "" {
		body += elem("EventKey", key)
	}
	return c.build(openID, "event", body+extra)
}

func (c *WebhookClient) build(openID, msgType, body string) []byte {
	return []byte("<xml><ToUserName><![CDATA[" + cdata(c.cfg.OriginalID) + "]]></ToUserName><FromUserName><![CDATA[" +
		cdata(openID) + "]]></FromUserName><CreateTime>" + strconv.FormatInt(c.cfg.Now().Unix(), 10) +
		"</CreateTime><MsgType><![CDATA[" + msgType + "]]></MsgType>" + body + "</xml>")
}

func cdata(s string) string { return strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>") }

// elem is <name><![CDATA[value]]></name>.
func elem(name, value string) string {
	return "<" + name + "><![CDATA[" + cdata(value) + "]]></" + name + ">"
}

// msgID is a <MsgId> element with a fresh id.
func msgID() string { return "<MsgId>" + strconv.FormatInt(lastMsgID.Add(1), 10) + "</MsgId>" }

// NewRequest builds the POST WeChat would send for msg (an XML message), signed
// and, in compatible and safe mode, encrypted. Benchmarks build it once and
// reset its body with ResetBody.
func (c *WebhookClient) NewRequest(ctx context.Context, msg []byte) (*http.Request, error) {
	ts := strconv.FormatInt(c.cfg.Now().Unix(), 10)
	nonce := strconv.FormatUint(rand.Uint64N(1e10), 10)
	q := url.Values{}
	q.Set("signature", wxcrypto.Signature(c.cfg.Token, ts, nonce))
	q.Set("timestamp", ts)
	q.Set("nonce", nonce)
	if from := fromUser(msg); from != "" {
		q.Set("openid", from)
	}
	body := msg
	if c.cfg.Mode != ModePlaintext {
		enc, err := c.cipher.Encrypt(msg, c.cfg.AppID)
		if err != nil {
			return nil, err
		}
		encElem := "<Encrypt><![CDATA[" + string(enc) + "]]></Encrypt>"
		if c.cfg.Mode == ModeSafe {
			body = []byte("<xml><ToUserName><![CDATA[" + cdata(c.cfg.OriginalID) + "]]></ToUserName>" + encElem + "</xml>")
		} else {
			end := bytes.LastIndex(msg, []byte("</xml>"))
			if end < 0 {
				return nil, errors.New("wechattest: compatible mode needs a message whose root is <xml>")
			}
			body = append(append(bytes.Clone(msg[:end]), encElem...), msg[end:]...)
		}
		q.Set("encrypt_type", "aes")
		q.Set("msg_signature", wxcrypto.Signature(c.cfg.Token, ts, nonce, string(enc)))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.URL+"?"+q.Encode(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "text/xml")
	req.Header.Set("User-Agent", "Mozilla/4.0")
	return req, nil
}

// ResetBody rewinds the body of a request from NewRequest so it can be served
// again.
func ResetBody(r *http.Request) {
	if r.GetBody != nil {
		r.Body, _ = r.GetBody()
	}
}

// NewVerifyRequest builds the GET of URL verification (验证服务器地址) with echostr.
func (c *WebhookClient) NewVerifyRequest(ctx context.Context, echostr string) (*http.Request, error) {
	ts := strconv.FormatInt(c.cfg.Now().Unix(), 10)
	nonce := strconv.FormatUint(rand.Uint64N(1e10), 10)
	q := url.Values{}
	q.Set("signature", wxcrypto.Signature(c.cfg.Token, ts, nonce))
	q.Set("timestamp", ts)
	q.Set("nonce", nonce)
	q.Set("echostr", echostr)
	return http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.URL+"?"+q.Encode(), nil)
}

// Verify performs URL verification and checks the webhook answered echostr.
func (c *WebhookClient) Verify(ctx context.Context) error {
	echo := strconv.FormatUint(rand.Uint64(), 10)
	req, err := c.NewVerifyRequest(ctx, echo)
	if err != nil {
		return err
	}
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || string(body) != echo {
		return fmt.Errorf("wechattest: URL verification answered %d %q, want 200 %q", resp.StatusCode, body, echo)
	}
	return nil
}

// Send pushes msg and returns the checked reply. An attempt that gets no
// answer within Timeout is retried, up to Attempts in all, with the same
// request, as WeChat does.
func (c *WebhookClient) Send(ctx context.Context, msg []byte) (*WebhookReply, error) {
	if c.fake != nil {
		if from := fromUser(msg); from != "" {
			c.fake.noteInbound(from, c.fake.Now())
		}
	}
	req, err := c.NewRequest(ctx, msg)
	if err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		reply, err := c.attempt(ctx, req)
		if err == nil || attempt >= c.cfg.Attempts || ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) {
			return reply, err
		}
	}
}

func (c *WebhookClient) attempt(ctx context.Context, req *http.Request) (*WebhookReply, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	r := req.Clone(ctx)
	ResetBody(r)
	resp, err := c.cfg.HTTPClient.Do(r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return c.DecodeReply(resp.StatusCode, body)
}
