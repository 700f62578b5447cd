package media

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"time"
)

// Media is a temporary media file WeChat stored (临时素材).
type Media struct {
	Type      Type
	MediaID   string    // valid for 3 days
	CreatedAt time.Time // when WeChat stored it
}

// File is what a download wrote.
type File struct {
	Name        string // the file name WeChat gave (Content-Disposition), "" when none
	ContentType string
	Size        int64 // bytes written
	// VideoURL is set instead of anything being written when the media is a
	// video: WeChat answers with a URL to fetch it from.
	VideoURL string
}

// ErrEmptyMediaID is returned, before any request, for an empty media_id.
var ErrEmptyMediaID = errors.New("media: empty media_id")

// Upload stores r, a file called name, as temporary media of type typ (新增临时素材)
// and returns its media_id, which works for 3 days in replies, customer-service
// and mass messages. name's extension must be one WeChat takes for typ, and the
// size within its limit: image 10 MB (png, jpeg, jpg, gif), voice 2 MB and at
// most 60 s (amr, mp3), video 10 MB (mp4), thumb 64 KB (jpg). Both are checked
// before any byte is sent. An io.ReadSeeker such as an *os.File is streamed,
// not held in memory.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/material/temporary/api_uploadtempmedia.html
func (s *Service) Upload(ctx context.Context, typ Type, name string, r io.Reader) (*Media, error) {
	if err := CheckName(typ, name, false); err != nil {
		return nil, err
	}
	var w struct {
		Type         Type   `json:"type"`
		MediaID      string `json:"media_id"`
		ThumbMediaID string `json:"thumb_media_id"` // older replies for thumb
		CreatedAt    int64  `json:"created_at"`
	}
	if err := s.oa.Upload(ctx, "/cgi-bin/media/upload", url.Values{"type": {string(typ)}}, temporaryRules[typ].file(name, r), &w); err != nil {
		return nil, err
	}
	m := &Media{Type: w.Type, MediaID: w.MediaID, CreatedAt: time.Unix(w.CreatedAt, 0)}
	if m.MediaID == "" {
		m.MediaID = w.ThumbMediaID
	}
	if m.Type == "" {
		m.Type = typ
	}
	return m, nil
}

// Get downloads the temporary media mediaID into w (获取临时素材). For a video
// nothing is written: File.VideoURL says where to fetch it. Errcodes worth
// handling: 40007, an unknown media_id or one older than 3 days (media that
// followers send expire likewise: download what you need promptly).
//
// The request URL carries the access_token: never hand it to a browser.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/material/temporary/api_getmedia.html
func (s *Service) Get(ctx context.Context, mediaID string, w io.Writer) (*File, error) {
	return s.get(ctx, "/cgi-bin/media/get", mediaID, w)
}

// HDVoice downloads a voice a follower recorded with the JS-SDK (uploadVoice's
// serverId) as speex at 16 kHz, better than Get's 8 kHz AMR (高清语音素材).
// Verified accounts only.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/material/temporary/api_gethdvoice.html
func (s *Service) HDVoice(ctx context.Context, mediaID string, w io.Writer) (*File, error) {
	return s.get(ctx, "/cgi-bin/media/get/jssdk", mediaID, w)
}

func (s *Service) get(ctx context.Context, path, mediaID string, w io.Writer) (*File, error) {
	if mediaID == "" {
		return nil, ErrEmptyMediaID
	}
	d, err := s.oa.Download(ctx, path, url.Values{"media_id": {mediaID}}, nil, w)
	if err != nil {
		return nil, err
	}
	f := &File{Name: d.Filename, ContentType: d.ContentType, Size: d.Size}
	if d.JSON != nil {
		var v struct {
			VideoURL string `json:"video_url"`
		}
		if err := json.Unmarshal(d.JSON, &v); err != nil || v.VideoURL == "" {
			return nil, fmt.Errorf("wechat: %s: a JSON reply that is neither a video nor an error: %.200s", path, d.JSON)
		}
		f.VideoURL = v.VideoURL
	}
	return f, nil
}

// UploadImage uploads an image for use inside article HTML (上传图文消息内的图片)
// and returns its URL, the only kind of image source WeChat keeps in a draft's
// content: external images are removed. jpg or png, under 1 MB. It does not
// count against the material library and cannot be listed or deleted.
//
// WeChat docs: https://developers.weixin.qq.com/doc/subscription/api/material/permanent/api_uploadimage.html
func (s *Service) UploadImage(ctx context.Context, name string, r io.Reader) (string, error) {
	if err := articleImageRule.checkName("article image", name); err != nil {
		return "", err
	}
	var w struct {
		URL string `json:"url"`
	}
	if err := s.oa.Upload(ctx, "/cgi-bin/media/uploadimg", nil, articleImageRule.file(name, r), &w); err != nil {
		return "", err
	}
	return w.URL, nil
}
