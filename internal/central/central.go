// Package central is the client side of wxkit's central token server
// (中控服务器, credential.Server): credential.Remote asks it for access_tokens,
// and oauth sends it 网页授权 code exchanges for servers that hold no AppSecret.
// One place builds the requests, names the server without credentials and
// explains its refusals, in the words of the package that called.
package central

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/internal/wxhttp"
)

// MinKeyLen is the shortest key the token server and its clients accept.
const MinKeyLen = 16

// maxReply bounds an answer read from the server; its answers are small JSON.
const maxReply = 64 << 10

// Client talks to one token server. It is safe for concurrent use.
type Client struct {
	pkg    string // prefixes errors: "credential", "oauth"
	base   string // without a trailing slash
	server string // base without credentials, for errors and logs
	auth   string // "Bearer <key>"
	http   *http.Client
}

// New checks baseURL (an absolute http(s) URL without a query) and key (at
// least MinKeyLen bytes) and returns a client sending with hc. pkg, the calling
// package's name, starts its errors.
func New(pkg, baseURL, key string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return nil, fmt.Errorf("%s: the token server URL must be an absolute http(s) URL without a query, got %q", pkg, wxhttp.Redact(baseURL))
	}
	if len(key) < MinKeyLen {
		return nil, fmt.Errorf("%s: the token server key must be at least %d bytes, got %d", pkg, MinKeyLen, len(key))
	}
	base := strings.TrimRight(u.String(), "/")
	return &Client{pkg: pkg, base: base, server: wxhttp.Redact(base), auth: "Bearer " + key, http: hc}, nil
}

// PlainHTTPToAnotherHost reports whether the server is reached over plain
// http:// on another machine, where the key and every token cross the network
// unencrypted. Loopback is fine.
func (c *Client) PlainHTTPToAnotherHost() bool {
	u, err := url.Parse(c.base)
	if err != nil || u.Scheme != "http" {
		return false
	}
	host := u.Hostname()
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// Server returns the server's base URL without credentials, as errors and logs
// name it.
func (c *Client) Server() string { return c.server }

// Do sends method path (such as "/token") with body, JSON or nil, and the key,
// and returns the HTTP status and the answer (at most 64 KiB read). Its errors
// name the server, never the key: unreachable, or the answer cut off.
func (c *Client) Do(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, nil, fmt.Errorf("%s: central token server %s: %w", c.pkg, c.server, err)
	}
	req.Header.Set("Authorization", c.auth)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its URL is ours; name the server once, redacted
		}
		return 0, nil, fmt.Errorf("%s: central token server %s unreachable: %w", c.pkg, c.server, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		return 0, nil, fmt.Errorf("%s: central token server %s: reading the answer: %w", c.pkg, c.server, err)
	}
	return resp.StatusCode, raw, nil
}

// StatusError explains a non-200 answer to a request for api: a refused key
// says what to do, and a WeChat errcode in the answer is a *wechat.Error of api,
// reachable with errors.As.
func (c *Client) StatusError(status int, raw []byte, api string) error {
	if status == http.StatusUnauthorized {
		return fmt.Errorf("%s: central token server %s refused the key (HTTP 401): give this server the token server's key", c.pkg, c.server)
	}
	code := gjson.GetBytes(raw, "errcode")
	if !code.Exists() {
		return fmt.Errorf("%s: central token server %s: HTTP %d %s", c.pkg, c.server, status, http.StatusText(status))
	}
	we := &wechat.Error{Code: int(code.Int()), Message: gjson.GetBytes(raw, "errmsg").String(), API: api}
	return fmt.Errorf("%s: central token server %s: HTTP %d: %w", c.pkg, c.server, status, we)
}
