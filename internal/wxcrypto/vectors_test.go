package wxcrypto

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// vector is one entry of testdata/vectors.json, copied from shared/testdata (see
// VECTORS.md there for the meaning of each field).
type vector struct {
	ID                  string `json:"id"`
	Kind                string `json:"kind"`
	Token               string `json:"token"`
	EncodingAESKey      string `json:"encoding_aes_key"`
	ReceiveID           string `json:"receive_id"`
	Timestamp           string `json:"timestamp"`
	Nonce               string `json:"nonce"`
	MsgSignature        string `json:"msg_signature"`
	Signature           string `json:"signature"`
	Encrypt             string `json:"encrypt"`
	Random              string `json:"random"`
	Plaintext           string `json:"plaintext"`
	MsgLen              int    `json:"msg_len"`
	CiphertextBytes     int    `json:"ciphertext_bytes"`
	FullstrBytes        int    `json:"fullstr_bytes"`
	PadByte             int    `json:"pad_byte"`
	ReencryptReproduces bool   `json:"reencrypt_reproduces"`
}

type signatureVector struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	Token       string `json:"token"`
	Timestamp   string `json:"timestamp"`
	Nonce       string `json:"nonce"`
	Signature   string `json:"signature"`
	JSAPITicket string `json:"jsapi_ticket"`
	NonceStr    string `json:"noncestr"`
	URL         string `json:"url"`
}

func loadJSON[T any](t testing.TB, name string) []T {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var out []T
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(out) == 0 {
		t.Fatalf("%s holds no vectors", name)
	}
	return out
}

func TestVectors(t *testing.T) {
	t.Parallel()
	for _, v := range loadJSON[vector](t, "vectors.json") {
		t.Run(v.ID, func(t *testing.T) {
			t.Parallel()
			key, err := DecodeAESKey(v.EncodingAESKey)
			if err != nil {
				t.Fatalf("DecodeAESKey: %v", err)
			}
			c, err := NewCipher(key)
			if err != nil {
				t.Fatal(err)
			}
			if v.MsgSignature != "" {
				if got := Signature(v.Token, v.Timestamp, v.Nonce, v.Encrypt); got != v.MsgSignature {
					t.Errorf("Signature(4 fields) = %s, want %s", got, v.MsgSignature)
				}
				if !VerifySignature(v.MsgSignature, v.Token, v.Timestamp, v.Nonce, v.Encrypt) {
					t.Error("VerifySignature(msg_signature) = false, want true")
				}
				if got := AppendMsgSignature(nil, v.Token, v.Timestamp, v.Nonce, []byte(v.Encrypt)); string(got) != v.MsgSignature {
					t.Errorf("AppendMsgSignature = %s, want %s", got, v.MsgSignature)
				}
			}
			if v.Signature != "" && !VerifySignature(v.Signature, v.Token, v.Timestamp, v.Nonce) {
				t.Error("VerifySignature(signature, 3 fields) = false, want true")
			}

			random, msg, rid, err := c.Open([]byte(v.Encrypt))
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if string(random) != v.Random || string(msg) != v.Plaintext || string(rid) != v.ReceiveID {
				t.Errorf("Open = (%q, %q, %q), want (%q, %q, %q)", random, msg, rid, v.Random, v.Plaintext, v.ReceiveID)
			}
			if len(msg) != v.MsgLen {
				t.Errorf("len(msg) = %d, want msg_len %d", len(msg), v.MsgLen)
			}
			if full := 20 + len(msg) + len(rid); full != v.FullstrBytes {
				t.Errorf("FullStr is %d bytes, want %d", full, v.FullstrBytes)
			}
			if pad := v.CiphertextBytes - v.FullstrBytes; pad != v.PadByte {
				t.Errorf("vector inconsistent: pad %d, pad_byte %d", pad, v.PadByte)
			}
			if got, err := c.Decrypt([]byte(v.Encrypt), v.ReceiveID); err != nil || string(got) != v.Plaintext {
				t.Errorf("Decrypt = %q, %v; want the plaintext", got, err)
			}
			if got, err := c.DecryptString(v.Encrypt, v.ReceiveID); err != nil || string(got) != v.Plaintext {
				t.Errorf("DecryptString = %q, %v; want the plaintext", got, err)
			}
			if _, err := c.Decrypt([]byte(v.Encrypt), v.ReceiveID+"x"); err != ErrReceiveID {
				t.Errorf("Decrypt(wrong receive id) error = %v, want ErrReceiveID", err)
			}

			again, err := c.AppendEncrypt(nil, []byte(v.Random), []byte(v.Plaintext), v.ReceiveID)
			if err != nil {
				t.Fatal(err)
			}
			if same := string(again) == v.Encrypt; same != v.ReencryptReproduces {
				t.Errorf("re-encryption reproduces = %v, want %v", same, v.ReencryptReproduces)
			}
		})
	}
}

func TestSignatureVectors(t *testing.T) {
	t.Parallel()
	for _, v := range loadJSON[signatureVector](t, "signature_vectors.json") {
		t.Run(v.ID, func(t *testing.T) {
			t.Parallel()
			switch v.Kind {
			case "callback_signature":
				if got := Signature(v.Token, v.Timestamp, v.Nonce); got != v.Signature {
					t.Errorf("Signature(%q, %q, %q) = %s, want %s", v.Token, v.Timestamp, v.Nonce, got, v.Signature)
				}
				if !VerifySignature(v.Signature, v.Nonce, v.Token, v.Timestamp) {
					t.Error("VerifySignature = false, want true (argument order must not matter)")
				}
				// Flip the last digit: the negative twin must fail.
				bad := []byte(v.Signature)
				bad[len(bad)-1] ^= 1
				if VerifySignature(string(bad), v.Token, v.Timestamp, v.Nonce) {
					t.Errorf("VerifySignature(%s) = true, want false", bad)
				}
			case "jsapi_signature":
				if got := JSAPISignature(v.JSAPITicket, v.NonceStr, v.Timestamp, v.URL+"#frag"); got != v.Signature {
					t.Errorf("JSAPISignature = %s, want %s", got, v.Signature)
				}
			default:
				t.Fatalf("unknown kind %q", v.Kind)
			}
		})
	}
}

func TestVerifySignatureMalformed(t *testing.T) {
	t.Parallel()
	good := Signature("AAAAA", "1714036504", "1514711492")
	for _, sig := range []string{"", "zz", good[:39], good + "0", "g" + good[1:]} {
		if VerifySignature(sig, "AAAAA", "1714036504", "1514711492") {
			t.Errorf("VerifySignature(%q) = true, want false", sig)
		}
	}
	if upper := bytes.ToUpper([]byte(good)); !VerifySignature(string(upper), "AAAAA", "1714036504", "1514711492") {
		t.Error("VerifySignature(upper case) = false, want true")
	}
}
