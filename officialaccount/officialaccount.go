package officialaccount

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/internal/account"
	"github.com/wxkit/wechat/internal/wxcrypto"
)

// OfficialAccount is the shared context of one Official Account: its settings, the
// access_token provider, the HTTP client and the logger. Every service (menu.New(oa),
// user.New(oa), message.NewServer(oa, h)) is built from one. It is safe for
// concurrent use and cheap to share.
type OfficialAccount struct {
	appID   string
	token   string // webhook Token
	baseURL string
	client  *http.Client
	cred    credential.Provider
	owned   *credential.Manager // the Manager New built, which Start and Shutdown cover
	logger  *slog.Logger

	// private returns the AppSecret and the decoded EncodingAESKey, for wxkit's
	// own packages (internal/account). A func, because fmt prints a func as an
	// address whatever the verb: printing oa never shows the secrets.
	private func() account.Private
}

func init() {
	account.Of = func(v any) account.Private { return v.(*OfficialAccount).private() }
}

// defaultTimeout bounds one API call when Config.HTTPClient is not given.
const defaultTimeout = 30 * time.Second

// ErrNoCredential is returned by every API call of an account built without an
// AppSecret and without a Credential: a webhook-only account, which answers
// pushes (message.NewServer) but cannot call WeChat's APIs.
var ErrNoCredential = errors.New("officialaccount: this account has no AppSecret and no Credential, so it serves the webhook only and cannot call APIs; set Config.AppSecret, or Config.Credential (a credential.Remote, say)")

// New checks cfg and returns the shared context. It does no I/O: the access_token
// is fetched on the first API call, or by the refresher that Start runs.
//
// Without an AppSecret and a Credential the account is webhook-only: enough for
// message.NewServer (it needs the AppID, Token and EncodingAESKey), while API calls
// return ErrNoCredential. Such a config must have a Token, or it could do nothing.
func New(cfg Config) (*OfficialAccount, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	oa := &OfficialAccount{
		appID:   cfg.AppID,
		token:   cfg.Token,
		baseURL: strings.TrimRight(cfg.BaseURL, "/"),
		client:  cfg.HTTPClient,
		cred:    cfg.Credential,
		logger:  cfg.Logger,
	}
	if oa.baseURL == "" {
		oa.baseURL = wechat.DefaultBaseURL
	}
	if oa.client == nil {
		oa.client = &http.Client{Timeout: defaultTimeout}
	}
	if oa.logger == nil {
		oa.logger = slog.New(slog.DiscardHandler)
	}
	private := account.Private{AppSecret: cfg.AppSecret}
	if cfg.EncodingAESKey != "" {
		private.AESKey, _ = wxcrypto.DecodeAESKey(cfg.EncodingAESKey) // checked by validate
	}
	oa.private = func() account.Private { return private }
	switch {
	case oa.cred != nil:
	case cfg.AppSecret != "":
		oa.owned = credential.New(cfg.AppID, cfg.AppSecret,
			credential.WithBaseURL(oa.baseURL),
			credential.WithHTTPClient(oa.client),
			credential.WithLogger(oa.logger))
		oa.cred = oa.owned
	default:
		oa.cred = noCredential{}
		oa.logger.Info("officialaccount: no AppSecret or Credential: webhook only, API calls fail with ErrNoCredential", "appid", cfg.AppID)
	}
	return oa, nil
}

// noCredential is the Provider of a webhook-only account.
type noCredential struct{}

func (noCredential) Token(context.Context) (string, error)           { return "", ErrNoCredential }
func (noCredential) Refresh(context.Context, string) (string, error) { return "", ErrNoCredential }

func (cfg Config) validate() error {
	var errs []error
	if cfg.AppID == "" {
		errs = append(errs, errors.New("AppID is required"))
	}
	// A value copied from the console into an environment file often brings a
	// newline or a "\r" along; WeChat's values never hold white space, and the
	// failures it causes later (40125, every push's signature refused) would
	// point at the wrong value. The error names the field, never the value.
	for _, f := range []struct{ name, v string }{
		{"AppID", cfg.AppID}, {"AppSecret", cfg.AppSecret}, {"Token", cfg.Token}, {"EncodingAESKey", cfg.EncodingAESKey},
	} {
		if strings.TrimSpace(f.v) != f.v {
			errs = append(errs, fmt.Errorf("%s has leading or trailing white space", f.name))
		}
	}
	if cfg.Credential == nil && cfg.AppSecret == "" && cfg.Token == "" {
		errs = append(errs, errors.New("AppSecret is required unless Credential is given (or, for a webhook-only account, Token)"))
	}
	if cfg.EncodingAESKey != "" && strings.TrimSpace(cfg.EncodingAESKey) == cfg.EncodingAESKey {
		if _, err := wxcrypto.DecodeAESKey(cfg.EncodingAESKey); err != nil {
			errs = append(errs, err)
		}
	}
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("BaseURL must be an absolute http(s) URL, got %q", cfg.BaseURL))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	// One line, every problem: logs stay readable and the fix needs one round.
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return fmt.Errorf("officialaccount: %s", strings.Join(msgs, "; "))
}

// Start starts what New built: the background refresher of the credential.Manager
// New made from the AppSecret, so that API calls never wait for a token. It does
// nothing for a Credential given in Config (start that yourself) or a webhook-only
// account. It reports what Manager.Start reports.
func (oa *OfficialAccount) Start() error {
	if oa.owned == nil {
		return nil
	}
	return oa.owned.Start()
}

// Shutdown stops what Start started and waits for the renewal under way, or for
// ctx to end, returning ctx's error then. API calls keep working afterwards,
// fetching the token on demand. Shut the webhook (message.Server.Shutdown) down
// first: its late replies may still call APIs.
func (oa *OfficialAccount) Shutdown(ctx context.Context) error {
	if oa.owned == nil {
		return nil
	}
	return oa.owned.Shutdown(ctx)
}

// AppID returns the account's AppID.
func (oa *OfficialAccount) AppID() string { return oa.appID }

// WebhookToken returns the webhook Token (令牌) used in signatures, "" when not set.
func (oa *OfficialAccount) WebhookToken() string { return oa.token }

// Credential returns the access_token provider: Config.Credential, the Manager New
// built, or, for a webhook-only account, one that answers ErrNoCredential.
func (oa *OfficialAccount) Credential() credential.Provider { return oa.cred }

// Logger returns the account's logger; it never returns nil.
func (oa *OfficialAccount) Logger() *slog.Logger { return oa.logger }

// HTTPClient returns the client API calls are sent with.
func (oa *OfficialAccount) HTTPClient() *http.Client { return oa.client }

// BaseURL returns the API host calls are sent to, without a trailing slash.
func (oa *OfficialAccount) BaseURL() string { return oa.baseURL }
