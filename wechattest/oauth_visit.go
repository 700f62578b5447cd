package wechattest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// consentID finds the pending authorization on the consent page.
var consentID = regexp.MustCompile(`name="id" value="([0-9a-f]+)"`)

// Authorize plays the browser user (see AuthorizeAs) opening link, an authorize
// link such as oauth's AuthCodeURL makes (its #fragment is dropped, as browsers
// do), and answering the consent page with 允许 (allow) or 拒绝. It returns where
// WeChat sends the browser: redirect_uri with code and state, or with state only
// when the user declined. An error page of the authorize step (10003, say) is an
// error naming WeChat's code. Tests of a callback handler use it instead of a
// browser.
func (s *Server) Authorize(ctx context.Context, link string, allow bool) (*url.URL, error) {
	link, _, _ = strings.Cut(link, "#")
	client := &http.Client{
		Transport:     s.Client().Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	get := func(method, target string, body io.Reader) (*http.Response, []byte, error) {
		req, err := http.NewRequestWithContext(ctx, method, target, body)
		if err != nil {
			return nil, nil, err
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return resp, b, err
	}
	resp, page, err := get(http.MethodGet, link, nil)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusOK {
		m := consentID.FindSubmatch(page)
		if m == nil {
			return nil, errors.New("wechattest: Authorize: the consent page has no form")
		}
		action := "deny"
		if allow {
			action = "allow"
		}
		form := url.Values{"id": {string(m[1])}, "action": {action}}
		if resp, page, err = get(http.MethodPost, s.URL()+PathAuthorizeConsent, strings.NewReader(form.Encode())); err != nil {
			return nil, err
		}
	}
	if resp.StatusCode != http.StatusFound {
		return nil, fmt.Errorf("wechattest: Authorize: the authorize page answered %d: %s", resp.StatusCode, pageError(page))
	}
	return url.Parse(resp.Header.Get("Location"))
}

var pageErrorText = regexp.MustCompile(`<p id="error">([^<]*)</p>`)

func pageError(page []byte) string {
	if m := pageErrorText.FindSubmatch(page); m != nil {
		return string(m[1])
	}
	return strings.TrimSpace(string(page))
}
