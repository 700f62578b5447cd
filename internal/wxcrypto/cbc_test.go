package wxcrypto

import (
	"bytes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

const testAppID = "wx2c2769f8efd9abc2"

func testCipher(t testing.TB) *Cipher {
	t.Helper()
	key, err := DecodeAESKey("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sealRaw encrypts plain (a multiple of 16 bytes) with no padding of its own, so
// tests can build payloads that Encrypt never would.
func sealRaw(c *Cipher, plain []byte) []byte {
	buf := bytes.Clone(plain)
	cipher.NewCBCEncrypter(c.block, c.iv[:]).CryptBlocks(buf, buf)
	return base64.StdEncoding.AppendEncode(nil, buf)
}

// payload builds random || len || msg || id with the given length prefix.
func payload(prefix uint32, msg, id string) []byte {
	b := []byte("0123456789abcdef\x00\x00\x00\x00" + msg + id)
	binary.BigEndian.PutUint32(b[16:20], prefix)
	return b
}

func padTo(b []byte, block int, pad byte) []byte {
	n := block - len(b)%block
	return append(b, bytes.Repeat([]byte{pad}, n)...)
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	c := testCipher(t)
	msgs := []string{
		"", "a", "<xml><Content><![CDATA[你好 😀]]></Content></xml>",
		strings.Repeat("x", 11), // 20+11+18 = 49: pads to 64
		strings.Repeat("y", 26), // 20+26+18 = 64: aligned, a whole block of 32 is added
		strings.Repeat("长", 1000),
	}
	for _, msg := range msgs {
		enc, err := c.Encrypt([]byte(msg), testAppID)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := base64.StdEncoding.DecodeString(string(enc))
		if len(raw)%32 != 0 {
			t.Errorf("Encrypt(%d bytes): ciphertext %d bytes, want a multiple of 32", len(msg), len(raw))
		}
		if full := 20 + len(msg) + len(testAppID); len(raw)-full < 1 || len(raw)-full > 32 {
			t.Errorf("Encrypt(%d bytes): padding %d, want 1..32", len(msg), len(raw)-full)
		}
		got, err := c.Decrypt(enc, testAppID)
		if err != nil || string(got) != msg {
			t.Errorf("Decrypt(Encrypt(%.20q)) = %.20q, %v", msg, got, err)
		}
	}
	a, _ := c.Encrypt([]byte("same"), testAppID)
	b, _ := c.Encrypt([]byte("same"), testAppID)
	if bytes.Equal(a, b) {
		t.Error("two encryptions of one message are equal: the random prefix is not fresh")
	}
}

func TestDecryptRejects(t *testing.T) {
	t.Parallel()
	c := testCipher(t)
	tests := []struct {
		name    string
		encrypt []byte
		want    error
	}{
		{"not base64", []byte("!!!!"), ErrBase64},
		{"empty", nil, ErrCiphertext},
		{"one byte", []byte("QQ=="), ErrCiphertext},
		{"17 bytes", base64.StdEncoding.AppendEncode(nil, make([]byte, 17)), ErrCiphertext},
		{"pad 0", sealRaw(c, append(payload(4, "<a/>", testAppID)[:22], make([]byte, 10)...)), ErrPadding},
		{"pad 33", sealRaw(c, append(bytes.Repeat([]byte{1}, 63), 33)), ErrPadding},
		{"pad longer than payload", sealRaw(c, bytes.Repeat([]byte{32}, 16)), ErrPadding},
		{"short payload", sealRaw(c, padTo(make([]byte, 10), 16, 6)), ErrShortPayload},
		{"length prefix too big", sealRaw(c, padTo(payload(1000, "<a/>", testAppID), 32, 10)), ErrLengthPrefix},
		{"length prefix overflow", sealRaw(c, padTo(payload(0xFFFFFFFF, "<a/>", testAppID), 32, 10)), ErrLengthPrefix},
		{"wrong app id", sealRaw(c, padTo(payload(4, "<a/>", "wx0000000000000000"), 32, 26)), ErrReceiveID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.Decrypt(tt.encrypt, testAppID)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decrypt = %q, %v; want error %v", got, err, tt.want)
			}
			if got, err := c.DecryptString(string(tt.encrypt), testAppID); !errors.Is(err, tt.want) {
				t.Fatalf("DecryptString = %q, %v; want error %v", got, err, tt.want)
			}
		})
	}
	// Padding is not required to reach a multiple of 32: 16-byte PKCS#7 also opens
	// (vector wego-decrypt-pkcs7-block16 is the real-world case).
	p := payload(4, "<a/>", testAppID)
	p = padTo(p, 16, byte(16-len(p)%16))
	if got, err := c.Decrypt(sealRaw(c, p), testAppID); err != nil || string(got) != "<a/>" {
		t.Errorf("Decrypt(16-byte padding) = %q, %v; want <a/>", got, err)
	}
}

// TestAppendEncryptInPlace: the ciphertext is built in dst's spare room and
// lands after what dst holds, whatever room dst has.
func TestAppendEncryptInPlace(t *testing.T) {
	t.Parallel()
	c := testCipher(t)
	random, msg := []byte("0123456789abcdef"), []byte("<xml>reply</xml>")
	want, err := c.AppendEncrypt(nil, random, msg, testAppID)
	if err != nil {
		t.Fatal(err)
	}
	for _, room := range []int{0, 10, len(want), 4096} {
		dst := append(make([]byte, 0, 6+room), "prefix"...)
		got, err := c.AppendEncrypt(dst, random, msg, testAppID)
		if err != nil || string(got) != "prefix"+string(want) {
			t.Errorf("AppendEncrypt(dst with %d spare) = %q, %v; want prefix%q", room, got, err, want)
		}
		if room >= len(want)*2 && &got[0] != &dst[0] {
			t.Errorf("AppendEncrypt(dst with %d spare) allocated", room)
		}
		if plain, err := c.DecryptString(string(got[6:]), testAppID); err != nil || string(plain) != string(msg) {
			t.Errorf("DecryptString(AppendEncrypt) = %q, %v", plain, err)
		}
	}
}

func TestNewCipherKeySize(t *testing.T) {
	t.Parallel()
	if _, err := NewCipher(make([]byte, 16)); err == nil {
		t.Error("NewCipher(16 bytes) = nil error, want one")
	}
	if _, err := DecodeAESKey(strings.Repeat("A", 42)); err == nil {
		t.Error("DecodeAESKey(42 chars) = nil error, want one")
	}
	if _, err := DecodeAESKey(strings.Repeat("*", 43)); err == nil {
		t.Error("DecodeAESKey(non-base64) = nil error, want one")
	}
}

// FuzzDecrypt feeds arbitrary <Encrypt> text to Decrypt: it must never panic, and
// what it accepts must re-encrypt to something that decrypts to the same message.
func FuzzDecrypt(f *testing.F) {
	for _, v := range loadJSON[vector](f, "vectors.json") {
		if v.EncodingAESKey == "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG" {
			f.Add([]byte(v.Encrypt))
		}
	}
	f.Add([]byte(""))
	f.Add([]byte("QUJD"))
	c := testCipher(f)
	f.Fuzz(func(t *testing.T, encrypt []byte) {
		random, msg, rid, err := c.Open(encrypt)
		if err != nil {
			return
		}
		if len(random) != 16 {
			t.Fatalf("Open: random is %d bytes", len(random))
		}
		again, err := c.AppendEncrypt(nil, random, msg, string(rid))
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Decrypt(again, string(rid))
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("round trip of an accepted payload: %q, %v", got, err)
		}
	})
}

// TestRecycledModes: the CBC modes a Cipher recycles start from the IV every
// time, on any goroutine: the same message with the same random prefix seals
// to the same text, and every text opens, however often and from however many
// goroutines the Cipher is used.
func TestRecycledModes(t *testing.T) {
	t.Parallel()
	c := testCipher(t)
	random := []byte("0123456789abcdef")
	msg := []byte(strings.Repeat("<xml>消息</xml>", 20))
	want, err := c.AppendEncrypt(nil, random, msg, testAppID)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for range cap(errs) {
		go func() {
			for range 200 {
				got, err := c.AppendEncrypt(nil, random, msg, testAppID)
				if err == nil && !bytes.Equal(got, want) {
					err = errors.New("the same message sealed to another text")
				}
				if err == nil {
					var plain []byte
					plain, err = c.DecryptString(string(got), testAppID)
					if err == nil && !bytes.Equal(plain, msg) {
						err = errors.New("a text opened to another message")
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// TestDecryptStringInto: the plaintext lands in the buffer given when it has
// room for the decoded ciphertext, in a new one otherwise, and decrypts alike.
func TestDecryptStringInto(t *testing.T) {
	t.Parallel()
	c := testCipher(t)
	msg := strings.Repeat("<xml>你好</xml>", 20)
	enc, err := c.Encrypt([]byte(msg), testAppID)
	if err != nil {
		t.Fatal(err)
	}
	need := base64.StdEncoding.DecodedLen(len(enc))
	for _, room := range []int{0, need - 1, need, need + 100} {
		buf := make([]byte, 0, room)
		got, err := c.DecryptStringInto(buf, string(enc), testAppID)
		if err != nil || string(got) != msg {
			t.Fatalf("DecryptStringInto(room %d) = %q, %v", room, got, err)
		}
		inBuf := room > 0 && &got[0] == &buf[:room][20]
		if inBuf != (room >= need) {
			t.Errorf("DecryptStringInto(room %d of %d needed): in the buffer = %v", room, need, inBuf)
		}
	}
	if _, err := c.DecryptStringInto(make([]byte, 0, need), "***", testAppID); !errors.Is(err, ErrBase64) {
		t.Errorf("DecryptStringInto(bad base64) = %v, want ErrBase64", err)
	}
}
