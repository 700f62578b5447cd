package credential

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tidwall/gjson"
	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/internal/wxhttp"
)

// Fetcher gets a new credential from upstream. A Manager calls it once per refresh
// in the process (and, with a shared Store, in the cluster), retrying it on -1 and
// transport errors. The access_token fetcher is built in; the JS-SDK jsapi_ticket,
// fetched with an access_token, is another Fetcher for the same Manager machinery.
type Fetcher interface {
	// Key names the credential in the Store: equal keys mean the same credential.
	Key() string
	// Fetch asks upstream for a credential and says how long it lives. force is set
	// for a passive refresh, when the current credential was rejected.
	Fetch(ctx context.Context, force bool) (value string, expiresIn time.Duration, err error)
}

// tokenFetcher gets the access_token from /cgi-bin/token or /cgi-bin/stable_token.
type tokenFetcher struct {
	appID, secret string
	baseURL       string
	client        *http.Client
	stable        bool
}

const (
	pathToken       = "/cgi-bin/token"
	pathStableToken = "/cgi-bin/stable_token"
)

// Key keeps classic and stable tokens apart: WeChat issues them independently.
func (f *tokenFetcher) Key() string {
	if f.stable {
		return "access_token:stable:" + f.appID
	}
	return "access_token:classic:" + f.appID
}

func (f *tokenFetcher) Fetch(ctx context.Context, force bool) (string, time.Duration, error) {
	var (
		raw []byte
		err error
		api = pathToken
	)
	if f.stable {
		api = pathStableToken
		body, _ := json.Marshal(map[string]any{ // cannot fail: strings and a bool
			"grant_type": "client_credential", "appid": f.appID, "secret": f.secret, "force_refresh": force,
		})
		req, rerr := wxhttp.NewRequest(ctx, http.MethodPost, f.baseURL, api, nil, bytes.NewReader(body))
		if rerr != nil {
			return "", 0, rerr
		}
		req.Header.Set("Content-Type", "application/json")
		raw, err = wxhttp.Do(f.client, req, api)
	} else {
		raw, err = get(ctx, f.client, f.baseURL, api, url.Values{"grant_type": {"client_credential"}, "appid": {f.appID}, "secret": {f.secret}})
	}
	if err != nil {
		return "", 0, explainTokenError(err, f.appID, f.secret)
	}
	return parseTokenReply(api, raw, "access_token")
}

// get sends GET baseURL+api?q, where q carries a secret or a token, through
// wxhttp (which checks errcode and redacts URLs in errors).
func get(ctx context.Context, client *http.Client, baseURL, api string, q url.Values) ([]byte, error) {
	req, err := wxhttp.NewRequest(ctx, http.MethodGet, baseURL, api, q, nil)
	if err != nil {
		return nil, err
	}
	return wxhttp.Do(client, req, api)
}

// ErrBadCredentials is wrapped by a token fetch error that says the AppID or
// AppSecret is wrong or missing: on the token endpoints 40001 means a wrong
// AppSecret, not a bad token. Fetching again cannot help, so the Manager waits
// as long as for the other problems only a person can fix.
var ErrBadCredentials = errors.New("credential: WeChat rejected the AppID or AppSecret; check both in the Official Account console (a reset secret invalidates the old one)")

// explainTokenError wraps the token endpoints' credential errcodes with
// ErrBadCredentials; wechat.Code still reaches WeChat's errcode. When the
// AppID or the AppSecret has white space around it (a copy from the console,
// a file read with its newline) the error says so, naming the field only.
func explainTokenError(err error, appID, secret string) error {
	switch wechat.Code(err) {
	case wechat.CodeInvalidCredential, wechat.CodeInvalidAppSecret, wechat.CodeInvalidAppID,
		wechat.CodeAppIDMissing, wechat.CodeSecretMissing:
		for _, f := range []struct{ name, value string }{{"AppID", appID}, {"AppSecret", secret}} {
			if f.value != strings.TrimSpace(f.value) {
				return fmt.Errorf("%w (the %s has white space around it: trim it): %w", ErrBadCredentials, f.name, err)
			}
		}
		return fmt.Errorf("%w: %w", ErrBadCredentials, err)
	}
	return err
}

// parseTokenReply reads {"<field>": "...", "expires_in": N}.
func parseTokenReply(api string, raw []byte, field string) (string, time.Duration, error) {
	value := gjson.GetBytes(raw, field).String()
	secs := gjson.GetBytes(raw, "expires_in").Int()
	if value == "" || secs <= 0 {
		return "", 0, fmt.Errorf("wechat: %s: reply has no %s or expires_in", api, field)
	}
	return value, lifetime(secs), nil
}

// maxLifetime is the longest lifetime believed. WeChat documents expires_in as at
// most 7200 s for tokens and tickets; a larger value is a broken or hostile
// upstream, and would overflow time.Duration past about 292 years (which made
// every Token call fetch). Renewing a longer-lived credential every two hours
// costs little.
const maxLifetime = 7200 * time.Second

// lifetime turns expires_in seconds into a duration, at most maxLifetime.
func lifetime(secs int64) time.Duration {
	if secs > int64(maxLifetime/time.Second) {
		return maxLifetime
	}
	return time.Duration(secs) * time.Second
}
