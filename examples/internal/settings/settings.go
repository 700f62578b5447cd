// Package settings reads the runnable programs' settings from the environment
// (WECHAT_APPID, WECHAT_APPSECRET, WECHAT_TOKEN, WECHAT_ENCODING_AES_KEY,
// WECHAT_API_BASE_URL, WECHAT_STABLE_TOKEN: names every program shares and
// other tools rely on), parses their flags with a -help that lists them, and
// starts the in-process fake WeChat platform when no credentials are given
// (sandbox mode), so that every example runs with one command.
package settings

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/message"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

// Settings are one program's account settings.
type Settings struct {
	AppID, AppSecret      string // WECHAT_APPID, WECHAT_APPSECRET
	Token, EncodingAESKey string // WECHAT_TOKEN, WECHAT_ENCODING_AES_KEY
	BaseURL               string // WECHAT_API_BASE_URL; "" for WeChat's own
	Stable                bool   // WECHAT_STABLE_TOKEN=1: /cgi-bin/stable_token

	// The webhook's safety switches: WECHAT_ALLOW_PLAINTEXT=1 accepts plaintext
	// pushes although an EncodingAESKey is set (a console switch between modes);
	// WECHAT_TIMESTAMP_SKEW (a Go duration, 0 turns the check off) sets how far a
	// push's timestamp may be from the clock; nil leaves the default.
	AllowPlaintext bool
	TimestampSkew  *time.Duration

	// Fake is the in-process platform of sandbox mode (WECHAT_APPID unset), nil
	// otherwise. The settings above are then its sandbox account's.
	Fake *wechattest.Server
}

// Load reads the settings through getenv. Without WECHAT_APPID it starts a fake
// platform with opts and takes its sandbox account (Close stops it); an AppSecret
// without an AppID is an error.
func Load(getenv func(string) string, opts ...wechattest.Option) (*Settings, error) {
	s := &Settings{
		AppID:          getenv("WECHAT_APPID"),
		AppSecret:      getenv("WECHAT_APPSECRET"),
		Token:          getenv("WECHAT_TOKEN"),
		EncodingAESKey: getenv("WECHAT_ENCODING_AES_KEY"),
		BaseURL:        getenv("WECHAT_API_BASE_URL"),
		Stable:         getenv("WECHAT_STABLE_TOKEN") == "1",
		AllowPlaintext: getenv("WECHAT_ALLOW_PLAINTEXT") == "1",
	}
	if v := getenv("WECHAT_TIMESTAMP_SKEW"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("WECHAT_TIMESTAMP_SKEW must be a Go duration such as 5m, or 0 to turn the check off; got %q", v)
		}
		s.TimestampSkew = &d
	}
	if s.AppID != "" {
		return s, nil
	}
	if s.AppSecret != "" {
		return nil, errors.New("WECHAT_APPSECRET is set but WECHAT_APPID is not: set both, or neither for the built-in fake WeChat")
	}
	fake := wechattest.NewServer(opts...)
	s.Fake = fake
	s.AppID, s.AppSecret = fake.AppID(), fake.AppSecret()
	s.Token, s.EncodingAESKey = fake.WebhookToken(), fake.EncodingAESKey()
	s.BaseURL = fake.URL()
	return s, nil
}

// RequireSecret returns an error when the program calls APIs but has no AppSecret.
func (s *Settings) RequireSecret() error {
	if s.AppSecret == "" {
		return errors.New("WECHAT_APPSECRET is required with WECHAT_APPID (or set neither for the built-in fake WeChat)")
	}
	return nil
}

// WebhookOptions are the message.Server options the settings ask for:
// WECHAT_ALLOW_PLAINTEXT and WECHAT_TIMESTAMP_SKEW, then extra.
func (s *Settings) WebhookOptions(extra ...message.Option) []message.Option {
	var opts []message.Option
	if s.AllowPlaintext {
		opts = append(opts, message.WithAllowPlaintext())
	}
	if s.TimestampSkew != nil {
		opts = append(opts, message.WithTimestampSkew(*s.TimestampSkew))
	}
	return append(opts, extra...)
}

// Close stops the fake platform of sandbox mode; it does nothing otherwise.
func (s *Settings) Close() {
	if s.Fake != nil {
		s.Fake.Close()
	}
}

// CredentialOptions are the options of the account's credential.Manager: the API
// host, the stable token when asked for, the fake's clock and client in sandbox
// mode, then extra.
func (s *Settings) CredentialOptions(extra ...credential.Option) []credential.Option {
	var opts []credential.Option
	if s.Fake != nil {
		opts = append(opts, s.Fake.CredentialOptions()...)
	}
	if s.BaseURL != "" {
		opts = append(opts, credential.WithBaseURL(s.BaseURL))
	}
	if s.Stable {
		opts = append(opts, credential.WithStableToken())
	}
	return append(opts, extra...)
}

// Manager returns a credential.Manager for the account, logging to logger.
// A nil logger keeps it quiet.
func (s *Settings) Manager(logger *slog.Logger, extra ...credential.Option) *credential.Manager {
	if logger != nil {
		extra = append([]credential.Option{credential.WithLogger(logger)}, extra...)
	}
	return credential.New(s.AppID, s.AppSecret, s.CredentialOptions(extra...)...)
}

// Account returns the shared context with cred as its token provider.
func (s *Settings) Account(cred credential.Provider, logger *slog.Logger) (*officialaccount.OfficialAccount, error) {
	cfg := officialaccount.Config{
		AppID: s.AppID, AppSecret: s.AppSecret, Token: s.Token, EncodingAESKey: s.EncodingAESKey,
		BaseURL: s.BaseURL, Credential: cred, Logger: logger,
	}
	if s.Fake != nil {
		cfg.HTTPClient = s.Fake.Client()
	}
	return officialaccount.New(cfg)
}
