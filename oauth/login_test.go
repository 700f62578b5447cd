package oauth_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wxkit/wechat/oauth"
	"github.com/wxkit/wechat/wechattest"
)

// loginSite is a site with the login handler at /login, and what OnLogin saw.
type loginSite struct {
	fake    *wechattest.Server
	svc     *oauth.Service
	ts      *httptest.Server
	client  *http.Client // with a cookie jar, following no redirects
	handler http.Handler // the login handler itself

	mu     sync.Mutex
	logins []*oauth.UserInfo
	tokens []*oauth.Token
}

func newLoginSite(t testing.TB, scope oauth.Scope, onLogin func(http.ResponseWriter, *http.Request, *oauth.Token, *oauth.UserInfo) error) *loginSite {
	t.Helper()
	fake, svc := newService(t, nil)
	site := &loginSite{fake: fake, svc: svc}
	mux := http.NewServeMux()
	site.ts = httptest.NewServer(mux)
	t.Cleanup(site.ts.Close)
	if onLogin == nil {
		onLogin = func(_ http.ResponseWriter, _ *http.Request, tok *oauth.Token, info *oauth.UserInfo) error {
			site.mu.Lock()
			defer site.mu.Unlock()
			site.tokens, site.logins = append(site.tokens, tok), append(site.logins, info)
			return nil
		}
	}
	login, err := svc.LoginHandler(oauth.LoginConfig{CallbackURL: site.ts.URL + "/login", Scope: scope, OnLogin: onLogin})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/login", login)
	site.handler = login
	jar, _ := cookiejar.New(nil)
	site.client = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return site
}

// seen returns what OnLogin saw so far.
func (site *loginSite) seen() ([]*oauth.UserInfo, []*oauth.Token) {
	site.mu.Lock()
	defer site.mu.Unlock()
	return append([]*oauth.UserInfo(nil), site.logins...), append([]*oauth.Token(nil), site.tokens...)
}

func (site *loginSite) get(t testing.TB, target string) (*http.Response, string) {
	t.Helper()
	resp, err := site.client.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// start begins a sign-in and returns WeChat's authorize link.
func (site *loginSite) start(t testing.TB, next string) string {
	t.Helper()
	resp, _ := site.get(t, site.ts.URL+"/login?next="+url.QueryEscape(next))
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), site.fake.URL()+wechattest.PathAuthorize) {
		t.Fatalf("start: %d to %q, want 302 to the authorize page", resp.StatusCode, resp.Header.Get("Location"))
	}
	return resp.Header.Get("Location")
}

func TestLoginFlow(t *testing.T) {
	t.Parallel()
	site := newLoginSite(t, oauth.ScopeUserInfo, nil)
	site.fake.AddFollower(wechattest.Follower{OpenID: "oCat", Nickname: "小猫"})
	site.fake.AuthorizeAs("oCat")

	resp, _ := site.client.Get(site.ts.URL + "/login?next=%2Fprofile%3Ftab%3D1")
	resp.Body.Close()
	cookie := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"HttpOnly", "SameSite=Lax", "Path=/login", "Max-Age=600"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("state cookie %q lacks %s", cookie, want)
		}
	}
	if strings.Contains(cookie, "Secure") {
		t.Errorf("state cookie %q is Secure on http", cookie)
	}
	to, err := site.fake.Authorize(t.Context(), resp.Header.Get("Location"), true)
	if err != nil {
		t.Fatal(err)
	}
	resp, _ = site.get(t, to.String())
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/profile?tab=1" {
		t.Fatalf("callback: %d to %q, want 303 to /profile?tab=1", resp.StatusCode, resp.Header.Get("Location"))
	}
	if logins, tokens := site.seen(); len(logins) != 1 || logins[0].Nickname != "小猫" || tokens[0].OpenID != "oCat" {
		t.Fatalf("OnLogin saw %+v %+v", logins, tokens)
	}

	// A reload of the callback reuses the code: a clear page, not a 500.
	resp, body := site.get(t, to.String())
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "已经用过") || !strings.Contains(body, `href="/login"`) {
		t.Errorf("reload: %d %s", resp.StatusCode, body)
	}
	if logins, _ := site.seen(); len(logins) != 1 {
		t.Errorf("OnLogin called %d times, want once", len(logins))
	}
}

func TestLoginRefusals(t *testing.T) {
	t.Parallel()
	site := newLoginSite(t, oauth.ScopeUserInfo, nil)

	// 拒绝 on the consent page.
	to, err := site.fake.Authorize(t.Context(), site.start(t, "/"), false)
	if err != nil {
		t.Fatal(err)
	}
	resp, body := site.get(t, to.String())
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "你拒绝了授权") {
		t.Errorf("declined: %d %s", resp.StatusCode, body)
	}

	// A link with a state this browser did not start (CSRF), with a real code.
	other := newLoginSite(t, oauth.ScopeUserInfo, nil)
	to, err = other.fake.Authorize(t.Context(), other.start(t, "/"), true)
	if err != nil {
		t.Fatal(err)
	}
	resp, body = site.get(t, site.ts.URL+"/login?"+to.RawQuery)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "state 不匹配") {
		t.Errorf("forged state: %d %s", resp.StatusCode, body)
	}
	for _, q := range []string{"code=x&state=" + strings.Repeat("a", 32), "state=", "code=abc", "state=%00"} {
		if resp, _ := site.get(t, site.ts.URL+"/login?"+q); resp.StatusCode != http.StatusForbidden {
			t.Errorf("callback ?%s: %d, want 403", q, resp.StatusCode)
		}
	}

	// Too slow: the state cookie says 10 minutes.
	link := site.start(t, "/")
	to, _ = site.fake.Authorize(t.Context(), link, true)
	site.fake.Advance(11 * time.Minute)
	if resp, body := site.get(t, to.String()); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "登录已过期") {
		t.Errorf("after 11 minutes: %d %s", resp.StatusCode, body)
	}

	// A code past its 5 minutes, inside the cookie's 10.
	to, _ = site.fake.Authorize(t.Context(), site.start(t, "/"), true)
	site.fake.Advance(6 * time.Minute)
	if resp, body := site.get(t, to.String()); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "5 分钟") {
		t.Errorf("expired code: %d %s", resp.StatusCode, body)
	}
	if logins, _ := site.seen(); len(logins) != 0 {
		t.Errorf("OnLogin called %d times", len(logins))
	}
	if resp, _ := site.client.Post(site.ts.URL+"/login", "text/plain", nil); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", resp.StatusCode)
	}
}

// A state serves one callback: a second code brought back with a state already
// used (a state that leaked, in a link an attacker made with their own code) is
// refused without an exchange, and the reload page says to start again.
func TestLoginStateServesOneCallback(t *testing.T) {
	t.Parallel()
	site := newLoginSite(t, oauth.ScopeBase, nil)
	link := site.start(t, "/p")
	first, err := site.fake.Authorize(t.Context(), link, true)
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := site.get(t, first.String()); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first callback: %d, want 303", resp.StatusCode)
	}
	second, err := site.fake.Authorize(t.Context(), link, true) // a new code, the same state
	if err != nil {
		t.Fatal(err)
	}
	if second.Query().Get("code") == first.Query().Get("code") {
		t.Fatal("the fake gave the same code twice")
	}
	exchanges := site.fake.Calls(wechattest.PathSNSAccessToken)
	resp, body := site.get(t, second.String())
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "已经用过") {
		t.Errorf("a second code with a used state: %d %s, want 400 and the page saying to start again", resp.StatusCode, body)
	}
	if n := site.fake.Calls(wechattest.PathSNSAccessToken) - exchanges; n != 0 {
		t.Errorf("the second callback exchanged %d codes, want none", n)
	}
	if _, tokens := site.seen(); len(tokens) != 1 {
		t.Errorf("OnLogin called %d times, want once", len(tokens))
	}
	if got := oauth.LoginErrorStatus(oauth.ErrLoginUsed); got != http.StatusBadRequest {
		t.Errorf("LoginErrorStatus(ErrLoginUsed) = %d, want 400", got)
	}
}

// A browser that starts sign-in after sign-in holds a bounded number of state
// cookies: the oldest go, and the newest sign-in still completes.
func TestLoginCookiesBounded(t *testing.T) {
	t.Parallel()
	site := newLoginSite(t, oauth.ScopeBase, nil)
	var link string
	for range 20 {
		link = site.start(t, "/p")
	}
	login := mustParse(t, site.ts.URL+"/login")
	n := 0
	for _, c := range site.client.Jar.Cookies(login) {
		if strings.HasPrefix(c.Name, "wxkit_oauth_") {
			n++
		}
	}
	if n > 4 {
		t.Errorf("after 20 starts the browser holds %d state cookies, want at most 4", n)
	}
	to, err := site.fake.Authorize(t.Context(), link, true)
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := site.get(t, to.String()); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the newest sign-in's callback: %d, want 303", resp.StatusCode)
	}
}

// next is same-origin or "/": the login is no open redirect.
func TestLoginNoOpenRedirect(t *testing.T) {
	t.Parallel()
	site := newLoginSite(t, oauth.ScopeBase, nil)
	for _, next := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "evil", "/ok\r\nX: y"} {
		to, err := site.fake.Authorize(t.Context(), site.start(t, next), true)
		if err != nil {
			t.Fatal(err)
		}
		if resp, _ := site.get(t, to.String()); resp.Header.Get("Location") != "/" {
			t.Errorf("next %q: redirected to %q, want /", next, resp.Header.Get("Location"))
		}
	}
	if logins, _ := site.seen(); len(logins) == 0 || logins[0] != nil {
		t.Errorf("snsapi_base: OnLogin got info %v, want nil", logins)
	}
}

func TestLoginOnLoginWritesOrFails(t *testing.T) {
	t.Parallel()
	var fail atomic.Bool
	fail.Store(true)
	site := newLoginSite(t, oauth.ScopeBase, func(w http.ResponseWriter, _ *http.Request, tok *oauth.Token, _ *oauth.UserInfo) error {
		if fail.Load() {
			return errors.New("session store down")
		}
		http.SetCookie(w, &http.Cookie{Name: "session", Value: tok.OpenID})
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "welcome")
		return nil
	})
	to, _ := site.fake.Authorize(t.Context(), site.start(t, "/"), true)
	if resp, _ := site.get(t, to.String()); resp.StatusCode != http.StatusBadGateway {
		t.Errorf("OnLogin error: %d, want the error page", resp.StatusCode)
	}
	fail.Store(false)
	to, _ = site.fake.Authorize(t.Context(), site.start(t, "/"), true)
	if resp, body := site.get(t, to.String()); resp.StatusCode != http.StatusOK || body != "welcome" {
		t.Errorf("OnLogin that writes: %d %q", resp.StatusCode, body)
	}
}

// A snapshot-mode user (快照页) reaches OnLogin with no profile; an OnLogin that
// refuses them with ErrSnapshotUser ends on a page that says what to tap.
func TestLoginSnapshotUser(t *testing.T) {
	t.Parallel()
	var (
		mu   sync.Mutex
		seen []*oauth.UserInfo
	)
	site := newLoginSite(t, oauth.ScopeUserInfo, func(_ http.ResponseWriter, _ *http.Request, tok *oauth.Token, info *oauth.UserInfo) error {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, info)
		if !tok.IsSnapshotUser {
			return errors.New("want a snapshot user")
		}
		return oauth.ErrSnapshotUser
	})
	site.fake.SetSnapshotMode(true)
	to, err := site.fake.Authorize(t.Context(), site.start(t, "/"), true)
	if err != nil {
		t.Fatal(err)
	}
	resp, body := site.get(t, to.String())
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "使用完整服务") {
		t.Errorf("snapshot user: %d %s, want 403 and the page saying what to tap", resp.StatusCode, body)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 1 || seen[0] != nil {
		t.Errorf("OnLogin got profiles %v, want one call without a profile", seen)
	}
}

func TestLoginHandlerConfig(t *testing.T) {
	t.Parallel()
	_, svc := newService(t, nil)
	ok := func(http.ResponseWriter, *http.Request, *oauth.Token, *oauth.UserInfo) error { return nil }
	for _, cfg := range []oauth.LoginConfig{
		{CallbackURL: "http://127.0.0.1/login"},
		{CallbackURL: "/login", OnLogin: ok},
		{CallbackURL: "http://127.0.0.1/login#x", OnLogin: ok},
		{CallbackURL: "http://127.0.0.1/login", OnLogin: ok, CookieKey: []byte("short")},
		{CallbackURL: "http://127.0.0.1/login", OnLogin: ok, Scope: "snsapi_login"},
		{CallbackURL: "http://127.0.0.1/login", OnLogin: ok, Lang: "fr"},
	} {
		if _, err := svc.LoginHandler(cfg); err == nil {
			t.Errorf("LoginHandler(%+v): no error", cfg)
		}
	}
}

// The callback refuses any query it did not start, with a page, never a 500 or
// a panic; with a good state and a bad code it says what happened.
func FuzzLoginCallback(f *testing.F) {
	site := newLoginSite(f, oauth.ScopeUserInfo, nil)
	link := site.start(f, "/p")
	state := mustParse(f, link).Query().Get("state")
	f.Add("code=abc&state=" + state)
	f.Add("state=" + state)
	f.Add("code=&state=" + state + "&state=x")
	f.Add("code=abc&state=" + strings.Repeat("z", 32))
	f.Add("next=//evil")
	f.Add("%zz&state")
	cookies := site.client.Jar.Cookies(mustParse(f, site.ts.URL+"/login"))
	f.Fuzz(func(t *testing.T, query string) {
		r := httptest.NewRequest(http.MethodGet, "/login", nil)
		r.URL.RawQuery = query // as it came off the wire, whatever it is
		for _, c := range cookies {
			r.AddCookie(c)
		}
		w := httptest.NewRecorder()
		site.handler.ServeHTTP(w, r)
		switch w.Code {
		case http.StatusFound: // no state or code: a new sign-in
		case http.StatusBadRequest, http.StatusForbidden, http.StatusBadGateway, http.StatusSeeOther:
		default:
			t.Fatalf("callback ?%q: status %d", query, w.Code)
		}
		if loc := w.Header().Get("Location"); w.Code == http.StatusSeeOther && loc != "/p" {
			t.Fatalf("callback ?%q: redirected to %q", query, loc)
		}
	})
}
