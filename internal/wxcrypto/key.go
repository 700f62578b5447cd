// Package wxcrypto holds WeChat's message cryptography as pure functions:
// signatures, the EncodingAESKey, AES-256-CBC with 32-byte PKCS#7 (WXBizMsgCrypt).
// message and wechattest both use it.
package wxcrypto

import (
	"encoding/base64"
	"fmt"
)

// DecodeAESKey turns a 43-character EncodingAESKey into the 32-byte AES key.
// WeChat keys usually leave non-zero trailing bits in the 43rd character, so the
// lenient decoder is used on purpose (base64.StdEncoding, not .Strict()).
func DecodeAESKey(encodingAESKey string) ([]byte, error) {
	if n := len(encodingAESKey); n != 43 {
		return nil, fmt.Errorf("EncodingAESKey must be 43 characters, got %d", n)
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil {
		return nil, fmt.Errorf("EncodingAESKey is not base64: %w", err)
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("EncodingAESKey decodes to %d bytes, want 32", len(key))
	}
	return key, nil
}
