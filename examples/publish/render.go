package main

import (
	"bytes"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
)

// The styles. WeChat's editor strips <style> and class attributes, so every
// element carries its own style attribute.
const (
	styleBody       = "font-size:15px;color:#333;line-height:1.75;letter-spacing:0.5px;word-break:break-word;"
	styleParagraph  = "margin:0 0 16px;"
	styleBlockquote = "margin:16px 0;padding:8px 16px;border-left:4px solid #07c160;background:#f7f7f7;color:#666;"
	stylePre        = "margin:16px 0;padding:12px;background:#f6f8fa;border-radius:4px;overflow-x:auto;"
	styleCodeBlock  = "display:block;font-family:Menlo,Consolas,monospace;font-size:13px;line-height:1.6;color:#24292e;white-space:nowrap;"
	styleCode       = "padding:2px 4px;border-radius:3px;background:#f0f0f0;color:#c7254e;font-family:Menlo,Consolas,monospace;font-size:90%;"
	styleList       = "margin:0 0 16px;padding-left:24px;"
	styleSubList    = "margin:4px 0;padding-left:24px;"
	styleListItem   = "margin:4px 0;"
	styleRule       = "margin:24px 0;border:0;border-top:1px solid #e5e5e5;"
	styleImage      = "display:block;max-width:100%;margin:16px auto;"
	styleLink       = "color:#576b95;text-decoration:none;"
	styleLinkURL    = "color:#888;font-size:13px;"
	styleTable      = "width:100%;margin:16px 0;border-collapse:collapse;font-size:14px;"
	styleCell       = "padding:6px 10px;border:1px solid #ddd;"
	styleHeaderCell = "padding:6px 10px;border:1px solid #ddd;background:#f6f8fa;font-weight:bold;"
	styleDel        = "color:#999;"
	styleStrong     = "font-weight:bold;color:#000;"
)

// headingStyles are h1 to h6.
var headingStyles = [7]string{1: "margin:32px 0 16px;font-size:22px;font-weight:bold;color:#000;",
	2: "margin:28px 0 14px;font-size:20px;font-weight:bold;color:#000;",
	3: "margin:24px 0 12px;font-size:18px;font-weight:bold;color:#000;",
	4: "margin:20px 0 10px;font-size:16px;font-weight:bold;color:#000;",
	5: "margin:16px 0 8px;font-size:15px;font-weight:bold;color:#000;",
	6: "margin:16px 0 8px;font-size:15px;font-weight:bold;color:#666;"}

// wechatRenderer renders the goldmark tree as article HTML: inline styles only,
// raw HTML dropped, images pointing at their uploaded URLs, links outside
// WeChat written out (WeChat articles may link only to mp.weixin.qq.com).
type wechatRenderer struct {
	urls map[string]string
}

func (r *wechatRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindHeading, r.heading)
	reg.Register(ast.KindParagraph, r.wrap("p", styleParagraph))
	reg.Register(ast.KindBlockquote, r.wrap("blockquote", styleBlockquote))
	reg.Register(ast.KindCodeBlock, r.codeBlock)
	reg.Register(ast.KindFencedCodeBlock, r.codeBlock)
	reg.Register(ast.KindList, r.list)
	reg.Register(ast.KindListItem, r.wrap("li", styleListItem))
	reg.Register(ast.KindThematicBreak, r.rule)
	reg.Register(ast.KindHTMLBlock, skip)
	reg.Register(ast.KindRawHTML, skip)
	reg.Register(ast.KindText, r.text)
	reg.Register(ast.KindString, r.str)
	reg.Register(ast.KindCodeSpan, r.codeSpan)
	reg.Register(ast.KindEmphasis, r.emphasis)
	reg.Register(ast.KindLink, r.link)
	reg.Register(ast.KindAutoLink, r.autoLink)
	reg.Register(ast.KindImage, r.image)
	reg.Register(east.KindTable, r.wrap("table", styleTable))
	reg.Register(east.KindTableHeader, r.tableRow("thead"))
	reg.Register(east.KindTableRow, r.tableRow(""))
	reg.Register(east.KindTableCell, r.tableCell)
	reg.Register(east.KindStrikethrough, r.wrap("del", styleDel))
	reg.Register(east.KindTaskCheckBox, r.taskCheckBox)
}

func skip(util.BufWriter, []byte, ast.Node, bool) (ast.WalkStatus, error) {
	return ast.WalkSkipChildren, nil
}

// wrap renders a node as tag with style around its children.
func (r *wechatRenderer) wrap(tag, style string) renderer.NodeRendererFunc {
	return func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			w.WriteString("<" + tag + ` style="` + style + `">`)
		} else {
			w.WriteString("</" + tag + ">")
			if n.Type() == ast.TypeBlock {
				w.WriteByte('\n')
			}
		}
		return ast.WalkContinue, nil
	}
}

func (r *wechatRenderer) heading(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Heading)
	return r.wrap("h"+strconv.Itoa(n.Level), headingStyles[n.Level])(w, source, node, entering)
}

func (r *wechatRenderer) list(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.List)
	tag, style := "ul", styleList
	if n.IsOrdered() {
		tag = "ol"
	}
	if _, nested := n.Parent().(*ast.ListItem); nested {
		style = styleSubList
	}
	if entering && n.IsOrdered() && n.Start != 1 {
		w.WriteString(`<ol start="` + strconv.Itoa(n.Start) + `" style="` + style + `">` + "\n")
		return ast.WalkContinue, nil
	}
	if entering {
		w.WriteString("<" + tag + ` style="` + style + `">` + "\n")
	} else {
		w.WriteString("</" + tag + ">\n")
	}
	return ast.WalkContinue, nil
}

// codeBlock writes the code line by line: <br> between lines and &nbsp; for
// spaces, because the editor may collapse white space inside <pre>.
func (r *wechatRenderer) codeBlock(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	w.WriteString(`<pre style="` + stylePre + `"><code style="` + styleCodeBlock + `">`)
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		line := seg.Value(source)
		line = bytes.TrimRight(line, "\r\n")
		if i > 0 {
			w.WriteString("<br>")
		}
		line = bytes.ReplaceAll(line, []byte("\t"), []byte("    "))
		escaped := util.EscapeHTML(line)
		w.Write(bytes.ReplaceAll(escaped, []byte(" "), []byte("&nbsp;")))
	}
	w.WriteString("</code></pre>\n")
	return ast.WalkSkipChildren, nil
}

func (r *wechatRenderer) rule(w util.BufWriter, _ []byte, _ ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		w.WriteString(`<hr style="` + styleRule + `">` + "\n")
	}
	return ast.WalkContinue, nil
}

func (r *wechatRenderer) text(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.Text)
	value := n.Segment.Value(source)
	if n.IsRaw() {
		html.DefaultWriter.RawWrite(w, value)
	} else {
		html.DefaultWriter.Write(w, value)
	}
	switch {
	case n.HardLineBreak():
		w.WriteString("<br>")
	case n.SoftLineBreak() && !joinsCJK(value, n.NextSibling(), source):
		w.WriteByte(' ')
	}
	return ast.WalkContinue, nil
}

// joinsCJK reports whether a soft line break sits between Chinese, Japanese or
// Korean text, where it must not become a space.
func joinsCJK(before []byte, next ast.Node, source []byte) bool {
	last, _ := utf8.DecodeLastRune(before)
	var first rune
	if t, ok := next.(*ast.Text); ok {
		first, _ = utf8.DecodeRune(t.Segment.Value(source))
	}
	return isCJK(last) || isCJK(first)
}

func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		(r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef)
}

func (r *wechatRenderer) str(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.String)
	switch {
	case n.IsCode():
		w.Write(util.EscapeHTML(n.Value))
	case n.IsRaw():
		html.DefaultWriter.RawWrite(w, n.Value)
	default:
		html.DefaultWriter.Write(w, n.Value)
	}
	return ast.WalkContinue, nil
}

func (r *wechatRenderer) codeSpan(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	w.WriteString(`<code style="` + styleCode + `">`)
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch t := c.(type) {
		case *ast.Text:
			w.Write(util.EscapeHTML(t.Segment.Value(source)))
		case *ast.String:
			w.Write(util.EscapeHTML(t.Value))
		}
	}
	w.WriteString("</code>")
	return ast.WalkSkipChildren, nil
}

func (r *wechatRenderer) emphasis(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if node.(*ast.Emphasis).Level == 2 {
		return r.wrap("strong", styleStrong)(w, source, node, entering)
	}
	if entering {
		w.WriteString("<em>")
	} else {
		w.WriteString("</em>")
	}
	return ast.WalkContinue, nil
}

// inWeChat reports whether a link can stay a link in an article: WeChat makes
// only links to its own article pages clickable.
func inWeChat(url string) bool {
	return strings.HasPrefix(url, "https://mp.weixin.qq.com/") || strings.HasPrefix(url, "http://mp.weixin.qq.com/")
}

func (r *wechatRenderer) link(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	dest := string(node.(*ast.Link).Destination)
	switch {
	case inWeChat(dest) && entering:
		w.WriteString(`<a href="`)
		w.Write(util.EscapeHTML(util.URLEscape([]byte(dest), true)))
		w.WriteString(`" style="` + styleLink + `">`)
	case inWeChat(dest):
		w.WriteString("</a>")
	case entering:
		w.WriteString(`<span style="` + styleLink + `">`)
	default: // the text, then the address written out
		w.WriteString(`</span>`)
		if dest != "" && !strings.HasPrefix(dest, "#") {
			w.WriteString(`<span style="` + styleLinkURL + `"> (`)
			w.Write(util.EscapeHTML([]byte(dest)))
			w.WriteString(")</span>")
		}
	}
	return ast.WalkContinue, nil
}

func (r *wechatRenderer) autoLink(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.AutoLink)
	url := string(n.URL(source))
	if inWeChat(url) {
		w.WriteString(`<a href="`)
		w.Write(util.EscapeHTML(util.URLEscape([]byte(url), true)))
		w.WriteString(`" style="` + styleLink + `">`)
		w.Write(util.EscapeHTML(n.Label(source)))
		w.WriteString("</a>")
		return ast.WalkContinue, nil
	}
	w.WriteString(`<span style="` + styleLinkURL + `">`)
	w.Write(util.EscapeHTML(n.Label(source)))
	w.WriteString("</span>")
	return ast.WalkContinue, nil
}

func (r *wechatRenderer) image(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.Image)
	w.WriteString(`<img src="`)
	w.Write(util.EscapeHTML([]byte(r.urls[string(n.Destination)])))
	w.WriteString(`" alt="`)
	w.Write(util.EscapeHTML([]byte(plainText(n, source))))
	w.WriteString(`" style="` + styleImage + `">`)
	return ast.WalkSkipChildren, nil
}

// tableRow renders a row; the header row is wrapped in tag (thead).
func (r *wechatRenderer) tableRow(tag string) renderer.NodeRendererFunc {
	return func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch {
		case entering && tag != "":
			w.WriteString("<" + tag + "><tr>")
		case entering:
			w.WriteString("<tr>")
		case tag != "":
			w.WriteString("</tr></" + tag + ">\n")
		default:
			w.WriteString("</tr>\n")
		}
		return ast.WalkContinue, nil
	}
}

func (r *wechatRenderer) tableCell(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*east.TableCell)
	tag, style := "td", styleCell
	if _, header := n.Parent().(*east.TableHeader); header {
		tag, style = "th", styleHeaderCell
	}
	if !entering {
		w.WriteString("</" + tag + ">")
		return ast.WalkContinue, nil
	}
	switch n.Alignment {
	case east.AlignLeft, east.AlignCenter, east.AlignRight:
		style += "text-align:" + n.Alignment.String() + ";"
	}
	w.WriteString("<" + tag + ` style="` + style + `">`)
	return ast.WalkContinue, nil
}

func (r *wechatRenderer) taskCheckBox(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		if node.(*east.TaskCheckBox).IsChecked {
			w.WriteString("☑ ")
		} else {
			w.WriteString("☐ ")
		}
	}
	return ast.WalkContinue, nil
}
