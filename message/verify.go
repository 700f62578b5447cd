package message

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wxkit/wechat/internal/wxcrypto"
)

var (
	errSignature    = errors.New("signature does not match: check that the Token is the one in the console (基本配置 → 服务器配置 → 令牌)")
	errMsgSignature = errors.New("msg_signature does not match: check that the Token is the one in the console (基本配置 → 服务器配置 → 令牌)")
	errStale        = errors.New("timestamp is outside the allowed window: check this server's clock (NTP)")
	errNoToken      = errors.New("webhook Token is not configured: set officialaccount.Config.Token to the console's 令牌")
)

// query holds the URL parameters WeChat sends.
type query struct {
	signature, timestamp, nonce, openID string
	encryptType, msgSignature, echostr  string
}

// parseQuery reads the parameters WeChat sends out of a raw query, without the
// map url.ParseQuery would build; the first of a repeated key wins.
func parseQuery(raw string) query {
	var q query
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
		if strings.ContainsAny(v, "%+") {
			if u, err := url.QueryUnescape(v); err == nil {
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

// checkTimestamp enforces WithTimestampSkew, when set.
func (srv *Server) checkTimestamp(ts string) error {
	if srv.skew <= 0 {
		return nil
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errStale
	}
	if d := srv.now().Sub(time.Unix(sec, 0)); d > srv.skew || d < -srv.skew {
		return errStale
	}
	return nil
}
