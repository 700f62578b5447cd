package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wxkit/wechat/wechattest"
)

// env returns a getenv over vars.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func readCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("output is not CSV: %v", err)
	}
	return rows
}

func TestRunWithoutCredentials(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), nil, env(nil), &stdout, &stderr); err != nil {
		t.Fatalf("run: %v (stderr: %s)", err, stderr.String())
	}
	rows := readCSV(t, stdout.Bytes())
	if len(rows) != fakeFollowers+1 || strings.Join(rows[0], ",") != strings.Join(header, ",") {
		t.Fatalf("CSV has %d rows starting %q, want a header and %d followers", len(rows), rows[0], fakeFollowers)
	}
	if rows[1][0] != "o_wxkit_fake_000000000000001" || rows[1][1] != "true" || rows[1][3] != "ADD_SCENE_OTHERS" {
		t.Errorf("first row = %q, want the first fake follower, subscribed", rows[1])
	}
	msg := stderr.String()
	if !strings.Contains(msg, "fake WeChat with 2500 followers") || !strings.Contains(msg, "2500/2500") {
		t.Errorf("stderr = %q, want the fake announced and the bar at 2500/2500", msg)
	}
}

func TestRunAgainstServer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		stable     string
		args       func(dir string) []string
		wantStable bool
		wantLang   string
	}{
		{"stdout, classic token", "", func(string) []string { return nil }, false, ""},
		{"file, stable token, english", "1", func(dir string) []string {
			return []string{"-o", filepath.Join(dir, "out.csv"), "-lang", "en"}
		}, true, "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := wechattest.NewServer()
			t.Cleanup(fake.Close)
			ids := fake.AddFollowers(150)
			fake.AddFollower(wechattest.Follower{OpenID: "o_ann", Remark: "Ann, \"VIP\"", UnionID: "u1"})
			dir := t.TempDir()
			vars := map[string]string{
				"WECHAT_APPID": fake.AppID(), "WECHAT_APPSECRET": fake.AppSecret(),
				"WECHAT_API_BASE_URL": fake.URL(), "WECHAT_STABLE_TOKEN": tt.stable,
			}
			var stdout, stderr bytes.Buffer
			args := tt.args(dir)
			if err := run(t.Context(), args, env(vars), &stdout, &stderr); err != nil {
				t.Fatalf("run: %v", err)
			}
			out := stdout.Bytes()
			if len(args) > 0 {
				var err error
				if out, err = os.ReadFile(filepath.Join(dir, "out.csv")); err != nil {
					t.Fatal(err)
				}
			}
			rows := readCSV(t, out)
			if len(rows) != 152 || rows[1][0] != ids[0] {
				t.Fatalf("CSV has %d rows, first %q; want header + 151 starting with %s", len(rows), rows[1], ids[0])
			}
			if last := rows[151]; last[0] != "o_ann" || last[6] != `Ann, "VIP"` || last[8] != "u1" {
				t.Errorf("last row = %q, want o_ann with its remark and unionid", last)
			}
			if got := fake.Calls("/cgi-bin/user/info/batchget"); got != 2 {
				t.Errorf("batchget calls = %d, want 2 (100 + 51)", got)
			}
			if got := fake.Calls("/cgi-bin/stable_token") > 0; got != tt.wantStable {
				t.Errorf("used stable_token: %v, want %v", got, tt.wantStable)
			}
			if r := fake.Requests("/cgi-bin/user/info/batchget")[0]; tt.wantLang != "" && !bytes.Contains(r.Body, []byte(`"lang":"en"`)) {
				t.Errorf("batchget body %s, want lang en", r.Body[:80])
			}
			if strings.Contains(stderr.String(), "fake") {
				t.Errorf("stderr = %q, but credentials were given", stderr.String())
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	t.Parallel()
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	fake.AddFollowers(10)
	fake.FailNext("/cgi-bin/user/info/batchget", 1, 45009)
	tests := []struct {
		name    string
		args    []string
		vars    map[string]string
		wantErr string
	}{
		{"unknown flag", []string{"-x"}, nil, "flag provided but not defined"},
		{"extra argument", []string{"now"}, nil, "unexpected arguments"},
		{"bad lang", []string{"-lang", "fr"}, nil, `lang "fr"`},
		{"secret without appid", nil, map[string]string{"WECHAT_APPSECRET": "s3cr3t-value"}, "set both"},
		{"wrong secret", nil, map[string]string{"WECHAT_APPID": fake.AppID(), "WECHAT_APPSECRET": "s3cr3t-value", "WECHAT_API_BASE_URL": fake.URL()}, "listing followers"},
		{"batchget fails", nil, map[string]string{"WECHAT_APPID": fake.AppID(), "WECHAT_APPSECRET": fake.AppSecret(), "WECHAT_API_BASE_URL": fake.URL()}, "fetching followers 1 to 10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Not parallel: "batchget fails" consumes the fault injected above.
			var stdout, stderr bytes.Buffer
			err := run(t.Context(), tt.args, env(tt.vars), &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("run = %v, want an error containing %q", err, tt.wantErr)
			}
			if all := err.Error() + stderr.String(); strings.Contains(all, "s3cr3t-value") || strings.Contains(all, fake.AppSecret()) {
				t.Errorf("the secret leaked: %s", all)
			}
		})
	}
}

// TestProgressOffTerminal: written to a file or a pipe, progress is a few plain
// lines, not a bar redrawn with carriage returns.
func TestProgressOffTerminal(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	p := newBar(&out, 2500)
	for n := 0; n <= 2500; n += 100 {
		p.set(n)
	}
	p.done()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 11 || strings.Contains(out.String(), "\r") {
		t.Fatalf("progress = %q, want 11 plain lines (every tenth)", out.String())
	}
	if lines[0] != "followers: 0/2500 (0%)" || lines[10] != "followers: 2500/2500 (100%)" {
		t.Errorf("first and last lines = %q, %q", lines[0], lines[10])
	}
}
