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

// TestRequestLogBytesBounded: large bodies (uploads) are kept up to
// MaxKeptRequestBytes a path, the newest first, and a path's newest request is
// kept even when it alone is over.
func TestRequestLogBytesBounded(t *testing.T) {
	s := NewServer()
	t.Cleanup(s.Close)
	big := make([]byte, 10<<20) // one array for every request: the log counts lengths
	const total = 20
	for i := range total {
		s.mu.Lock()
		s.note("/upload", Request{Path: "/upload", Body: big, Query: map[string][]string{"i": {strconv.Itoa(i)}}})
		s.mu.Unlock()
	}
	kept := s.Requests("/upload")
	want := MaxKeptRequestBytes / len(big)
	if len(kept) != want {
		t.Fatalf("kept %d requests of 10 MiB, want the %d under %d bytes", len(kept), want, MaxKeptRequestBytes)
	}
	for i, r := range kept {
		if got, want := r.Query.Get("i"), strconv.Itoa(total-len(kept)+i); got != want {
			t.Fatalf("kept[%d] is request %s, want %s: not the newest, in order", i, got, want)
		}
	}
	if n := s.Calls("/upload"); n != total {
		t.Errorf("Calls = %d, want %d", n, total)
	}

	huge := make([]byte, MaxKeptRequestBytes+1)
	s.mu.Lock()
	s.note("/upload", Request{Path: "/upload", Body: huge})
	s.note("/small", Request{Path: "/small", Body: []byte("x")})
	s.mu.Unlock()
	if kept := s.Requests("/upload"); len(kept) != 1 || len(kept[0].Body) != len(huge) {
		t.Errorf("after one request over the limit, kept %d requests; want that one alone", len(kept))
	}
	if kept := s.Requests("/small"); len(kept) != 1 {
		t.Errorf("another path kept %d requests, want its own 1: the bound is per path", len(kept))
	}
}
