package officialaccount

import (
	"log/slog"
	"net/http"

	"github.com/wxkit/wechat/credential"
)

// Config is what an Official Account (公众号) backend is configured with. A zero
// field takes its documented default.
type Config struct {
	AppID string // 开发者ID, required

	// AppSecret (开发者密码) is what the default credential.Manager fetches the
	// access_token with. Without it and without Credential the account is
	// webhook-only: message.NewServer works, API calls return ErrNoCredential.
	AppSecret string

	// Token (令牌) and EncodingAESKey (消息加解密密钥) are the webhook's settings
	// (基本配置 → 服务器配置 in the console); the API calls do not need them. When
	// given, EncodingAESKey must be 43 characters of base64.
	Token          string
	EncodingAESKey string

	BaseURL    string       // API host; default wechat.DefaultBaseURL
	HTTPClient *http.Client // default: a client with a 30 s timeout

	// Credential is the access_token provider: a credential.Remote on a server
	// that asks a central token server, or a Manager you configured yourself (on
	// Redis, say), whose lifecycle is then yours. Default: credential.New(AppID,
	// AppSecret, …), which the account's Start and Shutdown cover.
	Credential credential.Provider

	Logger *slog.Logger // default: discards everything
}
