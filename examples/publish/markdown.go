package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// article is a Markdown file read for WeChat: its title, the images it shows,
// and the tree the HTML is rendered from.
type article struct {
	title  string
	images []string // image destinations as written, each once, in order
	doc    ast.Node
	source []byte
}

// errNoTitle is returned when the file has no level-1 heading and no -title
// was given.
var errNoTitle = errors.New("no title: give -title or start the file with a level-1 heading (# Title)")

// parseArticle reads Markdown (CommonMark with GitHub's tables, strikethrough,
// task lists and autolinks). With title empty, the first level-1 heading is
// the title and leaves the body.
func parseArticle(source []byte, title string) (*article, error) {
	md := goldmark.New(goldmark.WithExtensions(extension.GFM))
	doc := md.Parser().Parse(text.NewReader(source))
	a := &article{title: strings.TrimSpace(title), doc: doc, source: source}
	if a.title == "" {
		h := firstH1(doc)
		if h == nil {
			return nil, errNoTitle
		}
		a.title = strings.TrimSpace(plainText(h, source))
		h.Parent().RemoveChild(h.Parent(), h)
		if a.title == "" {
			return nil, errNoTitle
		}
	}
	seen := map[string]bool{}
	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if img, ok := n.(*ast.Image); ok && entering {
			dest := string(img.Destination)
			if !seen[dest] {
				seen[dest] = true
				a.images = append(a.images, dest)
			}
		}
		return ast.WalkContinue, nil
	})
	return a, err
}

func firstH1(doc ast.Node) *ast.Heading {
	var found *ast.Heading
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering && h.Level == 1 {
			found = h
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	return found
}

// plainText is the text of n's inline content, without markup.
func plainText(n ast.Node, source []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch t := c.(type) {
		case *ast.Text:
			b.Write(t.Segment.Value(source))
			if t.SoftLineBreak() || t.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(t.Value)
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// render returns the body as HTML WeChat accepts, every image destination
// replaced by urls[destination] (an article image URL from media.UploadImage).
func (a *article) render(urls map[string]string) (string, error) {
	for _, dest := range a.images {
		if urls[dest] == "" {
			return "", fmt.Errorf("image %q has no uploaded URL", dest)
		}
	}
	r := renderer.NewRenderer(renderer.WithNodeRenderers(util.Prioritized(&wechatRenderer{urls: urls}, 100)))
	var buf bytes.Buffer
	buf.WriteString(`<section style="` + styleBody + `">` + "\n")
	if err := r.Render(&buf, a.source, a.doc); err != nil {
		return "", err
	}
	buf.WriteString("</section>\n")
	return buf.String(), nil
}
