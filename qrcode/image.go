package qrcode

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/wxkit/wechat/internal/wxhttp"
)

// maxImage bounds the image read from showqrcode; WeChat's are about 30 KB.
const maxImage = 4 << 20

// ErrImageNotFound is returned by Image when showqrcode answers 404: the ticket
// is unknown, or its temporary code expired.
var ErrImageNotFound = errors.New("qrcode: showqrcode answered 404: the ticket is unknown or its code has expired")

// Image downloads the QR image of ticket from showqrcode (通过ticket换取二维码):
// a JPEG from WeChat (a PNG from wechattest). No access_token is involved. Often
// rendering Code.URL yourself is simpler; Image is for keeping WeChat's own
// picture.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Account_Management/Generating_a_Parametric_QR_Code.html
func (s *Service) Image(ctx context.Context, ticket string) ([]byte, error) {
	if ticket == "" {
		return nil, errors.New("qrcode: empty ticket")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.ImageURL(ticket), nil)
	if err != nil {
		return nil, fmt.Errorf("qrcode: %s: bad image base URL %q", pathShow, s.imageBase)
	}
	resp, err := wxhttp.Open(s.oa.HTTPClient(), req, pathShow) // URLs redacted, non-2xx a *wxhttp.StatusError
	var se *wxhttp.StatusError
	switch {
	case errors.As(err, &se) && se.Status == http.StatusNotFound:
		return nil, ErrImageNotFound
	case err != nil:
		return nil, err
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "image/") {
		return nil, fmt.Errorf("qrcode: %s answered %q, not an image", pathShow, ct)
	}
	img, err := io.ReadAll(io.LimitReader(resp.Body, maxImage+1))
	if err != nil {
		return nil, fmt.Errorf("qrcode: %s: reading the image: %w", pathShow, err)
	}
	if len(img) > maxImage {
		return nil, fmt.Errorf("qrcode: %s: the image is larger than %d bytes", pathShow, maxImage)
	}
	return img, nil
}
