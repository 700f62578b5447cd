package wxcrypto

import (
	"strings"
	"testing"
)

func BenchmarkVerifySignature(b *testing.B) {
	enc := strings.Repeat("A", 1400)
	sig := Signature("token", "1717000000", "12345", enc)
	b.ReportAllocs()
	for b.Loop() {
		if !VerifySignature(sig, "token", "1717000000", "12345", enc) {
			b.Fatal("mismatch")
		}
	}
}

func BenchmarkDecrypt(b *testing.B) {
	c := testCipher(b)
	enc, _ := c.Encrypt([]byte(strings.Repeat("x", 1000)), testAppID)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Decrypt(enc, testAppID); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncrypt(b *testing.B) {
	c := testCipher(b)
	msg := []byte(strings.Repeat("x", 300))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Encrypt(msg, testAppID); err != nil {
			b.Fatal(err)
		}
	}
}
