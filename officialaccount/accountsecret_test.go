package officialaccount_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wxkit/wechat/officialaccount"
)

// TestPrintingHidesSecret: a shared context printed into a log line does not
// show the AppSecret.
func TestPrintingHidesSecret(t *testing.T) {
	t.Parallel()
	oa, err := officialaccount.New(officialaccount.Config{AppID: "wx1", AppSecret: "s3cr3t-app-secret"})
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(format, oa); strings.Contains(out, "s3cr3t-app-secret") {
			t.Errorf("Sprintf(%q, oa) shows the secret: %s", format, out)
		}
	}
}
