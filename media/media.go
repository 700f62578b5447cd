package media

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/wxkit/wechat/officialaccount"
)

// Type is the kind of a media file (媒体文件类型).
type Type string

// The media types. News is permanent news material, which only lists and Get
// return: WeChat retired adding it (45103) in favour of the draft box.
const (
	Image Type = "image"
	Voice Type = "voice"
	Video Type = "video"
	Thumb Type = "thumb" // a thumbnail, for video and music messages
	News  Type = "news"
)

// Service calls the media APIs (素材管理). It is safe for concurrent use.
type Service struct {
	oa *officialaccount.OfficialAccount
}

// New returns the media service of oa.
func New(oa *officialaccount.OfficialAccount) *Service { return &Service{oa: oa} }

// rule is one row of WeChat's upload table: the largest file and the file name
// extensions taken (WeChat tells the type by the extension).
type rule struct {
	max  int64
	exts []string
}

// Temporary media (media.md §2.1). Images: the page says 10 MB in its list and
// 2 MB in its summary; wxkit takes the larger, so a file WeChat may accept is
// never refused here.
var temporaryRules = map[Type]rule{
	Image: {10 << 20, []string{"png", "jpeg", "jpg", "gif"}},
	Voice: {2 << 20, []string{"amr", "mp3"}},
	Video: {10 << 20, []string{"mp4"}},
	Thumb: {64 << 10, []string{"jpg"}},
}

// Permanent material (media.md §3.1) and article images (§4: jpg or png, under 1 MB).
var (
	permanentRules = map[Type]rule{
		Image: {10 << 20, []string{"bmp", "png", "jpeg", "jpg", "gif"}},
		Voice: {2 << 20, []string{"mp3", "wma", "wav", "amr"}},
		Video: {10 << 20, []string{"mp4"}},
		Thumb: {64 << 10, []string{"jpg"}},
	}
	articleImageRule = rule{1<<20 - 1, []string{"jpg", "jpeg", "png"}}
)

// CheckName reports whether a file called name may be uploaded as typ: as
// temporary media, or as permanent material when permanent is true. It checks
// the extension, which WeChat goes by (an upload without one fails with 40113);
// the size is checked when the file is read.
func CheckName(typ Type, name string, permanent bool) error {
	rules := temporaryRules
	if permanent {
		rules = permanentRules
	}
	r, ok := rules[typ]
	if !ok {
		return fmt.Errorf("media: cannot upload type %q: use image, voice, video or thumb", typ)
	}
	return r.checkName(string(typ), name)
}

func (r rule) checkName(what, name string) error {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(name), "."))
	if !slices.Contains(r.exts, ext) {
		got := "no extension"
		if ext != "" {
			got = "." + ext
		}
		return fmt.Errorf("media: %s %q: the name must end in .%s (WeChat goes by the extension), got %s",
			what, name, strings.Join(r.exts, ", ."), got)
	}
	return nil
}

func (r rule) file(name string, rd io.Reader) officialaccount.File {
	return officialaccount.File{Name: name, Reader: rd, MaxSize: r.max}
}
