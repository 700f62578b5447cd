package main

import (
	"embed"
	"io/fs"
	"net/http"
)

// The page: plain HTML, CSS and JavaScript, embedded, with nothing fetched from
// elsewhere, so the simulator works offline.
//
//go:embed web
var webFiles embed.FS

// csp keeps the page to its own scripts and styles. Images and audio may come
// from anywhere: a bot's news cards and music point at its own hosts.
const csp = "default-src 'self'; img-src 'self' data: http: https:; media-src 'self' http: https:; " +
	"script-src 'self'; style-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

func servePage(w http.ResponseWriter, r *http.Request) {
	b, err := webFiles.ReadFile("web/index.html")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", csp)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	_, _ = w.Write(b)
}

func staticFiles() http.Handler {
	sub, _ := fs.Sub(webFiles, "web") // the directory is embedded
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}
