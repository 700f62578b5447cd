package wechat_test

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/wxkit/wechat"

// layer returns the rank of one of our packages in the package table (CONTRIBUTING.md); a package
// may import only packages of a lower rank, or internal ones. -1: not ranked.
// (go test caches this test's result without knowing what go list read: run it
// with -count=1 after moving imports, as CI does.)
func layer(pkg string) int {
	rel := strings.TrimPrefix(strings.TrimPrefix(pkg, module), "/")
	switch {
	case rel == "":
		return 0
	case strings.HasPrefix(rel, "internal/"):
		return 1
	case rel == "credential":
		return 2
	case strings.HasPrefix(rel, "credential/"):
		return 3
	case rel == "officialaccount":
		return 4
	case rel == "message":
		return 5
	case strings.HasPrefix(rel, "message/"):
		return 6
	case isService(rel):
		return 6
	case rel == "wechattest":
		return 7
	case strings.HasPrefix(rel, "examples/internal/"):
		return 8 // shared by the programs, below them
	case strings.HasPrefix(rel, "examples/"):
		return 9
	case strings.HasPrefix(rel, "cmd/"):
		return 9 // the simulator: a consumer of wechattest and message, which nothing imports
	}
	return -1
}

var services = []string{"menu", "user", "customerservice", "template", "oauth", "jssdk", "qrcode",
	"media", "draft", "publish", "mass", "subscribe", "openapi"}

func isService(rel string) bool {
	for _, s := range services {
		if rel == s {
			return true
		}
	}
	return false
}

// testOnly are the internal packages only tests (and each other) may import:
// helpers that start processes, poll and fail tests.
var testOnly = map[string]bool{
	module + "/internal/testutil":    true,
	module + "/internal/redistest":   true,
	module + "/internal/browsertest": true,
}

// allowedAcross lists the imports between services an issue allows: the
// customer-service package turns the webhook's late replies into messages.
var allowedAcross = map[[2]string]bool{
	{"customerservice", "message"}: true,
}

func TestImportDirection(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		seen++
		from := layer(p.ImportPath)
		if from < 0 {
			t.Errorf("%s is not in the package table; add it to layer() and CONTRIBUTING.md", p.ImportPath)
			continue
		}
		for _, imp := range p.Imports {
			if strings.HasPrefix(imp, "github.com/gin-gonic/") && from < 8 {
				t.Errorf("%s imports gin; only examples may", p.ImportPath)
			}
			if !strings.HasPrefix(imp, module) {
				continue
			}
			if testOnly[imp] && !testOnly[p.ImportPath] {
				t.Errorf("%s imports %s, which only tests may import", p.ImportPath, imp)
			}
			to := layer(imp)
			fromRel := strings.TrimPrefix(p.ImportPath, module+"/")
			toRel := strings.TrimPrefix(imp, module+"/")
			switch {
			case to == 7 && from < 8:
				t.Errorf("%s imports wechattest; only examples and tests may", p.ImportPath)
			case allowedAcross[[2]string{fromRel, toRel}]:
			case from == 1 && to == 1:
			case to >= from:
				t.Errorf("%s imports %s: imports must point down the package table (CONTRIBUTING.md)", p.ImportPath, imp)
			}
		}
	}
	if seen < 5 {
		t.Fatalf("go list found %d packages; is the test running in the module?", seen)
	}
}
