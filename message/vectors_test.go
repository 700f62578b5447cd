package message

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

// vector is an entry of testdata/vectors.json (copied from shared/testdata).
type vector struct {
	ID             string `json:"id"`
	Token          string `json:"token"`
	EncodingAESKey string `json:"encoding_aes_key"`
	ReceiveID      string `json:"receive_id"`
	Timestamp      string `json:"timestamp"`
	Nonce          string `json:"nonce"`
	MsgSignature   string `json:"msg_signature"`
	Encrypt        string `json:"encrypt"`
	Random         string `json:"random"`
	Plaintext      string `json:"plaintext"`
}

func loadVector(t testing.TB, id string) vector {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var all []vector
	if err := json.Unmarshal(raw, &all); err != nil {
		t.Fatal(err)
	}
	for _, v := range all {
		if v.ID == id {
			return v
		}
	}
	t.Fatalf("no vector %q", id)
	return vector{}
}

func urlEscape(s string) string { return url.QueryEscape(s) }
