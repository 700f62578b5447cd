package customerservice

import (
	"strings"
)

// Link returns an HTML link to href with the text text, for a Text message:
//
//	<a href="https://example.com/?a=1&b=2">text</a>
//
// The attribute keeps its URL meaning: characters that would end it or the tag
// (quotes, angle brackets, white space) are percent-encoded, while "&" stays as
// is. In text, "<", ">" and "&" become HTML entities so that it cannot close the
// link. WeChat's docs do not say how the client decodes entities; wxkit assumes it
// does, as HTML would.
func Link(text, href string) string {
	return `<a href="` + attrURL(href) + `">` + linkText(text) + `</a>`
}

// MiniProgramLink returns a link for a Text message that opens the page path of
// the mini program appID, and href on clients that cannot open mini programs:
//
//	<a href="http://www.qq.com" data-miniprogram-appid="APPID" data-miniprogram-path="pages/index/index">text</a>
//
// The mini program must be linked to the account. It escapes like Link.
func MiniProgramLink(text, href, appID, path string) string {
	return `<a href="` + attrURL(href) +
		`" data-miniprogram-appid="` + attrURL(appID) +
		`" data-miniprogram-path="` + attrURL(path) + `">` + linkText(text) + `</a>`
}

// attrURL percent-encodes what cannot appear inside a double-quoted attribute
// without ending it or the tag.
func attrURL(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c <= ' ' || c == '"' || c == '\'' || c == '<' || c == '>' || c == 0x7f:
			const hex = "0123456789ABCDEF"
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

var textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func linkText(s string) string { return textEscaper.Replace(s) }
