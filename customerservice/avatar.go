package customerservice

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
)

// MaxAvatarBytes bounds the image UploadAvatar reads (5 MiB). WeChat's docs name no
// size; its media uploads take images of up to 10 MB, avatars are far smaller.
const MaxAvatarBytes = 5 << 20

// UploadAvatar sets the avatar of the kf account to the image read from r
// (上传客服头像), sent as a multipart form file named filename in the field
// "media". WeChat recommends a square JPG of 640×640.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Customer_Service/Customer_Service_Management.html
func (s *Service) UploadAvatar(ctx context.Context, account, filename string, r io.Reader) error {
	if err := checkAccount(account); err != nil {
		return err
	}
	if filename == "" {
		return errors.New("customerservice: avatar: empty file name")
	}
	img, err := io.ReadAll(io.LimitReader(r, MaxAvatarBytes+1))
	switch {
	case err != nil:
		return fmt.Errorf("customerservice: avatar: reading image: %w", err)
	case len(img) == 0:
		return errors.New("customerservice: avatar: empty image")
	case len(img) > MaxAvatarBytes:
		return fmt.Errorf("customerservice: avatar: image is larger than %d bytes", MaxAvatarBytes)
	}
	body, contentType, err := multipartBody("media", filename, img)
	if err != nil {
		return fmt.Errorf("customerservice: avatar: %w", err)
	}
	const path = "/customservice/kfaccount/uploadheadimg"
	q := url.Values{"kf_account": {account}}
	_, err = s.oa.Do(ctx, path, q, func(ctx context.Context, u string) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
		if err != nil {
			return nil, err // Do keeps the token out of the error
		}
		req.Header.Set("Content-Type", contentType)
		return req, nil
	})
	return err
}

// multipartBody encodes one file field; it is built once so a retry resends the
// same bytes.
func multipartBody(field, filename string, content []byte) ([]byte, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, err := w.CreateFormFile(field, filename)
	if err != nil {
		return nil, "", err
	}
	if _, err := part.Write(content); err != nil {
		return nil, "", err
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}
