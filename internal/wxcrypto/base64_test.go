package wxcrypto

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"testing"

	"github.com/wxkit/wechat/internal/testutil"
)

// checkDecode holds decodeBase64 to encoding/base64 on src: the same count,
// the same error, the same bytes.
func checkDecode(t testing.TB, src []byte) {
	t.Helper()
	size := base64.StdEncoding.DecodedLen(len(src))
	want := make([]byte, size)
	wantN, wantErr := base64.StdEncoding.Decode(want, src)
	got := make([]byte, size)
	gotN, gotErr := decodeBase64(got, src)
	if gotN != wantN || (gotErr == nil) != (wantErr == nil) || (wantErr != nil && gotErr.Error() != wantErr.Error()) {
		t.Fatalf("decode %q: %d, %v; encoding/base64: %d, %v", src, gotN, gotErr, wantN, wantErr)
	}
	if wantErr == nil && !bytes.Equal(got[:gotN], want[:wantN]) {
		t.Fatalf("decode %q: %x; encoding/base64: %x", src, got[:gotN], want[:wantN])
	}
}

func TestBase64EveryLength(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 700 {
		src := make([]byte, n)
		for i := range src {
			src[i] = byte(rng.Uint32())
		}
		want := base64.StdEncoding.EncodeToString(src)
		got := make([]byte, base64.StdEncoding.EncodedLen(n))
		encodeBase64(got, src)
		if string(got) != want {
			t.Fatalf("encode %d bytes: %s, want %s", n, got, want)
		}
		checkDecode(t, got)
	}
}

// TestBase64AllBytes runs every byte value through encoding and decoding at
// every place of a quad, and every pair of 12 bits through the encoder's table.
func TestBase64AllBytes(t *testing.T) {
	var src []byte
	for place := range 3 { // every byte value at each place of 3
		src = append(src, make([]byte, place+1)...)
		for c := range 256 {
			src = append(src, byte(c), byte(c), byte(c))
		}
	}
	for i := range 1 << 12 { // two characters from 12 bits, first to last
		src = append(src, byte(i>>4), byte(i<<4|i>>8), byte(i))
	}
	text := make([]byte, base64.StdEncoding.EncodedLen(len(src)))
	encodeBase64(text, src)
	if want := base64.StdEncoding.EncodeToString(src); string(text) != want {
		t.Fatal("encoding differs from encoding/base64's")
	}
	checkDecode(t, text)
}

// TestBase64DecodeLikeEncodingBase64 puts each byte value at each place of a
// valid text, and each of the forms encoding/base64 treats apart (white space
// it skips, padding inside, bad padding, short input): the decoder must give
// its answer, error included, for every one.
func TestBase64DecodeLikeEncodingBase64(t *testing.T) {
	valid := []byte(base64.StdEncoding.EncodeToString([]byte("0123456789abcdefghijklmnopqrstuvwxyz!")))
	for at := range valid {
		for c := range 256 {
			src := bytes.Clone(valid)
			src[at] = byte(c)
			checkDecode(t, src)
		}
	}
	for _, src := range []string{
		"", "=", "==", "===", "====", "A", "AB", "ABC", "ABCD", "AB==", "ABC=", "A===",
		"AB=C", "ABCD====", "ABCDAB==AB==", "ABCD\nABCD", "ABCD\r\nAB==", "\nABCDABCD",
		"ABCDABCDABCDAB=\n", "ABCDABCDABCDAB==", "ABCDABCDABCDABC=", "ABCDABCDABCDABCD",
		"ABCDABCDABCDAB=D", "AB\n==", "ABCDABC\n=", "ABCDABCDABC/+=== ",
		"AB/=", "AB+=", // non-zero bits after the padding, which StdEncoding (not Strict) accepts
	} {
		checkDecode(t, []byte(src))
	}
}

func FuzzBase64(f *testing.F) {
	for _, s := range []string{"", "AB==", "ABCDABCD", "ABCD\nAB==", "@@@@", "QUJD\rREVG"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecode(t, data)
		text := make([]byte, base64.StdEncoding.EncodedLen(len(data)))
		encodeBase64(text, data)
		if want := base64.StdEncoding.EncodeToString(data); string(text) != want {
			t.Fatalf("encode %x: %s, want %s", data, text, want)
		}
	})
}

// BenchmarkBase64 compares encodeBase64 and decodeBase64 with encoding/base64
// on the ciphertext of a usual safe-mode push (448 bytes, 600 characters),
// side by side (testutil.Interleave): time/std is the ratio to
// encoding/base64's time in the same run.
func BenchmarkBase64(b *testing.B) {
	raw := make([]byte, 448)
	for i := range raw {
		raw[i] = byte(i * 7)
	}
	text := []byte(base64.StdEncoding.EncodeToString(raw))
	out := make([]byte, len(text))
	for _, bc := range []struct {
		name      string
		ours, std func()
	}{
		{"encode", func() { encodeBase64(out, raw) }, func() { base64.StdEncoding.Encode(out, raw) }},
		{"decode", func() { decodeBase64(out, text) }, func() { base64.StdEncoding.Decode(out, text) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			costs := testutil.Interleave(b, bc.ours, bc.std)
			testutil.Override(b, costs[0])
			testutil.Against(b, costs[0], costs[1], "std")
		})
	}
}
