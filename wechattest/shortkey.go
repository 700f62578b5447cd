package wechattest

import (
	"crypto/rand"
	"net/http"
	"time"

	"github.com/wxkit/wechat"
)

// Paths of short keys (短key托管).
const (
	PathShortKeyGen   = "/cgi-bin/shorten/gen"
	PathShortKeyFetch = "/cgi-bin/shorten/fetch"
)

const (
	shortDataLimit     = 4 << 10 // bytes of long_data
	shortDefaultExpire = 2592000 // seconds: 30 days, also the maximum
)

type shortEntry struct {
	data      string
	created   time.Time
	expiresAt time.Time
}

func (s *Server) shortKeyRoutes() {
	s.api(http.MethodPost, PathShortKeyGen, s.shortKeyGen)
	s.api(http.MethodPost, PathShortKeyFetch, s.shortKeyFetch)
}

func (s *Server) shortKeyGen(c *call) (any, error) {
	var req struct {
		LongData      *string `json:"long_data"`
		ExpireSeconds int64   `json:"expire_seconds"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	switch {
	case req.LongData == nil:
		return nil, apiError(wechat.CodeArgumentInvalid, "argument invalid! long_data missing")
	case len(*req.LongData) > shortDataLimit:
		return nil, apiError(wechat.CodeShortDataTooLong, "long data too long")
	case req.ExpireSeconds > shortDefaultExpire:
		return nil, apiError(wechat.CodeShortKeyExpireTooLong, "expire seconds too large")
	}
	secs := req.ExpireSeconds
	if secs <= 0 {
		secs = shortDefaultExpire
	}
	key := base62(15)
	s.web.shortKeys[key] = &shortEntry{data: *req.LongData, created: c.now, expiresAt: c.now.Add(time.Duration(secs) * time.Second)}
	return map[string]any{"errcode": 0, "errmsg": "ok", "short_key": key}, nil
}

func (s *Server) shortKeyFetch(c *call) (any, error) {
	var req struct {
		ShortKey string `json:"short_key"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	e := s.web.shortKeys[req.ShortKey]
	if e == nil || !c.now.Before(e.expiresAt) {
		return nil, apiError(wechat.CodeShortKeyNotFound, "short key not exist or expired")
	}
	return map[string]any{
		"errcode": 0, "errmsg": "ok", "long_data": e.data, "create_time": e.created.Unix(),
		"expire_seconds": int64(e.expiresAt.Sub(c.now) / time.Second),
	}, nil
}

func base62(n int) string {
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
