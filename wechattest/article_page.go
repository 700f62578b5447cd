package wechattest

import (
	"html/template"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// articleRoutes serves the pages of published articles, as mp.weixin.qq.com/s
// does: GET /s/{article_id}/{idx}, idx 1-based. Drafts have preview pages too
// (draft.go).
func (s *Server) articleRoutes() {
	s.mux.HandleFunc("GET /s/{id}/{idx}", s.serveArticle)
}

func (s *Server) serveArticle(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	j := s.content.publish.byArticle[r.PathValue("id")]
	var a *Article
	idx, err := strconv.Atoi(r.PathValue("idx"))
	if j != nil && err == nil && idx >= 1 && idx <= len(j.Articles) && !j.deleted[idx-1] {
		a = &j.Articles[idx-1]
	}
	s.mu.Unlock()
	if a == nil {
		http.Error(w, "该内容已被发布者删除 (no such article)", http.StatusNotFound)
		return
	}
	s.renderArticle(w, *a, "")
}

// articlePage is a plain page like WeChat's article view: title, author, the
// HTML as stored. Scripts cannot run (WeChat strips them; the page's CSP
// forbids them besides).
var articlePage = template.Must(template.New("article").Parse(`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title></head>
<body style="margin:0;background:#f7f7f7"><div style="max-width:677px;margin:0 auto;padding:20px 16px;background:#fff;font-family:-apple-system,'PingFang SC','Microsoft YaHei',sans-serif">
{{if .Label}}<p style="color:#fa5151;font-size:14px">{{.Label}}</p>{{end}}
<h1 id="activity-name" style="font-size:22px;line-height:1.4;margin:0 0 14px">{{.Title}}</h1>
<p id="meta" style="color:#576b95;font-size:15px;margin:0 0 22px">{{if .Author}}{{.Author}} {{end}}wxkit fake WeChat</p>
<div id="js_content">{{.Content}}</div>
</div></body></html>
`))

func (s *Server) renderArticle(w http.ResponseWriter, a Article, label string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "script-src 'none'")
	content := strings.ReplaceAll(a.Content, mmbizHost+"/", s.URL()+localMMBiz+"/")
	_ = articlePage.Execute(w, map[string]any{
		"Title": a.Title, "Author": a.Author, "Label": label,
		"Content": template.HTML(scripts.ReplaceAllString(content, "")), // stored article HTML, scripts removed
	})
}

// scripts are what WeChat strips from article HTML.
var scripts = regexp.MustCompile(`(?is)<script\b.*?</script\s*>`)
