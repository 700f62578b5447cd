package wxcrypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"unsafe"
)

// The decryption failures, after the error codes of Tencent's WXBizMsgCrypt
// samples. None of them carries key material or the message.
var (
	ErrBase64        = errors.New("wxcrypto: Encrypt is not valid base64")                        // -40010
	ErrCiphertext    = errors.New("wxcrypto: ciphertext length is not a non-zero multiple of 16") // -40008
	ErrPadding       = errors.New("wxcrypto: PKCS#7 padding is not between 1 and 32")             // -40008
	ErrShortPayload  = errors.New("wxcrypto: decrypted payload is shorter than 20 bytes")         // -40008
	ErrLengthPrefix  = errors.New("wxcrypto: message length prefix exceeds the payload")          // -40008
	ErrReceiveID     = errors.New("wxcrypto: receive id in the payload does not match the AppID") // -40005
	errShortRandom   = errors.New("wxcrypto: random prefix must be 16 bytes")
	errKeySize       = errors.New("wxcrypto: AES key must be 32 bytes")
	errMessageTooBig = errors.New("wxcrypto: message is longer than 4 GiB")
)

// blockSize is WeChat's PKCS#7 block: 32, not AES's 16.
const blockSize = 32

// Cipher is AES-256-CBC as WeChat uses it (WXBizMsgCrypt): IV = key[:16], the
// plaintext random(16) || len(msg) (4, big-endian) || msg || receive id, padded
// with 32-byte PKCS#7, and base64 around the ciphertext. It is safe for
// concurrent use.
type Cipher struct {
	block cipher.Block
	iv    [aes.BlockSize]byte
	// encs and decs recycle the CBC modes: a mode copies the key schedule (a
	// 512-byte allocation with crypto/aes), and every message needs one. A
	// mode is used by one goroutine at a time and gets the IV back before use.
	encs, decs sync.Pool
}

// cbcMode is a CBC BlockMode whose IV can be set again, which crypto/cipher's
// CBC modes allow.
type cbcMode interface {
	cipher.BlockMode
	SetIV(iv []byte)
}

// crypt runs CBC over buf in place with a recycled mode of pool, new ones
// made by mk.
func (c *Cipher) crypt(pool *sync.Pool, mk func(cipher.Block, []byte) cipher.BlockMode, buf []byte) {
	m, _ := pool.Get().(cbcMode)
	if m == nil {
		bm := mk(c.block, c.iv[:])
		if m, _ = bm.(cbcMode); m == nil { // not crypto/cipher's CBC: no reuse
			bm.CryptBlocks(buf, buf)
			return
		}
	} else {
		m.SetIV(c.iv[:])
	}
	m.CryptBlocks(buf, buf)
	pool.Put(m)
}

// NewCipher returns the cipher for a 32-byte key, as decoded by [DecodeAESKey].
func NewCipher(key []byte) (*Cipher, error) {
	if len(key) != 32 {
		return nil, errKeySize
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("wxcrypto: %w", err)
	}
	c := &Cipher{block: block}
	copy(c.iv[:], key)
	return c, nil
}

// Open decrypts the base64 text of an <Encrypt> element and splits the
// plaintext into its parts; msg and receiveID alias one new buffer. It accepts
// any pad value from 1 to 32 and does not require 32-byte alignment, as the
// official samples do not.
func (c *Cipher) Open(encrypt []byte) (random, msg, receiveID []byte, err error) {
	buf := make([]byte, base64.StdEncoding.DecodedLen(len(encrypt)))
	n, err := decodeBase64(buf, encrypt)
	if err != nil {
		return nil, nil, nil, ErrBase64
	}
	return c.open(buf[:n])
}

// open decrypts the ciphertext buf in place and splits it.
func (c *Cipher) open(buf []byte) (random, msg, receiveID []byte, err error) {
	n := len(buf)
	if n == 0 || n%aes.BlockSize != 0 {
		return nil, nil, nil, ErrCiphertext
	}
	c.crypt(&c.decs, cipher.NewCBCDecrypter, buf)
	pad := int(buf[n-1])
	if pad < 1 || pad > blockSize || pad > n {
		return nil, nil, nil, ErrPadding
	}
	buf = buf[:n-pad]
	if len(buf) < 20 {
		return nil, nil, nil, ErrShortPayload
	}
	size := binary.BigEndian.Uint32(buf[16:20])
	if uint64(size) > uint64(len(buf)-20) {
		return nil, nil, nil, ErrLengthPrefix
	}
	end := 20 + int(size)
	return buf[:16], buf[20:end], buf[end:], nil
}

// Decrypt opens encrypt and checks that the receive id after the message is
// receiveID (the AppID). The id is compared in constant time.
func (c *Cipher) Decrypt(encrypt []byte, receiveID string) ([]byte, error) {
	_, msg, got, err := c.Open(encrypt)
	return checkReceiveID(msg, got, receiveID, err)
}

// DecryptString is Decrypt of the text of an <Encrypt> element as a string, as
// a parser hands it over; it allocates only the plaintext's buffer.
func (c *Cipher) DecryptString(encrypt, receiveID string) ([]byte, error) {
	return c.DecryptStringInto(nil, encrypt, receiveID)
}

// DecryptStringInto is DecryptString into buf's room when it holds the decoded
// ciphertext (base64's decoded length of encrypt); into a new buffer
// otherwise. The message returned aliases that buffer.
func (c *Cipher) DecryptStringInto(buf []byte, encrypt, receiveID string) ([]byte, error) {
	if n := base64.StdEncoding.DecodedLen(len(encrypt)); cap(buf) < n {
		buf = make([]byte, n)
	} else {
		buf = buf[:n]
	}
	// A view of encrypt, only read while decoding.
	n, err := decodeBase64(buf, unsafe.Slice(unsafe.StringData(encrypt), len(encrypt)))
	if err != nil {
		return nil, ErrBase64
	}
	_, msg, got, err := c.open(buf[:n])
	return checkReceiveID(msg, got, receiveID, err)
}

func checkReceiveID(msg, got []byte, receiveID string, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(got, []byte(receiveID)) != 1 {
		return nil, ErrReceiveID
	}
	return msg, nil
}

// Encrypt seals msg for receiveID with a fresh random prefix and returns the
// base64 text for an <Encrypt> element.
func (c *Cipher) Encrypt(msg []byte, receiveID string) ([]byte, error) {
	var random [16]byte
	rand.Read(random[:]) // never fails: since Go 1.24 it crashes the program instead
	return c.AppendEncrypt(nil, random[:], msg, receiveID)
}

// AppendEncrypt seals msg for receiveID with the given 16-byte random prefix
// and appends the base64 ciphertext to dst. A fixed random is for test vectors;
// real replies use [Cipher.Encrypt]. The ciphertext is built in dst's spare
// room, beyond the base64 text, so that a dst with room allocates nothing; msg
// must not overlap that room.
func (c *Cipher) AppendEncrypt(dst, random, msg []byte, receiveID string) ([]byte, error) {
	if len(random) != 16 {
		return dst, errShortRandom
	}
	if uint64(len(msg)) > 1<<32-1 {
		return dst, errMessageTooBig
	}
	full := 20 + len(msg) + len(receiveID)
	pad := blockSize - full%blockSize // 1..32: a whole block when already aligned
	n := full + pad
	start, text := len(dst), base64.StdEncoding.EncodedLen(n)
	dst = slices.Grow(dst, text+n)
	buf := dst[start+text : start+text+n]
	copy(buf, random)
	binary.BigEndian.PutUint32(buf[16:20], uint32(len(msg)))
	copy(buf[20:], msg)
	copy(buf[20+len(msg):], receiveID)
	for i := full; i < n; i++ {
		buf[i] = byte(pad)
	}
	c.crypt(&c.encs, cipher.NewCBCEncrypter, buf)
	encodeBase64(dst[start:start+text], buf)
	return dst[:start+text], nil
}
