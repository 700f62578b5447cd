package media_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wxkit/wechat/media"
)

// FuzzCheckName feeds file names: the check never panics, and a name it
// accepts ends in an extension WeChat takes for the type.
func FuzzCheckName(f *testing.F) {
	for _, s := range []string{"photo.jpg", "PHOTO.JPEG", "a.tar.gz", "noext", ".jpg", "voice.amr", "clip.MP4", "x.jpg\x00.exe", "照片.png"} {
		f.Add(s)
	}
	allowed := map[media.Type][]string{
		media.Image: {".bmp", ".png", ".jpeg", ".jpg", ".gif"}, media.Voice: {".mp3", ".wma", ".wav", ".amr"},
		media.Video: {".mp4"}, media.Thumb: {".jpg"},
	}
	f.Fuzz(func(t *testing.T, name string) {
		for typ, exts := range allowed {
			for _, permanent := range []bool{false, true} {
				if err := media.CheckName(typ, name, permanent); err == nil && !slices.Contains(exts, strings.ToLower(filepath.Ext(name))) {
					t.Errorf("CheckName(%s, %q, %v) accepted extension %q", typ, name, permanent, filepath.Ext(name))
				}
			}
		}
		if media.CheckName(media.News, name, true) == nil {
			t.Errorf("CheckName(news, %q) accepted an upload of news", name)
		}
	})
}
