package message

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wxkit/wechat/internal/wxcrypto"
)

var (
	errSignature    = errors.New("signature does not match: check that the Token is the one in the console (基本配置 → 服务器配置 → 令牌)")
	errMsgSignature = errors.New("msg_signature does not match: check that the Token is the one in the console (基本配置 → 服务器配置 → 令牌)")
	errNoToken      = errors.New("webhook Token is not configured: set officialaccount.Config.Token to the console's 令牌")
)

// query holds the URL parameters WeChat sends.
type query struct {
	signature, timestamp, nonce, openID string
	encryptType, msgSignature, echostr  string
}

// parseQuery reads the parameters WeChat sends out of a raw query, without the
// map url.ParseQuery would build; the first non-empty value of a repeated key
// wins.
func parseQuery(raw string) query {
	var q query
	escaped := strings.IndexByte(raw, '%') >= 0 // one look at the whole, rather than one per value: 10 % of parseQuery
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		k, v, _ := strings.Cut(pair, "=")
		var dst *string
		switch k {
		case "signature":
			dst = &q.signature
		case "timestamp":
			dst = &q.timestamp
		case "nonce":
			dst = &q.nonce
		case "openid":
			dst = &q.openID
		case "encrypt_type":
			dst = &q.encryptType
		case "msg_signature":
			dst = &q.msgSignature
		case "echostr":
			dst = &q.echostr
		default:
			continue
		}
		if *dst != "" {
			continue
		}
		// Percent-escapes are decoded, but a '+' stays a '+': none of WeChat's
		// parameters holds a space, and base64 (an encrypted echostr) holds '+',
		// which WeChat may send unescaped.
		if escaped && strings.IndexByte(v, '%') >= 0 {
			if u, err := url.PathUnescape(v); err == nil {
				v = u
			}
		}
		*dst = v
	}
	return q
}

// verifySignature checks the 3-field signature (token, timestamp, nonce).
func (srv *Server) verifySignature(q *query) error {
	if srv.token == "" {
		return errNoToken
	}
	if !wxcrypto.VerifySignature(q.signature, srv.token, q.timestamp, q.nonce) {
		return errSignature
	}
	return nil
}

// verifyMsgSignature checks the 4-field msg_signature over encrypt.
func (srv *Server) verifyMsgSignature(q *query, encrypt string) error {
	if srv.token == "" {
		return errNoToken
	}
	if !wxcrypto.VerifySignature(q.msgSignature, srv.token, q.timestamp, q.nonce, encrypt) {
		return errMsgSignature
	}
	return nil
}

// checkTimestamp enforces WithTimestampSkew and returns the timestamp; 0 when
// the check is off. It runs after a signature check: the timestamp is WeChat's,
// so a rejection means a replay or a wrong clock, and the error says by how much.
func (srv *Server) checkTimestamp(ts string, now time.Time) (int64, error) {
	if srv.skew == 0 {
		return 0, nil
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sec <= 0 || sec > maxUnix {
		if len(ts) > 24 {
			ts = ts[:24] + "…"
		}
		return 0, fmt.Errorf("timestamp %q is not a Unix time in seconds", ts)
	}
	d := now.Sub(time.Unix(sec, 0))
	switch {
	case d > srv.skew:
		return 0, fmt.Errorf("timestamp is %s behind this server's clock, outside the %s window (WithTimestampSkew): a replayed push, or this server's clock is wrong: check it (NTP)", d.Round(time.Second), srv.skew)
	case d < -srv.skew:
		return 0, fmt.Errorf("timestamp is %s ahead of this server's clock, outside the %s window (WithTimestampSkew): this server's clock is probably behind: check it (NTP)", (-d).Round(time.Second), srv.skew)
	}
	return sec, nil
}

// maxUnix bounds a timestamp far beyond any clock, so that time.Unix never overflows.
const maxUnix = 1 << 40
