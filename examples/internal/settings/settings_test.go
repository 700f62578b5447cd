package settings

import (
	"strings"
	"testing"
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
