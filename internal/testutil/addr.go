package testutil

import (
	"net"
	"testing"
)

// BusyAddr returns a loopback address a listener holds until t ends: a port in
// use, for a program's -addr.
func BusyAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().String()
}
