package message

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"weak"

	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/wechattest"
)

// TestParseQuery: the parameters WeChat sends, the first non-empty value of a
// repeated key, escapes decoded but '+' kept, and empty or odd pairs ignored.
func TestParseQuery(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		raw  string
		want query
	}{
		{"", query{}},
		{"signature=s&timestamp=1&nonce=2&openid=o&encrypt_type=aes&msg_signature=m&echostr=e",
			query{signature: "s", timestamp: "1", nonce: "2", openID: "o", encryptType: "aes", msgSignature: "m", echostr: "e"}},
		{"&&signature&=x&nonce=&nonce=7&nonce=8", query{nonce: "7"}},
		{"signature=a&signature=b", query{signature: "a"}},
		{"echostr=a%2Bb+c%2F&timestamp=%31", query{echostr: "a+b+c/", timestamp: "1"}},
		{"echostr=bad%zz", query{echostr: "bad%zz"}},
		{"signaturex=1&xsignature=2&SIGNATURE=3&e=4&ec=5", query{}},
	} {
		if got := parseQuery(tc.raw); got != tc.want {
			t.Errorf("parseQuery(%q) = %+v, want %+v", tc.raw, got, tc.want)
		}
	}
}

// TestKeptMessagesStayWhole: a handler may keep the messages it is given.
// Their strings are views of the push's plaintext, in a buffer of its own,
// never in one a later push reuses (the pooled buffer of the encrypted body):
// after many pushes of every size in every mode, each kept message still
// reads as sent.
func TestKeptMessagesStayWhole(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var kept []*Message
	hs := newHarness(t, HandlerFunc(func(_ context.Context, m *Message) Reply {
		mu.Lock()
		defer mu.Unlock()
		kept = append(kept, m)
		return Text(m.Content)
	}))
	var sent []string
	for i := range 60 {
		content := fmt.Sprintf("消息 %d ", i) + strings.Repeat("长", i*i) // up to 10 KB: past the block's room
		c := hs.client(modes[i%len(modes)])
		req, err := c.NewRequest(t.Context(), c.Text("o"+fmt.Sprint(i), content))
		if err != nil {
			t.Fatal(err)
		}
		if rec := hs.serve(req); rec.Code != 200 || !strings.Contains(rec.Body.String(), "<") {
			t.Fatalf("push %d: %d %q", i, rec.Code, rec.Body)
		}
		sent = append(sent, content)
	}
	if len(kept) != len(sent) {
		t.Fatalf("the handler ran %d times for %d pushes", len(kept), len(sent))
	}
	for i, m := range kept {
		if m.Content != sent[i] || m.FromUserName != "o"+fmt.Sprint(i) || !strings.Contains(string(m.Raw), sent[i]) {
			t.Errorf("kept message %d now reads %q from %q", i, m.Content, m.FromUserName)
		}
	}
}

// TestKeptMessageLetsGoOfTheWriter: a handler that keeps its message keeps
// the call it ran in (one allocation), but not the request's writer, which
// would hold the whole response and its connection's buffers; whether the
// handler returned first or the deadline did.
func TestKeptMessageLetsGoOfTheWriter(t *testing.T) {
	t.Parallel()
	for _, late := range []bool{false, true} {
		var kept *Message
		release := make(chan struct{})
		hs := newHarness(t, HandlerFunc(func(_ context.Context, m *Message) Reply {
			kept = m
			if late {
				<-release
			}
			return nil
		}), WithDeadline(10*time.Millisecond))
		c := hs.client(wechattest.ModePlaintext)
		rec := newFlushRecorder()
		writer := weak.Make(rec)
		done := serveAsync(hs.srv, rec, mustRequest(t, c, c.Text("o1", "x")))
		if late {
			testutil.WaitFor(t, func() bool { return rec.snapshot().Body.Len() > 0 }, "the deadline's answer")
			close(release)
		}
		<-done
		rec = nil
		runtime.GC()
		if writer.Value() != nil {
			t.Errorf("late %v: the writer is still reachable after ServeHTTP returned, through the kept message", late)
		}
		runtime.KeepAlive(kept)
	}
}
