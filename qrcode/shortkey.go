package qrcode

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Paths of the short-key APIs (短key托管).
const (
	pathShortKeyGen   = "/cgi-bin/shorten/gen"
	pathShortKeyFetch = "/cgi-bin/shorten/fetch"
)

// Limits of short keys.
const (
	MaxShortData = 4 << 10             // bytes of data behind a key
	MaxShortTTL  = 30 * 24 * time.Hour // also the default
)

// ShortKeys keeps data behind short keys (短key托管): up to 4 KB for up to 30
// days, behind a 15-character key to put in a link or a QR scene. It is not a
// URL shortener; the old /cgi-bin/shorturl stopped working in 2021 and is not
// offered.
type ShortKeys struct{ s *Service }

// ShortKeys returns the short-key sub-service.
func (s *Service) ShortKeys() *ShortKeys { return &ShortKeys{s: s} }

// ShortData is what a short key holds.
type ShortData struct {
	Data      string    // long_data
	CreatedAt time.Time // create_time
	ExpiresAt time.Time // now plus the remaining expire_seconds
}

// Generate stores data (1 byte to 4 KB) for ttl (at most 30 days; 0 means 30
// days) and returns its key (生成短key).
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/qrcode/shorten/api_genshortkey.html
func (k *ShortKeys) Generate(ctx context.Context, data string, ttl time.Duration) (string, error) {
	switch {
	case data == "":
		return "", errors.New("qrcode: short key data is empty")
	case len(data) > MaxShortData:
		return "", fmt.Errorf("qrcode: short key data is %d bytes, the limit is %d", len(data), MaxShortData)
	case ttl < 0 || ttl > MaxShortTTL:
		return "", fmt.Errorf("qrcode: a short key lives up to 30 days, got %v", ttl)
	case ttl == 0:
		ttl = MaxShortTTL
	}
	// expire_seconds is marked required although it has a default: always send it.
	body := map[string]any{"long_data": data, "expire_seconds": int64(max(ttl/time.Second, 1))}
	var r struct {
		ShortKey string `json:"short_key"`
	}
	if err := k.s.oa.PostJSON(ctx, pathShortKeyGen, nil, body, &r); err != nil {
		return "", err
	}
	if r.ShortKey == "" {
		return "", fmt.Errorf("wechat: %s: reply has no short_key", pathShortKeyGen)
	}
	return r.ShortKey, nil
}

// Fetch returns the data behind key (获取短key). A key that is missing, expired or another
// account's is errcode 9410012 (wechat.CodeShortKeyNotFound).
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/qrcode/shorten/api_fetchshorten.html
func (k *ShortKeys) Fetch(ctx context.Context, key string) (*ShortData, error) {
	if key == "" {
		return nil, errors.New("qrcode: empty short key")
	}
	var r struct {
		LongData      string `json:"long_data"`
		CreateTime    int64  `json:"create_time"`
		ExpireSeconds int64  `json:"expire_seconds"`
	}
	if err := k.s.oa.PostJSON(ctx, pathShortKeyFetch, nil, map[string]string{"short_key": key}, &r); err != nil {
		return nil, err
	}
	return &ShortData{
		Data: r.LongData, CreatedAt: time.Unix(r.CreateTime, 0),
		ExpiresAt: k.s.now().Add(time.Duration(r.ExpireSeconds) * time.Second),
	}, nil
}
