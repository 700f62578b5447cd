package message

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wxkit/wechat/wechattest"
)

func seedPayloads(f *testing.F, add func(raw []byte)) {
	names, err := filepath.Glob(filepath.Join("testdata", "payloads", "*.xml"))
	if err != nil || len(names) == 0 {
		f.Fatalf("no payloads: %v", err)
	}
	for _, name := range names {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		add(raw)
	}
}

// FuzzParse: the parser never panics; what it accepts is consistent; and any
// string written into a reply with appendCDATA reads back as sanitized text.
func FuzzParse(f *testing.F) {
	seedPayloads(f, func(raw []byte) { f.Add(raw) })
	f.Add([]byte("<xml><Content><![CDATA[a]]]]><![CDATA[>b]]></Content></xml>"))
	f.Add([]byte("<xml><Content>&#x1F600;&amp;</Content></xml>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseMessage(data)
		if err == nil {
			if got := m.Field("ToUserName"); got != m.ToUserName {
				t.Fatalf("Field(ToUserName) = %q, struct has %q", got, m.ToUserName)
			}
		}
		slow := new(Message)
		slowErr := parseWith(xmlParser{trees: true, general: true}, slow, data)
		if (err == nil) != (slowErr == nil) || err == nil && !reflect.DeepEqual(m, slow) {
			t.Fatalf("fast paths: %+v, %v\ngeneral loop: %+v, %v", m, err, slow, slowErr)
		}
		doc := appendElem([]byte("<xml>"), "Content", string(data))
		doc = append(doc, "</xml>"...)
		m, err = parseMessage(doc)
		if err != nil {
			t.Fatalf("a rendered reply does not parse: %v\n%q", err, doc)
		}
		if !utf8.ValidString(m.Content) || strings.ContainsRune(m.Content, 0) {
			t.Fatalf("rendered text is not clean XML text: %q", m.Content)
		}
		if got, want := string(appendCDATA(nil, string(data))), cdataReference(string(data)); got != want {
			t.Fatalf("appendCDATA(%q) = %q, want %q", data, got, want)
		}
		if want := normalizeNewlines(string(appendCDATA(nil, string(data)))); strings.ReplaceAll(want, "]]]]><![CDATA[>", "]]>") != m.Content {
			t.Fatalf("round trip of %q = %q", data, m.Content)
		}
	})
}

// FuzzServeHTTP: whatever arrives, the server answers one of its documented
// statuses and never panics — unsigned garbage, signed plaintext garbage and
// properly encrypted garbage alike.
func FuzzServeHTTP(f *testing.F) {
	seedPayloads(f, func(raw []byte) {
		for mode := range uint8(4) {
			f.Add(mode, raw)
		}
	})
	hs := newHarness(f, HandlerFunc(func(_ context.Context, m *Message) Reply { return Text(m.Content) }))
	clients := []*wechattest.WebhookClient{
		hs.client(wechattest.ModePlaintext), hs.client(wechattest.ModeCompatible), hs.client(wechattest.ModeSafe),
	}
	f.Fuzz(func(t *testing.T, mode uint8, body []byte) {
		var req *http.Request
		if int(mode) < len(clients) {
			var err error
			if req, err = clients[mode].NewRequest(context.Background(), body); err != nil {
				return // compatible mode needs an </xml> to insert <Encrypt> before
			}
		} else {
			q, b, _ := strings.Cut(string(body), "\n")
			if got, want := parseQuery(q), queryReference(q); got != want {
				t.Fatalf("parseQuery(%q) = %+v, want %+v", q, got, want)
			}
			req = httptest.NewRequest(http.MethodPost, "/wechat", strings.NewReader(b))
			req.URL.RawQuery = q
		}
		rec := httptest.NewRecorder()
		hs.srv.ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 400, 403, 413:
		default:
			t.Fatalf("status %d", rec.Code)
		}
	})
}

// cdataReference is appendCDATA written plainly, rune by rune, for the fuzz
// test to hold the fast paths to.
func cdataReference(s string) string {
	var b strings.Builder
	for _, r := range s { // invalid UTF-8 comes as U+FFFD
		switch {
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0xFFFE, r == 0xFFFF:
			continue
		case r == '>' && strings.HasSuffix(b.String()[strings.LastIndex(b.String(), "<![CDATA[")+1:], "]]"):
			b.WriteString("]]><![CDATA[>")
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// queryReference is parseQuery written plainly: every pair cut at '=', the
// first non-empty value of each key, escapes decoded where they are valid.
func queryReference(raw string) query {
	var q query
	fields := map[string]*string{
		"signature": &q.signature, "timestamp": &q.timestamp, "nonce": &q.nonce, "openid": &q.openID,
		"encrypt_type": &q.encryptType, "msg_signature": &q.msgSignature, "echostr": &q.echostr,
	}
	for _, pair := range strings.Split(raw, "&") {
		k, v, _ := strings.Cut(pair, "=")
		if dst := fields[k]; dst != nil && *dst == "" {
			if u, err := url.PathUnescape(v); err == nil {
				v = u
			}
			*dst = v
		}
	}
	return q
}
