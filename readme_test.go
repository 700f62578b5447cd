package wechat_test

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// readmes are the documents whose Go blocks must compile and stay in step.
var readmes = []string{"README.md", "README.zh-CN.md"}

// block is one fenced code block of a document.
type block struct {
	lang string
	line int // of the first line of code
	code string
}

// readDoc returns the fenced blocks and the headings of the Markdown file path.
func readDoc(t *testing.T, path string) (blocks []block, headings int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var cur *block
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.HasPrefix(line, "```"):
			cur = &block{lang: strings.TrimPrefix(line, "```"), line: n + 1}
		case cur != nil && line == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.code += line + "\n"
		case strings.HasPrefix(line, "#"):
			headings++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cur != nil {
		t.Fatalf("%s: a code block opened at line %d is never closed", path, cur.line-1)
	}
	return blocks, headings
}

// snippetImports are the packages a README snippet may use, by the name it uses.
var snippetImports = []string{
	"context", "fmt", "net/http", "net/http/httptest", "os", "time",
	"github.com/redis/go-redis/v9",
	module, module + "/credential", module + "/credential/redisstore", module + "/officialaccount",
	module + "/message", module + "/message/redisdedup", module + "/menu", module + "/user",
	module + "/customerservice", module + "/template", module + "/wechattest", module + "/oauth",
	module + "/media", module + "/draft", module + "/publish",
}

// snippetHeader wraps a snippet in a function with the variables the README's
// prose assumes; the snippet runs in a block of its own, so it may declare them
// again. Unused variables and imports are soft errors and ignored.
const snippetHeader = `
func snippet(ctx context.Context, appID, secret, token, aesKey, openID string, rdb *redis.Client, mux *message.Mux, oa *officialaccount.OfficialAccount) error {
	{
`

// TestREADMECompiles type-checks every Go block of the READMEs against the
// module's packages, so a README that drifts from the API fails the build.
func TestREADMECompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds export data with go list")
	}
	exports := exportData(t, snippetImports)
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		file, ok := exports[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(file)
	})
	var header strings.Builder
	header.WriteString("package readme\n\nimport (\n")
	for _, p := range snippetImports {
		fmt.Fprintf(&header, "\t%q\n", p)
	}
	header.WriteString(")\n")
	header.WriteString(snippetHeader)
	headerLines := strings.Count(header.String(), "\n")

	for _, doc := range readmes {
		blocks, _ := readDoc(t, doc)
		compiled := 0
		for _, b := range blocks {
			if b.lang != "go" {
				continue
			}
			compiled++
			src := header.String() + b.code + "\t}\n\treturn nil\n}\n"
			name := fmt.Sprintf("%s:%d", doc, b.line)
			file, err := parser.ParseFile(fset, name, src, 0)
			if err != nil {
				t.Errorf("%s: the Go block does not parse: %v", name, shift(err, headerLines, b.line))
				continue
			}
			var errs []string
			conf := types.Config{Importer: imp, Error: func(err error) {
				if te, ok := err.(types.Error); ok && !te.Soft {
					pos := te.Fset.Position(te.Pos)
					errs = append(errs, fmt.Sprintf("%s:%d: %s", doc, b.line+pos.Line-headerLines-1, te.Msg))
				}
			}}
			_, _ = conf.Check("readme", fset, []*ast.File{file}, nil)
			for _, e := range errs {
				t.Errorf("%s", e)
			}
		}
		if compiled == 0 {
			t.Errorf("%s has no Go block: is the test reading the right file?", doc)
		}
	}
}

// shift rewrites a parse error's line numbers from the wrapped file to the
// README's.
func shift(err error, headerLines, first int) error {
	list, ok := err.(scanner.ErrorList)
	if !ok {
		return err
	}
	var msgs []string
	for _, e := range list {
		msgs = append(msgs, fmt.Sprintf("line %d: %s", first+e.Pos.Line-headerLines-1, e.Msg))
	}
	return fmt.Errorf("%s", strings.Join(msgs, "; "))
}

// exportData builds pkgs and their dependencies and returns each one's export
// data file, by import path.
func exportData(t *testing.T, pkgs []string) map[string]string {
	t.Helper()
	args := append([]string{"list", "-export", "-deps", "-f", "{{if .Export}}{{.ImportPath}}\t{{.Export}}{{end}}"}, pkgs...)
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list -export: %v\n%s", err, stderr)
	}
	m := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if path, file, ok := strings.Cut(line, "\t"); ok {
			m[path] = file
		}
	}
	return m
}

// TestREADMEsInStep: the Chinese README has the English one's sections and the
// same code (comments aside), so neither can drift alone.
func TestREADMEsInStep(t *testing.T) {
	t.Parallel()
	enBlocks, enHeadings := readDoc(t, readmes[0])
	zhBlocks, zhHeadings := readDoc(t, readmes[1])
	if enHeadings != zhHeadings {
		t.Errorf("%s has %d headings, %s %d: keep the sections in step", readmes[0], enHeadings, readmes[1], zhHeadings)
	}
	if len(enBlocks) != len(zhBlocks) {
		t.Fatalf("%s has %d code blocks, %s %d: keep the examples in step", readmes[0], len(enBlocks), readmes[1], len(zhBlocks))
	}
	for i := range enBlocks {
		en, zh := enBlocks[i], zhBlocks[i]
		if en.lang != zh.lang || !slices.Equal(codeTokens(en), codeTokens(zh)) {
			t.Errorf("code block %d differs: %s:%d (%s) and %s:%d (%s) must hold the same code, comments aside",
				i+1, readmes[0], en.line, en.lang, readmes[1], zh.line, zh.lang)
		}
	}
}

// codeTokens is b's code without comments or layout: Go tokens for Go, the
// lines for anything else.
func codeTokens(b block) []string {
	if b.lang != "go" {
		return strings.Fields(b.code)
	}
	var s scanner.Scanner
	fset := token.NewFileSet()
	s.Init(fset.AddFile("", fset.Base(), len(b.code)), []byte(b.code), nil, 0)
	var toks []string
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			return toks
		}
		if tok != token.COMMENT {
			toks = append(toks, tok.String()+lit)
		}
	}
}
