package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/menu"
	"github.com/wxkit/wechat/wechattest"
)

// TestGuard checks the refusals that keep other sites and big bodies out.
func TestGuard(t *testing.T) {
	t.Parallel()
	base, _, _ := simFor(t, "http://127.0.0.1:1/wechat", options{})
	do := func(method, path, body string, header map[string]string) int {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		for k, v := range header {
			if k == "Host" {
				req.Host = v
			} else {
				req.Header.Set(k, v)
			}
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	jsonCT := map[string]string{"Content-Type": "application/json"}
	with := func(k, v string) map[string]string {
		return map[string]string{"Content-Type": "application/json", k: v}
	}
	mode := `{"mode":"safe"}`
	tests := []struct {
		name, method, path, body string
		header                   map[string]string
		want                     int
	}{
		{"page", "GET", "/", "", nil, 200},
		{"page on localhost", "GET", "/", "", map[string]string{"Host": "localhost:9000"}, 200},
		{"rebinding", "GET", "/wxsim/api/state", "", map[string]string{"Host": "evil.example:9000"}, 403},
		{"rebinding to the fake", "GET", "/cgi-bin/token", "", map[string]string{"Host": "evil.example"}, 403},
		{"same origin", "PUT", "/wxsim/api/mode", mode, with("Origin", base), 200},
		{"cross-site origin", "PUT", "/wxsim/api/mode", mode, with("Origin", "https://evil.example"), 403},
		{"cross-site fetch", "PUT", "/wxsim/api/mode", mode, with("Sec-Fetch-Site", "cross-site"), 403},
		{"cross-site read", "GET", "/wxsim/api/state", "", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"cross-site event stream", "GET", "/wxsim/api/events", "", map[string]string{"Sec-Fetch-Site": "same-site"}, 403},
		{"a form post", "PUT", "/wxsim/api/mode", "mode=safe", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415},
		{"a cross-site multipart form", "POST", "/wxsim/api/followers/o1/image", "--b\r\n\r\n--b--\r\n",
			map[string]string{"Content-Type": "multipart/form-data; boundary=b", "Origin": "https://evil.example"}, 403},
		{"too large", "POST", "/wxsim/api/followers", `{"nickname":"` + strings.Repeat("x", maxJSONBody) + `"}`, jsonCT, 413},
		{"malformed", "POST", "/wxsim/api/followers", `{"nickname":`, jsonCT, 400},
		{"bad mode", "PUT", "/wxsim/api/mode", `{"mode":"aes"}`, jsonCT, 400},
		{"webhook elsewhere", "PUT", "/wxsim/api/webhook", `{"url":"http://10.0.0.1/wechat"}`, jsonCT, 400},
		{"webhook with user info", "PUT", "/wxsim/api/webhook", `{"url":"http://u:p@127.0.0.1/wechat"}`, jsonCT, 400},
		{"webhook on loopback", "PUT", "/wxsim/api/webhook", `{"url":"http://localhost:8081/wechat"}`, jsonCT, 200},
		{"unknown API", "GET", "/wxsim/api/nope", "", nil, 404},
		{"unknown exchange", "GET", "/wxsim/api/exchanges/999", "", nil, 404},
		{"empty nickname", "POST", "/wxsim/api/followers", `{"nickname":" "}`, jsonCT, 400},
	}
	for _, tt := range tests {
		if got := do(tt.method, tt.path, tt.body, tt.header); got != tt.want {
			t.Errorf("%s: %s %s = %d, want %d", tt.name, tt.method, tt.path, got, tt.want)
		}
	}
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("the page's CSP is %q", csp)
	}
}

// TestVerify checks the URL verification the page runs.
func TestVerify(t *testing.T) {
	t.Parallel()
	good := startWebhook(t, (&recorder{}).mux())
	base, _, _ := simFor(t, good, options{})
	var out struct {
		OK    bool
		Error string
	}
	call(t, base, http.MethodPost, "/verify", nil, &out)
	if !out.OK {
		t.Errorf("verify against a wxkit bot: %+v", out)
	}
	call(t, base, http.MethodPut, "/webhook", map[string]string{"url": startBot(t, badBot(200, "nope"))}, nil)
	out.OK, out.Error = false, ""
	call(t, base, http.MethodPost, "/verify", nil, &out)
	if out.OK || !strings.Contains(out.Error, "echostr") && !strings.Contains(out.Error, "verification") {
		t.Errorf("verify against a bot that answers nope: %+v", out)
	}
}

// TestProxy checks that the bot's API calls reach the fake through the
// simulator and that a menu change reaches the page.
func TestProxy(t *testing.T) {
	t.Parallel()
	base, _, openID := simFor(t, "http://127.0.0.1:1/wechat", options{})
	events := stream(t, base)
	oa := botAccount(t, base)
	if err := menu.New(oa).Create(t.Context(), menu.Menu{Buttons: []menu.Button{menu.Sub("服务", menu.Click("查订单", "ORDER"))}}); err != nil {
		t.Fatal(err)
	}
	events.next(t, "menu", "/cgi-bin/menu/create")
	var m struct {
		Button []wechattest.MenuButton `json:"button"`
		MenuID int64                   `json:"menuid"`
	}
	call(t, base, http.MethodGet, "/followers/"+openID+"/menu", nil, &m)
	if len(m.Button) != 1 || m.Button[0].Name != "服务" || m.Button[0].SubButtons[0].Key != "ORDER" || m.MenuID == 0 {
		t.Errorf("GET menu = %+v", m)
	}
	resp, err := http.Post(base+"/cgi-bin/menu/create?access_token=x", "application/json", strings.NewReader(strings.Repeat("x", maxProxyBody+1)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a %d-byte body through the proxy: status %d, want 413", maxProxyBody+1, resp.StatusCode)
	}
}

// TestProxyErrorRedacted: when the fake cannot be reached, the 502 does not
// quote the call's access_token (ReverseProxy's error is the transport's, which
// does not name the URL, as http.Client's would).
func TestProxyErrorRedacted(t *testing.T) {
	t.Parallel()
	base, sim, _ := simFor(t, "http://127.0.0.1:1/wechat", options{})
	sim.fake.Close() // the platform behind the proxy is gone
	const token = "TOKEN-THAT-MUST-NOT-SHOW"
	resp, err := http.Get(base + "/cgi-bin/menu/get?access_token=" + token)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("status %d, body %s; want 502", resp.StatusCode, body)
	}
	if strings.Contains(string(body), token) {
		t.Errorf("the proxy's error quotes the access_token: %s", body)
	}
}

// TestProxyChunkedTooLarge: a body of unknown length (chunked) over the bound
// is cut by MaxBytesReader while the transport sends it, and answered 413 with
// the message a declared oversize length gets, not 502. The target drains the
// body, so it cannot answer first (the fake stops reading at 16 MiB, which
// makes the outcome through it a race).
func TestProxyChunkedTooLarge(t *testing.T) {
	t.Parallel()
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err == nil {
			t.Errorf("the target got the whole %s body", r.Header.Get("Transfer-Encoding"))
		}
	}))
	t.Cleanup(target.Close)
	u, _ := url.Parse(target.URL)
	const limit = 1 << 10
	proxy := boundedProxy(u, target.Client().Transport, limit, func(path string) {
		t.Errorf("a call to %s was answered", path)
	})
	lengths := make(chan int64, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lengths <- r.ContentLength
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	post := func(body io.Reader) (int, string, int64) {
		t.Helper()
		resp, err := http.Post(srv.URL+"/cgi-bin/menu/create?access_token=x", "application/json", body)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b), <-lengths
	}
	big := strings.Repeat("x", 4*limit)
	status, chunked, n := post(io.MultiReader(strings.NewReader(big))) // a reader of unknown length: sent chunked
	if n != -1 {
		t.Fatalf("the proxy saw ContentLength %d, want -1 (chunked)", n)
	}
	if status != http.StatusRequestEntityTooLarge {
		t.Errorf("a chunked %d-byte body through a %d-byte proxy: status %d, body %s; want 413", len(big), limit, status, chunked)
	}
	status, declared, n := post(strings.NewReader(big))
	if n != int64(len(big)) || status != http.StatusRequestEntityTooLarge {
		t.Errorf("a declared %d-byte body: ContentLength %d, status %d; want 413", len(big), n, status)
	}
	if chunked != declared || !strings.Contains(chunked, "1024-byte bound") {
		t.Errorf("the chunked body's refusal %s differs from the declared one's %s", chunked, declared)
	}
}

// TestBounds checks what the simulator keeps: chats and followers are bounded.
func TestBounds(t *testing.T) {
	t.Parallel()
	sim, err := New(Config{Webhook: "http://127.0.0.1:1/wechat"})
	if err != nil {
		t.Fatal(err)
	}
	testutil.Shutdown(t, sim)
	f := sim.followers[0]
	sim.mu.Lock()
	for range maxChatEntries + 10 {
		ex := &exchange{ID: sim.nextSeq()}
		sim.exchanges[ex.ID] = ex
		sim.addEntry(f, entry{Seq: ex.ID, Exchange: ex})
	}
	n, kept, first := len(f.chat), len(sim.exchanges), f.chat[0].Seq
	sim.mu.Unlock()
	if n != maxChatEntries || kept != maxChatEntries || first != 11 {
		t.Errorf("after %d entries: %d kept, %d exchanges, the first is %d", maxChatEntries+10, n, kept, first)
	}
	var exs []*exchange
	sim.mu.Lock()
	for range maxWire + 1 {
		ex := &exchange{Request: wireRequest{Plain: "<xml/>", Body: "<xml/>"}, Reply: &wireReply{XML: "<xml/>"}, Attempts: []attempt{{Body: "x"}}}
		exs = append(exs, ex)
		sim.keepWire(ex)
	}
	sim.mu.Unlock()
	if old, young := exs[0], exs[1]; !old.Trimmed || old.Request.Plain != "" || old.Reply.XML != "" || old.Attempts[0].Body != "" || young.Trimmed || young.Request.Plain == "" {
		t.Errorf("after %d exchanges: the oldest %+v, the next %+v", maxWire+1, old, young)
	}
	for i := len(seedFollowers); i < maxFollowers; i++ {
		if _, err := sim.addFollower("f"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sim.addFollower("one too many"); err == nil {
		t.Errorf("follower %d was added", maxFollowers+1)
	}
}
