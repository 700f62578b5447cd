package wxcrypto

import (
	"crypto/sha1"
	"encoding/hex"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// referenceSum is the signature's definition, written plainly: sort the
// parts, join them, hash.
func referenceSum(parts []string) [sha1.Size]byte {
	sorted := slices.Clone(parts)
	slices.Sort(sorted)
	return sha1.Sum([]byte(strings.Join(sorted, "")))
}

// TestSignatureSumPaths holds signatureSum to its definition on each of its
// buffers (the stack array, the pool) and on parts that
// share first bytes, are empty or are prefixes of each other, where less must
// fall back to the whole comparison.
func TestSignatureSumPaths(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := "0123456789+/ABab"
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(b)
	}
	cases := [][]string{
		{"", "", ""},
		{"a", "", "ab"},
		{"ab", "a", "abc", "a"},
		{"1714036504", "1514711492", "AAAAA"},
		{"17140", "1714036504", "171403650", "1"},
	}
	for _, long := range []int{0, 60, 120, 128, 129, 700, 1024, 1025, 5000} {
		for range 20 {
			n := 3 + rng.IntN(3)
			parts := make([]string, n)
			for i := range parts {
				parts[i] = word(rng.IntN(12))
			}
			parts[rng.IntN(n)] = word(long)
			cases = append(cases, parts)
		}
	}
	for _, parts := range cases {
		if got, want := signatureSum(parts), referenceSum(parts); got != want {
			t.Errorf("signatureSum(%.40q) = %x, want %x", parts, got, want)
		}
	}
}

func TestLess(t *testing.T) {
	t.Parallel()
	words := []string{"", "a", "b", "ab", "aa", "a\xff", "\xff", "0", "09", "1", "+", "/", "A"}
	for _, p := range words {
		for _, q := range words {
			if got := less(p, q); got != (p < q) {
				t.Errorf("less(%q, %q) = %v, want %v", p, q, got, p < q)
			}
		}
	}
}

// TestVerifySignatureEveryBit: a signature that differs from the right one in
// any one bit of the digest does not verify.
func TestVerifySignatureEveryBit(t *testing.T) {
	t.Parallel()
	parts := []string{"AAAAA", "1714036504", "1514711492"}
	sum := referenceSum(parts)
	if !VerifySignature(hex.EncodeToString(sum[:]), parts...) {
		t.Fatal("the right signature does not verify")
	}
	for i := range sum {
		for bit := range 8 {
			b := sum
			b[i] ^= 1 << bit
			if VerifySignature(hex.EncodeToString(b[:]), parts...) {
				t.Errorf("verifies with byte %d bit %d different", i, bit)
			}
		}
	}
}
