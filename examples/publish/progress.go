package main

import (
	"fmt"
	"io"

	"github.com/schollz/progressbar/v3"
)

// progress reports uploads: a bar on a terminal, one plain line per file
// otherwise (logs, CI).
type progress interface {
	step(what string)
	done()
}

func newProgress(w io.Writer, terminal bool, total int) progress {
	if !terminal {
		return &lines{w: w, total: total}
	}
	return &bar{progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("uploading"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionClearOnFinish(),
	)}
}

type bar struct{ b *progressbar.ProgressBar }

func (b *bar) step(string) { _ = b.b.Add(1) }
func (b *bar) done()       { _ = b.b.Finish() }

type lines struct {
	w        io.Writer
	n, total int
}

func (l *lines) step(what string) {
	l.n++
	fmt.Fprintf(l.w, "uploaded %d/%d: %s\n", l.n, l.total, what)
}

func (l *lines) done() {}
