package officialaccount

import (
	"log/slog"
	"net/http"

	"github.com/wxkit/wechat/credential"
)

// Config is what an Official Account (公众号) backend is configured with. A zero
// field takes its documented default.
type Config struct {
	AppID     string // 开发者ID, required
	AppSecret string // 开发者密码; required unless Credential is given

	// Token (令牌) and EncodingAESKey (消息加解密密钥) are the webhook's settings;
	// the API calls do not need them. When given, EncodingAESKey must be 43
	// characters of base64.
	Token          string
	EncodingAESKey string

	BaseURL    string              // API host; default wechat.DefaultBaseURL
	HTTPClient *http.Client        // default: a client with a 30 s timeout
	Credential credential.Provider // default: credential.New(AppID, AppSecret, …)
	Logger     *slog.Logger        // default: discards everything
}
