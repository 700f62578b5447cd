package wxcrypto

import (
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"unsafe"
)

// Signature returns WeChat's callback signature: the lower-case hex SHA-1 of the
// parts sorted byte-wise and concatenated with no separator. With token,
// timestamp and nonce it is the URL's signature; with the <Encrypt> text as a
// fourth part it is msg_signature (and a reply's MsgSignature).
func Signature(parts ...string) string {
	sum := signatureSum(parts)
	return hex.EncodeToString(sum[:])
}

// AppendMsgSignature appends to dst the hex signature of token, timestamp,
// nonce and encrypt: the MsgSignature of a reply whose <Encrypt> text is being
// built in a buffer, without a string copy of it.
func AppendMsgSignature(dst []byte, token, timestamp, nonce string, encrypt []byte) []byte {
	// A view of encrypt, read while hashing and not kept: nothing writes to
	// encrypt meanwhile.
	enc := unsafe.String(unsafe.SliceData(encrypt), len(encrypt))
	sum := signatureSum([]string{token, timestamp, nonce, enc})
	return hex.AppendEncode(dst, sum[:])
}

// VerifySignature reports whether sig (hex, either case) is the signature of
// parts. The digests are compared in constant time.
func VerifySignature(sig string, parts ...string) bool {
	var got [sha1.Size]byte
	if !decodeHex(got[:], sig) {
		return false
	}
	want := signatureSum(parts)
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// signatureSum hashes the sorted parts. WeChat signs three or four parts, so an
// insertion sort over a small array is all the sorting needed. It sorts the
// parts' indexes, not the parts, so that they do not escape: a caller's
// timestamp formatted on its stack stays there.
func signatureSum(parts []string) [sha1.Size]byte {
	var small [4]int
	order := small[:]
	if len(parts) > len(small) {
		order = make([]int, len(parts))
	}
	order = order[:len(parts)]
	n := 0
	for k, p := range parts {
		n += len(p)
		i := k
		for ; i > 0 && less(p, parts[order[i-1]]); i-- {
			order[i] = order[i-1]
		}
		order[i] = k
	}
	// One contiguous buffer and sha1.Sum: no hash object, and no copy of each
	// part through the hash.Hash interface. A part as long as an <Encrypt> text
	// takes a pooled buffer instead of the stack's.
	if n <= smallSum {
		var stack [smallSum]byte
		return sumInto(stack[:0], parts, order)
	}
	pooled := sumBufs.Get().(*[]byte)
	buf := slices.Grow((*pooled)[:0], n)
	sum := sumInto(buf, parts, order)
	if cap(buf) <= maxPooledSum {
		*pooled = buf[:0]
		sumBufs.Put(pooled)
	}
	return sum
}

const smallSum = 256

// sumInto hashes the parts in order, laid out in buf's room.
func sumInto(buf []byte, parts []string, order []int) [sha1.Size]byte {
	for _, k := range order {
		buf = append(buf, parts[k]...)
	}
	return sha1.Sum(buf)
}

// less is p < q, deciding by the first bytes when they differ, as they
// mostly do: a timestamp, a nonce, a token and base64 text rarely share one.
// That takes half the time of a string comparison (2.7 against 5.3 ns on
// WeChat's parts), about 13 ns a signature.
func less(p, q string) bool {
	if len(p) > 0 && len(q) > 0 && p[0] != q[0] {
		return p[0] < q[0]
	}
	return p < q
}

// sumBufs holds the buffers signatureSum hashes long parts in; one larger than
// maxPooledSum (a push near the body limit) is left to the collector.
var sumBufs = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

const maxPooledSum = 64 << 10

// decodeHex decodes exactly len(dst)*2 hex digits of s, either case, into dst.
func decodeHex(dst []byte, s string) bool {
	if len(s) != 2*len(dst) {
		return false
	}
	var bad byte
	for i := range dst {
		hi, lo := hexValue[s[2*i]], hexValue[s[2*i+1]]
		bad |= hi | lo
		dst[i] = hi<<4 | lo
	}
	return bad < 16
}

// hexValue is the value of each hex digit, and 0xff for every other byte.
var hexValue = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i := range byte(10) {
		t['0'+i] = i
	}
	for i := range byte(6) {
		t['a'+i], t['A'+i] = 10+i, 10+i
	}
	return t
}()

// JSAPISignature returns the JS-SDK config signature (JS-SDK 使用权限签名): the
// hex SHA-1 of "jsapi_ticket=…&noncestr=…&timestamp=…&url=…", with any
// #fragment cut from url first.
func JSAPISignature(ticket, nonceStr, timestamp, url string) string {
	if i := strings.IndexByte(url, '#'); i >= 0 {
		url = url[:i]
	}
	sum := sha1.Sum([]byte("jsapi_ticket=" + ticket + "&noncestr=" + nonceStr + "&timestamp=" + timestamp + "&url=" + url))
	return hex.EncodeToString(sum[:])
}
