package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/menu"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

// env is a getenv over a map.
func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestRunAgainstBuiltInFake(t *testing.T) {
	t.Parallel()
	want, err := os.ReadFile("menu.json")
	if err != nil {
		t.Fatal(err)
	}
	wantMenu, err := menu.Parse(want)
	if err != nil {
		t.Fatalf("the shipped menu.json does not parse: %v", err)
	}
	if err := wantMenu.Validate(); err != nil {
		t.Fatalf("the shipped menu.json breaks a limit: %v", err)
	}
	tests := []struct {
		action, wantErr string
		wantStderr      string
	}{
		{"create", "", "created the menu in menu.json (3 top-level buttons)"},
		{"get", "", "using an in-process fake WeChat"},
		{"delete", "", "deleted the default menu"},
		{"rename", "-action must be create, get or delete", ""},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			err := run(t.Context(), []string{"-action", tt.action}, env(nil), &stdout, &stderr)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("run(-action %s) = %v, want an error containing %q", tt.action, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("run(-action %s): %v", tt.action, err)
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tt.wantStderr)
			}
			if tt.action != "get" {
				return
			}
			got, err := menu.Parse(stdout.Bytes())
			if err != nil {
				t.Fatalf("get printed %q, which does not parse: %v", stdout.String(), err)
			}
			if a, b := mustJSON(t, got), mustJSON(t, wantMenu); a != b {
				t.Errorf("get printed %s, want %s", a, b)
			}
		})
	}
}

func TestRunWithCredentials(t *testing.T) {
	t.Parallel()
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	settings := map[string]string{
		"WECHAT_APPID": fake.AppID(), "WECHAT_APPSECRET": fake.AppSecret(),
		"WECHAT_API_BASE_URL": fake.URL(), "WECHAT_STABLE_TOKEN": "1",
	}
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), []string{"-action", "create", "-file", "menu.json"}, env(settings), &stdout, &stderr); err != nil {
		t.Fatalf("run(create): %v", err)
	}
	if strings.Contains(stderr.String(), "fake") {
		t.Errorf("stderr = %q, but credentials were given", stderr.String())
	}
	if fake.Calls("/cgi-bin/stable_token") == 0 {
		t.Errorf("WECHAT_STABLE_TOKEN=1 did not use /cgi-bin/stable_token")
	}
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		t.Fatal(err)
	}
	got, err := menu.New(oa).Get(t.Context())
	if err != nil || len(got.Buttons) != 3 || got.Buttons[1].SubButtons[0].URL != "https://www.soso.com/?from=menu&lang=zh" {
		t.Fatalf("the account's menu = %+v, %v; want menu.json's", got, err)
	}
	if err := run(t.Context(), []string{"-action", "delete"}, env(settings), &stdout, &stderr); err != nil {
		t.Fatalf("run(delete): %v", err)
	}
	err = run(t.Context(), []string{"-action", "get"}, env(settings), &stdout, &stderr)
	if wechat.Code(err) != wechat.CodeMenuNotExist {
		t.Errorf("run(get) after delete = %v, want errcode %d", err, wechat.CodeMenuNotExist)
	}
}

func TestRunErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	long := strings.Repeat("长", 24) // 72 bytes
	content := `{"button":[{"type":"click","name":"a","key":"k"},{"name":"m","sub_button":[
		{"type":"click","name":"s0","key":"k"},{"type":"click","name":"s1","key":"k"},{"type":"click","name":"s2","key":"k"},
		{"type":"click","name":"` + long + `","key":"k"}]}]}`
	if err := os.WriteFile(bad, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
	}{
		{"a limit broken", []string{"-action", "create", "-file", bad}, nil, "button[1].sub_button[3]: name is 72 bytes, the limit is 60"},
		{"no such file", []string{"-action", "create", "-file", filepath.Join(dir, "none.json")}, nil, "none.json"},
		{"half the credentials", []string{"-action", "get"}, map[string]string{"WECHAT_APPID": "wx1"}, "WECHAT_APPSECRET is required"},
		{"stray argument", []string{"create"}, nil, "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			err := run(t.Context(), tt.args, env(tt.env), &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("run(%q) = %v, want an error containing %q", tt.args, err, tt.wantErr)
			}
		})
	}
}

func mustJSON(t *testing.T, m menu.Menu) string {
	t.Helper()
	var buf bytes.Buffer
	if err := m.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestSampleFromAnyDirectory: without -file the built-in sample is used, so the
// program works from the repository root as its doc shows.
func TestSampleFromAnyDirectory(t *testing.T) {
	t.Chdir(t.TempDir()) // no menu.json here
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), []string{"-action", "create"}, env(nil), &stdout, &stderr); err != nil {
		t.Fatalf("run(-action create) from another directory: %v", err)
	}
	if !strings.Contains(stderr.String(), "created the menu in menu.json") {
		t.Errorf("stderr = %q", stderr.String())
	}
}
