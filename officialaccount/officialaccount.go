package officialaccount

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/internal/wxcrypto"
)

// OfficialAccount is the shared context of one Official Account: its settings, the
// access_token provider, the HTTP client and the logger. Every service (menu.New(oa),
// user.New(oa), message.NewServer(oa, h)) is built from one. It is safe for
// concurrent use and cheap to share.
type OfficialAccount struct {
	appID   string
	token   string // webhook Token
	aesKey  []byte // decoded EncodingAESKey, nil when not configured
	baseURL string
	client  *http.Client
	cred    credential.Provider
	logger  *slog.Logger

	// secret is the AppSecret, for the module's own packages that must send it
	// (accountsecret.go); a pointer, so that printing oa shows an address.
	secret *string
}

// defaultTimeout bounds one API call when Config.HTTPClient is not given.
const defaultTimeout = 30 * time.Second

// New checks cfg and returns the shared context. It does no I/O: the access_token
// is fetched on the first API call (or by the credential's own refresher).
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
		secret:  &cfg.AppSecret,
	}
	if oa.baseURL == "" {
		oa.baseURL = wechat.DefaultBaseURL
	}
	if oa.client == nil {
		oa.client = &http.Client{Timeout: defaultTimeout}
	}
	if oa.logger == nil {
		oa.logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.EncodingAESKey != "" {
		oa.aesKey, _ = wxcrypto.DecodeAESKey(cfg.EncodingAESKey) // checked by validate
	}
	if oa.cred == nil {
		oa.cred = credential.New(cfg.AppID, cfg.AppSecret,
			credential.WithBaseURL(oa.baseURL),
			credential.WithHTTPClient(oa.client),
			credential.WithLogger(oa.logger))
	}
	return oa, nil
}

func (cfg Config) validate() error {
	var errs []error
	if cfg.AppID == "" {
		errs = append(errs, errors.New("AppID is required"))
	} else if strings.TrimSpace(cfg.AppID) != cfg.AppID {
		errs = append(errs, errors.New("AppID has leading or trailing white space"))
	}
	if cfg.Credential == nil && cfg.AppSecret == "" {
		errs = append(errs, errors.New("AppSecret is required unless Credential is given"))
	}
	if cfg.EncodingAESKey != "" {
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

// AppID returns the account's AppID.
func (oa *OfficialAccount) AppID() string { return oa.appID }

// WebhookToken returns the webhook Token (令牌) used in signatures, "" when not set.
func (oa *OfficialAccount) WebhookToken() string { return oa.token }

// AESKey returns the 32-byte AES key decoded from EncodingAESKey, or nil when the
// account is not configured for encrypted messages. The slice must not be modified.
func (oa *OfficialAccount) AESKey() []byte { return oa.aesKey }

// Credential returns the access_token provider.
func (oa *OfficialAccount) Credential() credential.Provider { return oa.cred }

// Logger returns the account's logger; it never returns nil.
func (oa *OfficialAccount) Logger() *slog.Logger { return oa.logger }

// HTTPClient returns the client API calls are sent with.
func (oa *OfficialAccount) HTTPClient() *http.Client { return oa.client }

// BaseURL returns the API host calls are sent to, without a trailing slash.
func (oa *OfficialAccount) BaseURL() string { return oa.baseURL }
