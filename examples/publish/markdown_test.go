package main

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/sample.html from the converter's output")

// fakeURLs maps every image to a made-up article-image URL.
func fakeURLs(a *article) map[string]string {
	urls := map[string]string{}
	for i, dest := range a.images {
		urls[dest] = "http://mmbiz.qpic.cn/mmbiz_png/golden" + strconv.Itoa(i) + "/0?wx_fmt=png"
	}
	return urls
}

// sampleArticle parses testdata/sample.md, the sample with every element.
func sampleArticle(t *testing.T) *article {
	t.Helper()
	source, err := os.ReadFile("testdata/sample.md")
	if err != nil {
		t.Fatal(err)
	}
	a, err := parseArticle(source, "")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestGolden converts the sample with every element and compares it with
// testdata/sample.html (go test -run TestGolden -update rewrites it).
func TestGolden(t *testing.T) {
	t.Parallel()
	a := sampleArticle(t)
	if a.title != "wxkit 发布了：用 Go 写公众号后台" {
		t.Errorf("title = %q, want the first level-1 heading", a.title)
	}
	if want := []string{"images/diagram.png", "photo.jpg", "https://example.com/remote.png"}; strings.Join(a.images, " ") != strings.Join(want, " ") {
		t.Errorf("images = %q, want %q (each once, in order)", a.images, want)
	}
	got, err := a.render(fakeURLs(a))
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "sample.html")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("the conversion differs from %s (run with -update after checking):\n%s", golden, firstDiff(got, string(want)))
	}
}

func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + gl + "\nwant: " + wl
		}
	}
	return ""
}

// TestConversionRules checks the rules the golden file shows, one by one, so a
// regenerated golden file cannot hide a broken rule.
func TestConversionRules(t *testing.T) {
	t.Parallel()
	a := sampleArticle(t)
	html, err := a.render(fakeURLs(a))
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<style", "class=", "<script", "原始 HTML", "raw HTML omitted", "<h1", "wxkit 发布了", "example.com/remote.png\""} {
		if strings.Contains(html, bad) {
			t.Errorf("the HTML contains %q", bad)
		}
	}
	for _, want := range []string{
		"元素。这一行与上一行之间不该出现空格，but English lines keep a space between them.", // no space at a CJK line break
		"硬换行：<br>这是下一行",
		`<del style=`, `<code style="` + styleCode + `">行内代码 &lt;b&gt;&amp;&lt;/b&gt;</code>`,
		"*转义*", "©",
		`<a href="https://mp.weixin.qq.com/s/abc123" style=`,
		`> (https://github.com/wxkit/wechat)</span>`,
		`<img src="http://mmbiz.qpic.cn/mmbiz_png/golden0/0?wx_fmt=png" alt="架构图" style=`,
		`<ol start="3"`, "☑ 已完成", "☐ 未完成",
		"fmt.Println(&quot;&lt;你好&gt;&quot;,&nbsp;1&nbsp;&amp;&amp;&nbsp;2)<br>}",
		"&nbsp;&nbsp;&nbsp;&nbsp;fmt", // a tab is four spaces
		"text-align:center;", "text-align:right;", `<th style=`, `<hr style=`,
		`<blockquote style=`, `<h2 style=`, `<h6 style=`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the HTML lacks %q", want)
		}
	}
	if n := strings.Count(html, "<img "); n != 4 {
		t.Errorf("%d images rendered, want 4 (one of them twice)", n)
	}
	for _, tag := range []string{"<p ", "<li ", "<table ", "<td ", "<pre ", "<ul ", "<img ", "<strong "} {
		for _, chunk := range strings.Split(html, tag)[1:] {
			if !strings.HasPrefix(chunk, `style="`) && !strings.HasPrefix(chunk, `start=`) && !strings.HasPrefix(chunk, `src=`) {
				t.Errorf("a %s element without an inline style: %.60s", tag, chunk)
			}
		}
	}
}

func TestTitle(t *testing.T) {
	t.Parallel()
	a, err := parseArticle([]byte("# Heading\n\ntext"), "Given")
	if err != nil || a.title != "Given" {
		t.Fatalf("with -title: %+v, %v", a, err)
	}
	html, _ := a.render(nil)
	if !strings.Contains(html, "Heading") {
		t.Error("with -title the heading must stay in the body")
	}
	if _, err := parseArticle([]byte("## only h2\n\ntext"), ""); !errors.Is(err, errNoTitle) {
		t.Errorf("no h1, no -title: %v, want errNoTitle", err)
	}
	a, err = parseArticle([]byte("intro\n\n# The *real* title\n\nbody"), "")
	if err != nil || a.title != "The real title" {
		t.Errorf("title = %q, %v; want the first h1's text", a.title, err)
	}
}
