package settings

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/message"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		env         map[string]string
		wantSandbox bool
		wantErr     string
		secretErr   bool
	}{
		{"nothing set: sandbox", nil, true, "", false},
		{"stable token in sandbox", map[string]string{"WECHAT_STABLE_TOKEN": "1"}, true, "", false},
		{"real account", map[string]string{"WECHAT_APPID": "wx1", "WECHAT_APPSECRET": "s"}, false, "", false},
		{"webhook only", map[string]string{"WECHAT_APPID": "wx1", "WECHAT_TOKEN": "t"}, false, "", true},
		{"secret without appid", map[string]string{"WECHAT_APPSECRET": "s"}, false, "WECHAT_APPID is not", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st, err := Load(env(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Load() error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if (st.Fake != nil) != tt.wantSandbox {
				t.Fatalf("sandbox = %v, want %v", st.Fake != nil, tt.wantSandbox)
			}
			if (st.RequireSecret() != nil) != tt.secretErr {
				t.Errorf("RequireSecret() = %v", st.RequireSecret())
			}
			if st.Stable != (tt.env["WECHAT_STABLE_TOKEN"] == "1") {
				t.Errorf("Stable = %v", st.Stable)
			}
			if !tt.wantSandbox {
				return
			}
			oa, err := st.Account(st.Manager(nil), nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := oa.Credential().Token(t.Context()); err != nil {
				t.Fatalf("sandbox token: %v", err)
			}
			path := "/cgi-bin/token"
			if st.Stable {
				path = "/cgi-bin/stable_token"
			}
			if st.Fake.Calls(path) != 1 {
				t.Errorf("the sandbox did not fetch through %s", path)
			}
		})
	}
}

func TestParseAndExit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  []string // in what the flag set printed
	}{
		{"no flags", nil, 0, nil},
		{"help", []string{"-help"}, 0, []string{"Usage of prog:", "does things", "-addr", "WECHAT_APPID", "WECHAT_TOKEN"}},
		{"h", []string{"-h"}, 0, []string{"WECHAT_ENCODING_AES_KEY"}},
		{"unknown flag", []string{"-nope"}, 2, []string{"flag provided but not defined: -nope", "Usage of prog:"}},
		{"extra argument", []string{"extra"}, 2, []string{`unexpected arguments ["extra"]`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, stderr strings.Builder
			fs := flag.NewFlagSet("prog", flag.ContinueOnError)
			fs.SetOutput(&out)
			fs.String("addr", ":8080", "listen address")
			err := Parse(fs, tt.args, "prog does things.", AccountVars, WebhookVars)
			if code := exitCode(&stderr, "prog", err); code != tt.wantCode {
				t.Errorf("exit code = %d, want %d (err %v)", code, tt.wantCode, err)
			}
			if stderr.Len() != 0 {
				t.Errorf("Exit printed %q again; the flag set already did", stderr.String())
			}
			for _, want := range tt.wantOut {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output %q lacks %q", out.String(), want)
				}
			}
			if n := strings.Count(out.String(), "flag provided but not defined"); n > 1 {
				t.Errorf("the error is printed %d times", n)
			}
		})
	}
	var stderr strings.Builder
	if code := exitCode(&stderr, "prog", errors.New("boom")); code != 1 || stderr.String() != "prog: boom\n" {
		t.Errorf("exitCode(boom) = %d, %q", code, stderr.String())
	}
}

func TestRequireToken(t *testing.T) {
	t.Parallel()
	real := &Settings{AppID: "wx1"}
	if err := real.RequireToken(); err == nil || !strings.Contains(err.Error(), "WECHAT_TOKEN") {
		t.Errorf("RequireToken without a token = %v, want an error naming WECHAT_TOKEN", err)
	}
	real.Token = "t"
	if err := real.RequireToken(); err != nil {
		t.Errorf("RequireToken with a token = %v", err)
	}
}

// TestParseArgs: a program's own check of its arguments is a usage mistake,
// printed once with the usage; arguments it accepts pass.
func TestParseArgs(t *testing.T) {
	t.Parallel()
	one := func(rest []string) error {
		if len(rest) != 1 {
			return fmt.Errorf("want one file, got %d arguments", len(rest))
		}
		return nil
	}
	for _, tt := range []struct {
		args     []string
		wantCode int
	}{{[]string{"a.md"}, 0}, {nil, 2}, {[]string{"a.md", "b.md"}, 2}} {
		var out, stderr strings.Builder
		fs := flag.NewFlagSet("prog", flag.ContinueOnError)
		fs.SetOutput(&out)
		err := ParseArgs(fs, tt.args, one, "prog does things.", AccountVars)
		if code := exitCode(&stderr, "prog", err); code != tt.wantCode {
			t.Errorf("ParseArgs(%q): exit code = %d, want %d (err %v)", tt.args, code, tt.wantCode, err)
		}
		if tt.wantCode == 2 && (strings.Count(out.String(), "want one file") != 1 || !strings.Contains(out.String(), "WECHAT_APPID") || stderr.Len() != 0) {
			t.Errorf("ParseArgs(%q) printed %q and Exit %q; want the mistake once, with the usage", tt.args, out.String(), stderr.String())
		}
	}
}

// TestHTTPServerTimeouts: the programs' server bounds every connection: set,
// and long enough for the webhook's reply deadline.
func TestHTTPServerTimeouts(t *testing.T) {
	t.Parallel()
	srv := HTTPServer(http.NotFoundHandler())
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= 0 || srv.IdleTimeout <= 0 || srv.MaxHeaderBytes <= 0 {
		t.Fatalf("an unbounded connection: %+v", srv)
	}
	if srv.WriteTimeout < message.DefaultDeadline+2*time.Second {
		t.Errorf("WriteTimeout %v leaves too little past the webhook's deadline %v", srv.WriteTimeout, message.DefaultDeadline)
	}
}

// TestSlowClientIsCutOff: a client that sends part of its body and stops, or
// keeps an idle connection, is disconnected once the timeouts pass (shortened
// here). The test waits for the disconnection itself.
func TestSlowClientIsCutOff(t *testing.T) {
	t.Parallel()
	srv := HTTPServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.Copy(io.Discard, r.Body) }))
	srv.ReadTimeout, srv.IdleTimeout = 200*time.Millisecond, 200*time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	for name, send := range map[string]string{
		"slow body": "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n<xml>",
		"idle":      "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
	} {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := io.WriteString(conn, send); err != nil {
			t.Fatal(err)
		}
		// Read until the server closes the connection; a bound only so that a
		// regression fails instead of hanging.
		_ = conn.SetReadDeadline(time.Now().Add(testutil.WaitTimeout))
		_, err = io.Copy(io.Discard, conn)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Errorf("%s: the server kept the connection open", name)
		}
	}
}
