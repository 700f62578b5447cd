package message

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/wxkit/wechat/internal/wxcrypto"
)

var (
	errMethod   = errors.New("method must be GET (URL verification) or POST")
	errTooLarge = errors.New("body is over the limit")
	errNoEcho   = errors.New("URL verification without echostr")
	errNoAESKey = errors.New("request is encrypted but the EncodingAESKey is not configured: set officialaccount.Config.EncodingAESKey to the console's 消息加解密密钥")
	// errPlaintext: the plaintext signature does not cover the body, so a
	// server that can decrypt accepts only encrypted pushes.
	errPlaintext = errors.New("plaintext push refused: an EncodingAESKey is configured, so pushes must be encrypted (encrypt_type=aes); " +
		"set 消息加解密方式 to 安全模式 in the console (基本配置 → 服务器配置), or pass message.WithAllowPlaintext() for the minutes of switching modes")
)

// inbound is a request that passed every check.
type inbound struct {
	msg       *Message
	echo      string // URL verification: what to answer
	encrypted bool   // the reply must be encrypted too
	nonce     string // echoed in an encrypted reply
	dedupRef
	arrived  time.Time // on the real clock, for the deadline
	replied  time.Time // on the server's clock, when the reply was rendered
	buf      *[]byte   // the push's pooled buffer: see inbound.scratch
	answered bool      // the deadline's watchdog answered: nothing more to write
	call     *call     // the handler's call, made with the message (see pushBlock)
}

// pushBlock is a push's message and the call its handler runs in, made in one
// allocation: an allocation cost as much as a SHA-1 of the push. They live as
// long as each other anyway: the call refers to the message, and a handler
// that keeps either keeps both (216 bytes more than the message alone, and
// the request's context; the call lets go of the writer when the handler
// returns: see settle). The
// call goes unused when the push is a retry answered from the dedup store.
//
// The plaintext, which the message's strings are views of, is an allocation
// of its own: with room for it in the block (the 1536-byte class), a push
// measured 1.5 % slower than with the two allocations.
type pushBlock struct {
	msg  Message
	call call
}

// dedupRef is what finishing a push's dedup claim needs: part of its inbound,
// and copied into its call for the watchdog, so that the inbound itself stays
// on the request's stack.
type dedupRef struct {
	key  string    // the dedup key, set by dispatch for a store other than the memory store
	hash uint64    // the memory store's hash of the dedup key, set by dispatch
	seq  uint64    // the memory store's sequence number of the claim, if this push claimed it
	sent int64     // the push's timestamp (Unix seconds); 0 when the check is off
	now  time.Time // on the server's clock (WithClock), for the timestamp check and the retry window
}

// open checks the method, the signature, the timestamp, the mode and the size
// and, in compatible and safe mode, decrypts; then parses. Nothing of the body is
// read before the signature and the timestamp have been checked. The status goes
// with a non-nil error.
func (srv *Server) open(r *http.Request, in *inbound) (status int, err error) {
	q := parseQuery(r.URL.RawQuery)
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return http.StatusMethodNotAllowed, errMethod
	}
	if r.Method == http.MethodGet {
		in.echo, status, err = srv.verifyURL(&q, in.now)
		return status, err
	}

	// WeChat signs every push with the 3-field signature, safe mode included (the
	// docs' safe-mode example carries it): checking it first means a stranger
	// cannot make the server read, buffer or decrypt a body.
	if err := srv.verifySignature(&q); err != nil {
		return http.StatusForbidden, err
	}
	if in.sent, err = srv.checkTimestamp(q.timestamp, in.now); err != nil {
		return http.StatusForbidden, err
	}
	// Decide "encrypted" by encrypt_type=aes, as WeChat sends it in compatible and
	// safe mode. msg_signature then covers the body, and the plain fields that
	// compatible mode also carries are not signed: only the decrypted copy is used.
	in.encrypted = q.encryptType == "aes"
	if !in.encrypted && srv.cipher != nil && !srv.allowPlaintext {
		return http.StatusForbidden, errPlaintext
	}
	var body []byte
	if in.encrypted {
		body, status, err = srv.readEncrypted(r, &q, in)
	} else {
		body, status, err = srv.readBody(r, nil)
	}
	if err != nil {
		return status, err
	}
	blk := new(pushBlock)
	if err = parseMessageInto(&blk.msg, body); err != nil {
		return http.StatusBadRequest, err
	}
	in.msg, in.call = &blk.msg, &blk.call
	in.nonce = q.nonce
	return 0, nil
}

// verifyURL answers URL verification: echostr as sent when signature matches;
// decrypted when it is encrypted and signed with msg_signature (企业微信-style
// verification). A request carrying msg_signature is judged by it alone: when it
// does not match, answering the ciphertext because the 3-field signature matched
// would be wrong either way.
func (srv *Server) verifyURL(q *query, now time.Time) (string, int, error) {
	if q.msgSignature != "" && srv.cipher != nil {
		if err := srv.verifyMsgSignature(q, q.echostr); err != nil {
			return "", http.StatusForbidden, err
		}
		if _, err := srv.checkTimestamp(q.timestamp, now); err != nil {
			return "", http.StatusForbidden, err
		}
		plain, status, err := srv.decryptText(q.echostr, nil)
		return string(plain), status, err
	}
	if err := srv.verifySignature(q); err != nil {
		return "", http.StatusForbidden, err
	}
	if _, err := srv.checkTimestamp(q.timestamp, now); err != nil {
		return "", http.StatusForbidden, err
	}
	if q.echostr == "" {
		return "", http.StatusBadRequest, errNoEcho
	}
	return q.echostr, 0, nil
}

// firstRead is the most readBody allocates before bytes arrive: a client that
// announces a large body and sends it slowly holds only what it has sent.
const firstRead = 8 << 10

// readEncrypted reads an encrypted push into the push's pooled buffer, which
// only the envelope needs, and returns the decrypted message.
func (srv *Server) readEncrypted(r *http.Request, q *query, in *inbound) ([]byte, int, error) {
	buf := in.scratch()
	body, status, err := srv.readBody(r, *buf)
	if err != nil {
		return nil, status, err
	}
	*buf = body[:0] // dead once decrypted (nothing decrypt returns refers to it); the room it grew to serves on
	return srv.decrypt(q, body)
}

// readBody reads the body up to the limit, into buf's room when it has some.
// The buffer starts at the announced length, at most firstRead, and grows as
// bytes arrive.
func (srv *Server) readBody(r *http.Request, buf []byte) ([]byte, int, error) {
	if r.ContentLength > srv.bodyLimit {
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("%w: %d bytes, the limit is %d", errTooLarge, r.ContentLength, srv.bodyLimit)
	}
	if r.Body == nil {
		return nil, http.StatusBadRequest, io.ErrUnexpectedEOF
	}
	size := int64(firstRead)
	if r.ContentLength >= 0 {
		size = min(r.ContentLength+1, firstRead) // +1: the read that sees EOF needs room
	}
	body := slices.Grow(buf[:0], int(size))
	rd := io.LimitReader(r.Body, srv.bodyLimit+1)
	for {
		if len(body) == cap(body) {
			body = append(body, 0)[:len(body)] // grow: bytes are arriving
		}
		n, err := rd.Read(body[len(body):cap(body)])
		body = body[:len(body)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, http.StatusBadRequest, fmt.Errorf("read body: %w", err)
		}
	}
	if int64(len(body)) > srv.bodyLimit {
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("%w: the limit is %d bytes", errTooLarge, srv.bodyLimit)
	}
	if r.ContentLength >= 0 && int64(len(body)) != r.ContentLength {
		return nil, http.StatusBadRequest, fmt.Errorf("read body: %d bytes of the %d announced", len(body), r.ContentLength)
	}
	return body, 0, nil
}

// decrypt verifies msg_signature over the body's <Encrypt> and decrypts it.
// Nothing it returns refers to body's buffer, which may be reused: the
// ciphertext is decrypted in that buffer's spare room, past the body, and the
// message copied out at its exact size. The buffer is warm in the cache, and
// the copy a third smaller than the whole plaintext (random, length, AppID
// and padding around the message): measured side by side, a push took 0.8 %
// less time than with the plaintext decrypted in a buffer of its own.
func (srv *Server) decrypt(q *query, body []byte) ([]byte, int, error) {
	if srv.cipher == nil {
		return nil, http.StatusInternalServerError, errNoAESKey
	}
	enc, err := parseEnvelope(body) // a view of body: used here only
	if err != nil {
		return nil, http.StatusBadRequest, err
	}
	if err := srv.verifyMsgSignature(q, enc); err != nil {
		return nil, http.StatusForbidden, err
	}
	room := body[len(body):cap(body)]
	if base64.StdEncoding.DecodedLen(len(enc)) > len(room) {
		return srv.decryptText(enc, nil) // a buffer of its own, kept as it is
	}
	plain, status, err := srv.decryptText(enc, room[:0])
	if err != nil {
		return nil, status, err
	}
	return bytes.Clone(plain), 0, nil
}

// decryptText decrypts a signed ciphertext: a payload for another AppID is
// forbidden (403), one that does not decrypt is bad input (400). The signature
// over it matched, so it came from someone holding the Token: WeChat, whose
// ciphertext fails to decrypt only under another key. The errors say so.
//
// It decrypts in buf's room when that holds the decoded ciphertext, else in
// a new buffer.
func (srv *Server) decryptText(enc string, buf []byte) ([]byte, int, error) {
	plain, err := srv.cipher.DecryptStringInto(buf, enc, srv.appID)
	switch {
	case errors.Is(err, wxcrypto.ErrReceiveID):
		return nil, http.StatusForbidden, fmt.Errorf("the encrypted message is for another AppID: check that the AppID is this account's (%w)", err)
	case err != nil:
		return nil, http.StatusBadRequest, fmt.Errorf("cannot decrypt: the EncodingAESKey differs from the console's (基本配置 → 服务器配置 → 消息加解密密钥) (%w)", err)
	}
	return plain, 0, nil
}
