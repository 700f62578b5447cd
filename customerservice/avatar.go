package customerservice

import (
	"context"
	"io"
	"net/url"

	"github.com/wxkit/wechat/officialaccount"
)

// MaxAvatarBytes bounds the image UploadAvatar sends (5 MiB). WeChat's docs name no
// size; its media uploads take images of up to 10 MB, avatars are far smaller.
const MaxAvatarBytes = 5 << 20

// UploadAvatar sets the avatar of the kf account to the image read from r
// (上传客服头像), sent as a multipart form file named filename in the field
// "media" through the core's upload (officialaccount.Upload): an io.ReadSeeker is
// streamed, and an empty image, one over MaxAvatarBytes or a filename without
// an extension is refused before anything is sent. WeChat recommends a square
// JPG of 640×640.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Customer_Service/Customer_Service_Management.html
func (s *Service) UploadAvatar(ctx context.Context, account, filename string, r io.Reader) error {
	if err := checkAccount(account); err != nil {
		return err
	}
	return s.oa.Upload(ctx, "/customservice/kfaccount/uploadheadimg", url.Values{"kf_account": {account}},
		officialaccount.File{Name: filename, Reader: r, MaxSize: MaxAvatarBytes}, nil)
}
