package draft_test

import (
	"errors"
	"net/url"
	"testing"
	"unicode/utf8"

	"github.com/wxkit/wechat/draft"
)

// FuzzValidate feeds user text to the local checks. They never panic; no
// image WeChat keeps is flagged; an article with an over-long title or a
// flagged image is refused, and one that passes has no flagged image.
func FuzzValidate(f *testing.F) {
	f.Add("标题", "作者", `<p>正文</p><img src="http://mmbiz.qpic.cn/a/0?wx_fmt=png">`, "0_0_1_1")
	f.Add("t", "", `<img src="https://example.com/x.png"><img src=x>`, "")
	f.Add("t", "a", `<img src="http://mmbiz.qpic.cn.evil.test/a">`, "0.5_0.5_1_1")
	f.Add("t", "a", "<img\x00 src='http://mmbiz.qpic.cn/a'><svg><img src=//mmbiz.qpic.cn/b>", "1_1_1_1_1")
	f.Add("一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三", "", "<p>x</p>", "")
	f.Fuzz(func(t *testing.T, title, author, content, crop string) {
		flagged := draft.ExternalImages(content)
		for _, src := range flagged {
			if u, err := url.Parse(src); err == nil && u.Host == "mmbiz.qpic.cn" && (u.Scheme == "http" || u.Scheme == "https") {
				t.Errorf("ExternalImages flagged %q, an image WeChat keeps", src)
			}
		}
		a := draft.Article{Title: title, Author: author, Content: content, ThumbMediaID: "m", PicCrop11: crop}
		err := a.Validate()
		if err == nil && len(flagged) > 0 {
			t.Errorf("Validate accepted content with images %q", flagged)
		}
		if utf8.RuneCountInString(title) > draft.MaxTitle && err == nil {
			t.Errorf("Validate accepted a title of %d characters", utf8.RuneCountInString(title))
		}
		if errors.Is(err, draft.ErrExternalImage) && len(flagged) == 0 {
			t.Errorf("Validate = %v, but ExternalImages found nothing", err)
		}
	})
}
