package oauth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/tidwall/gjson"
	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/internal/wxhttp"
	"github.com/wxkit/wechat/officialaccount"
)

// minServerKey is the shortest token server key, as credential.NewRemote wants.
const minServerKey = 16

// tokenServer sends code exchanges to the central token server.
type tokenServer struct {
	url    string // base + /oauth/exchange
	server string // base, redacted, for errors
	auth   string
	client *http.Client
}

func newTokenServer(baseURL, key string, oa *officialaccount.OfficialAccount) (*tokenServer, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return nil, fmt.Errorf("oauth: the token server URL must be an absolute http(s) URL without a query, got %q", wxhttp.Redact(baseURL))
	}
	if len(key) < minServerKey {
		return nil, fmt.Errorf("oauth: the token server key must be at least %d bytes, got %d", minServerKey, len(key))
	}
	base := strings.TrimRight(u.String(), "/")
	return &tokenServer{url: base + credential.PathServerOAuthExchange, server: wxhttp.Redact(base), auth: "Bearer " + key, client: oa.HTTPClient()}, nil
}

// exchange posts {"code":...} and returns WeChat's reply as the token server
// passed it on; a WeChat errcode is a *wechat.Error of PathAccessToken, the
// server's own refusals name the server.
func (ts *tokenServer) exchange(ctx context.Context, code string) ([]byte, error) {
	body, _ := json.Marshal(map[string]string{"code": code}) // cannot fail
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("oauth: central token server %s: %w", ts.server, err)
	}
	req.Header.Set("Authorization", ts.auth)
	req.Header.Set("Content-Type", "application/json")
	resp, err := ts.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its URL is ours; name the server once, redacted
		}
		return nil, fmt.Errorf("oauth: central token server %s unreachable: %w", ts.server, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("oauth: central token server %s: reading the answer: %w", ts.server, err)
	}
	switch {
	case resp.StatusCode == http.StatusOK:
		if err := wxhttp.Check(PathAccessToken, raw); err != nil {
			return nil, err
		}
		return raw, nil
	case resp.StatusCode == http.StatusUnauthorized:
		return nil, fmt.Errorf("oauth: central token server %s refused the key (HTTP 401): give this server the token server's key", ts.server)
	}
	code2 := gjson.GetBytes(raw, "errcode")
	if !code2.Exists() {
		return nil, fmt.Errorf("oauth: central token server %s: HTTP %d %s", ts.server, resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	we := &wechat.Error{Code: int(code2.Int()), Message: gjson.GetBytes(raw, "errmsg").String(), API: credential.PathServerOAuthExchange}
	return nil, fmt.Errorf("oauth: central token server %s: HTTP %d: %w", ts.server, resp.StatusCode, we)
}
