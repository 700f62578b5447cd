package testutil

import (
	"fmt"
	"strings"
	"testing"
)

// recorder is a testing.TB that notes how Missing ended the test, instead of
// ending it.
type recorder struct {
	testing.TB
	how, msg string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	r.how, r.msg = "fail", fmt.Sprintf(format, args...)
}
func (r *recorder) Skipf(format string, args ...any) {
	r.how, r.msg = "skip", fmt.Sprintf(format, args...)
}

// TestMissing: without the variable a missing program skips the test; with it
// set to 1 the test fails. Both say what is missing and name the variable.
func TestMissing(t *testing.T) {
	const env = "WXKIT_TESTUTIL_REQUIRE"
	for _, tt := range []struct{ value, want string }{{"", "skip"}, {"0", "skip"}, {"1", "fail"}} {
		t.Setenv(env, tt.value)
		r := &recorder{TB: t}
		Missing(r, env, "no frobnicator found")
		if r.how != tt.want {
			t.Errorf("%s=%q: the test would %s, want %s", env, tt.value, r.how, tt.want)
		}
		if !strings.Contains(r.msg, "no frobnicator found") || !strings.Contains(r.msg, env+"=1") {
			t.Errorf("%s=%q: Missing says %q; want what is missing and %s=1", env, tt.value, r.msg, env)
		}
	}
}
