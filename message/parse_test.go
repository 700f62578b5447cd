package message

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wxkit/wechat/internal/wxcrypto"
)

// payloadCase is one entry of testdata/payloads/index.json (copied from
// shared/testdata): the expected element values of one real inbound body.
type payloadCase struct {
	Expect map[string]any    `json:"expect"`
	Query  map[string]string `json:"query"`
}

func loadPayloads(t testing.TB) map[string]payloadCase {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "payloads", "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases map[string]payloadCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) != 30 {
		t.Fatalf("index.json lists %d payloads, want 30", len(cases))
	}
	return cases
}

func readPayload(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "payloads", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// field returns the value of an index.json key (dotted for nested elements) in m.
func field(m *Message, key string) any {
	switch key {
	case "ToUserName":
		return m.ToUserName
	case "FromUserName":
		return m.FromUserName
	case "CreateTime":
		return m.CreateTime
	case "MsgType":
		return string(m.MsgType)
	case "MsgId", "MsgID":
		return m.MsgID
	case "MsgDataId":
		return m.MsgDataID
	case "Idx":
		return m.Idx
	case "Content":
		return m.Content
	case "bizmsgmenuid":
		return m.BizMsgMenuID
	case "PicUrl":
		return m.PicURL
	case "MediaId":
		return m.MediaID
	case "Format":
		return m.Format
	case "Recognition":
		return m.Recognition
	case "ThumbMediaId":
		return m.ThumbMediaID
	case "Location_X":
		return m.LocationX
	case "Location_Y":
		return m.LocationY
	case "Scale":
		return m.Scale
	case "Label":
		return m.Label
	case "Title":
		return m.Title
	case "Url":
		return m.URL
	case "Event":
		return string(m.Event)
	case "EventKey":
		return m.EventKey
	case "Ticket":
		return m.Ticket
	case "scene":
		return m.Scene()
	case "Latitude":
		return m.Latitude
	case "Longitude":
		return m.Longitude
	case "Precision":
		return m.Precision
	case "MenuId":
		return m.MenuID
	case "ScanCodeInfo.ScanType":
		return m.ScanCodeInfo.ScanType
	case "ScanCodeInfo.ScanResult":
		return m.ScanCodeInfo.ScanResult
	case "SendPicsInfo.Count":
		return m.SendPicsInfo.Count
	case "SendPicsInfo.PicList":
		return m.SendPicsInfo.PicList
	case "SendLocationInfo.Location_X":
		return m.SendLocationInfo.LocationX
	case "SendLocationInfo.Location_Y":
		return m.SendLocationInfo.LocationY
	case "SendLocationInfo.Scale":
		return m.SendLocationInfo.Scale
	case "SendLocationInfo.Label":
		return m.SendLocationInfo.Label
	case "SendLocationInfo.Poiname":
		return m.SendLocationInfo.Poiname
	case "Status":
		return m.Status
	case "TotalCount":
		return m.TotalCount
	case "FilterCount":
		return m.FilterCount
	case "SentCount":
		return m.SentCount
	case "ErrorCount":
		return m.ErrorCount
	case "FromKfAccount":
		return m.FromKfAccount
	case "ToKfAccount":
		return m.ToKfAccount
	case "List":
		var out []map[string]any
		for _, s := range m.SubscribeMsgs {
			out = append(out, map[string]any{
				"TemplateId": s.TemplateID, "SubscribeStatusString": s.SubscribeStatusString,
				"PopupScene": s.PopupScene, "MsgID": s.MsgID, "ErrorCode": s.ErrorCode, "ErrorStatus": s.ErrorStatus,
			})
		}
		return out
	}
	return fmt.Errorf("test does not know key %q", key)
}

// sameValue compares an index.json value (always strings) with a field: numbers
// compare as numbers, so "119.385040" equals 119.38504.
func sameValue(want, got any) bool {
	switch w := want.(type) {
	case string:
		switch g := got.(type) {
		case string:
			return w == g
		case int, int64:
			return w == fmt.Sprint(g)
		case float64:
			f, err := strconv.ParseFloat(w, 64)
			return err == nil && f == g
		}
	case float64:
		return sameValue(strconv.FormatFloat(w, 'f', -1, 64), got)
	case []any:
		switch g := got.(type) {
		case []string:
			if len(w) != len(g) {
				return false
			}
			for i := range w {
				if w[i] != g[i] {
					return false
				}
			}
			return true
		case []map[string]any:
			if len(w) != len(g) {
				return false
			}
			for i := range w {
				for k, v := range w[i].(map[string]any) {
					if !sameValue(v, g[i][k]) {
						return false
					}
				}
			}
			return true
		}
	}
	return false
}

func TestParsePayloads(t *testing.T) {
	t.Parallel()
	for name, tc := range loadPayloads(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			raw := readPayload(t, name)
			if enc, ok := tc.Expect["Encrypt"].(string); ok {
				raw = decryptPayload(t, raw, enc, tc)
			}
			m, err := parseMessage(raw)
			if err != nil {
				t.Fatalf("parseMessage: %v", err)
			}
			for key, want := range tc.Expect {
				switch key {
				case "Encrypt", "decrypted_plaintext":
					continue
				case "ToUserName":
					if strings.HasPrefix(name, "envelope_safe") {
						continue // checked on the envelope
					}
				}
				if got := field(m, key); !sameValue(want, got) {
					t.Errorf("%s = %#v, want %#v", key, got, want)
				}
			}
		})
	}
}

// decryptPayload checks an encrypted body against index.json and returns the
// plaintext message inside.
func decryptPayload(t *testing.T, body []byte, wantEncrypt string, tc payloadCase) []byte {
	t.Helper()
	enc, err := parseEnvelope(body)
	if err != nil || enc != wantEncrypt {
		t.Fatalf("parseEnvelope = %.20q…, %v; want the Encrypt of index.json", enc, err)
	}
	q := tc.Query
	if !wxcrypto.VerifySignature(q["msg_signature"], q["token"], q["timestamp"], q["nonce"], enc) {
		t.Fatal("msg_signature does not verify")
	}
	key, err := wxcrypto.DecodeAESKey(q["encoding_aes_key"])
	if err != nil {
		t.Fatal(err)
	}
	c, err := wxcrypto.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := c.Decrypt([]byte(enc), q["appid"])
	if err != nil {
		t.Fatal(err)
	}
	if want := tc.Expect["decrypted_plaintext"]; string(plain) != want {
		t.Fatalf("decrypted = %q, want %q", plain, want)
	}
	return plain
}

func TestParseXMLEdgeCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc, want string // want is the Content, or the error text
		wantErr         bool
	}{
		{"entities", `<xml><Content>a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; &#20320;&#x597D;</Content></xml>`, `a <b> & "c" 'd' 你好`, false},
		{"cdata joined with text", `<xml><Content>x<![CDATA[<y>]]>z</Content></xml>`, "x<y>z", false},
		{"cdata split ]]>", `<xml><Content><![CDATA[a]]]]><![CDATA[>b]]></Content></xml>`, "a]]>b", false},
		{"empty cdata", `<xml><Content><![CDATA[]]></Content></xml>`, "", false},
		{"self-closing", `<xml><Content/></xml>`, "", false},
		{"crlf", "<xml><Content>a\r\nb\rc</Content></xml>", "a\nb\nc", false},
		{"prolog comment bom", "\uFEFF<?xml version=\"1.0\"?><!-- hi --><xml><!-- c --><Content>ok</Content></xml>\n", "ok", false},
		{"attributes ignored", `<xml a="1" b='>'><Content k="v">ok</Content></xml>`, "ok", false},
		{"end tag with space", `<xml><Content><![CDATA[ok]]></Content ></xml>`, "ok", false},
		{"cdata then space", "<xml><Content><![CDATA[ok]]>\n</Content></xml>", "ok\n", false},
		{"text then cdata", `<xml><Content>a<![CDATA[b]]></Content></xml>`, "ab", false},
		{"cdata then no end tag", `<xml><Content><![CDATA[a]]>b/Content></xml>`, "end tag", true},
		{"longer end tag", `<xml><Content><![CDATA[a]]></ContentX></xml>`, "end tag", true},
		{"doctype", `<!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Content>&e;</Content></xml>`, "DOCTYPE", true},
		{"doctype inside", `<xml><!DOCTYPE x><Content>a</Content></xml>`, "DOCTYPE", true},
		{"unknown entity", `<xml><Content>&e;</Content></xml>`, "entity", true},
		{"bare ampersand", `<xml><Content>a & b</Content></xml>`, "entity", true},
		{"mismatched end", `<xml><Content>a</Contentx></xml>`, "end tag", true},
		{"unclosed", `<xml><Content>a`, "end of document", true},
		{"unclosed cdata", `<xml><Content><![CDATA[a</Content></xml>`, "end of document", true},
		{"trailing", `<xml></xml><xml></xml>`, "after the root", true},
		{"text before root", `hello<xml></xml>`, "after the root", true},
		{"empty", ``, "no root", true},
		{"deep", strings.Repeat("<a>", 40) + strings.Repeat("</a>", 40), "deeply", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := parseMessage([]byte(tt.doc))
			if tt.wantErr {
				var se *syntaxError
				if err == nil || !errors.As(err, &se) || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("parseMessage(%q) error = %v, want one about %q", tt.doc, err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseMessage(%q): %v", tt.doc, err)
			}
			if m.Content != tt.want {
				t.Errorf("Content = %q, want %q", m.Content, tt.want)
			}
		})
	}
}

func TestParseUnknownKeepsRaw(t *testing.T) {
	t.Parallel()
	doc := `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[debug_demo]]></Event><debug_str><![CDATA[hello world]]></debug_str><Nested><a>1</a></Nested></xml>`
	m, err := parseMessage([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if m.Event != "debug_demo" || m.Field("debug_str") != "hello world" || string(m.Raw) != doc {
		t.Errorf("got Event %q, Field(debug_str) %q, Raw %q", m.Event, m.Field("debug_str"), m.Raw)
	}
	if got := m.Field("missing"); got != "" {
		t.Errorf("Field(missing) = %q, want empty", got)
	}
}

func TestParseAllocs(t *testing.T) {
	raw := readPayload(t, "msg_text_from_article.xml")
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := parseMessage(raw); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 2 {
		t.Errorf("parseMessage allocates %.0f times, want at most 2 (the document string and the Message)", allocs)
	}
}

// TestNumbers: the numbers of a message read as strconv reads them, the
// plain digits WeChat sends by the short path, anything else by strconv.
func TestNumbers(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "0", "7", "00012", "1717000002", "24612345678901235", "999999999999999999",
		"9999999999999999999", "99999999999999999999", " 42 ", "+5", "-7", "12a", "1_000", "0x10", "٣"} {
		want64, _ := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		want, _ := strconv.Atoi(strings.TrimSpace(s))
		if got := toInt64(s); got != want64 {
			t.Errorf("toInt64(%q) = %d, want %d", s, got, want64)
		}
		if got := toInt(s); got != want {
			t.Errorf("toInt(%q) = %d, want %d", s, got, want)
		}
	}
}
