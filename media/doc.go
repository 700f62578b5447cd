// Package media uploads and downloads the files an Official Account uses (素材管理):
// temporary media (临时素材, three days, for replies and customer-service
// messages), permanent material (永久素材, the account's library, for menus and
// drafts) and article images (图文消息内的图片, the only images article HTML may
// show). Uploads stream from an io.ReadSeeker such as an *os.File and are checked
// against WeChat's type, extension and size table before any byte is sent;
// downloads stream into an io.Writer.
//
//	svc := media.New(oa)
//	m, err := svc.Upload(ctx, media.Image, "photo.jpg", f)          // m.MediaID for message.Image
//	url, err := svc.UploadImage(ctx, "figure.png", f)                // for <img src> in a draft
//	added, err := svc.Permanent().Add(ctx, media.Image, "cover.jpg", f) // added.MediaID: a draft's cover
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/material/temporary/api_uploadtempmedia.html
package media
