package wechattest

import (
	"strconv"
	"testing"
)

// TestRequestLogBounded: Calls counts every request of a path, and Requests
// keeps the newest, at most MaxKeptRequests of them, in order.
func TestRequestLogBounded(t *testing.T) {
	s := NewServer()
	t.Cleanup(s.Close)
	const total = 3*MaxKeptRequests + 7
	for i := range total {
		s.mu.Lock()
		s.note("/p", Request{Path: "/p", Body: []byte(strconv.Itoa(i))})
		s.mu.Unlock()
	}
	if n := s.Calls("/p"); n != total {
		t.Errorf("Calls = %d, want %d", n, total)
	}
	kept := s.Requests("/p")
	if len(kept) == 0 || len(kept) > MaxKeptRequests {
		t.Fatalf("Requests kept %d, want 1 to %d", len(kept), MaxKeptRequests)
	}
	if len(kept) != MaxKeptRequests {
		t.Errorf("Requests kept %d, want the last %d", len(kept), MaxKeptRequests)
	}
	for i, r := range kept {
		if want := strconv.Itoa(total - len(kept) + i); string(r.Body) != want {
			t.Fatalf("kept[%d] is request %s, want %s: not the newest, in order", i, r.Body, want)
		}
	}
	if n := s.Calls("/none"); n != 0 || s.Requests("/none") != nil {
		t.Errorf("a path never called: Calls %d, Requests %v", n, s.Requests("/none"))
	}
}
