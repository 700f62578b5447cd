package credential

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/internal/webauth"
)

// PathServerOAuthExchange is the token server's 网页授权 code exchange, pinned in
// DESIGN.md: POST {"code":"..."} with the same Bearer key, answered with WeChat's
// own /sns/oauth2/access_token JSON. Business servers that use a Remote hold no
// AppSecret; oauth.WithTokenServer sends their exchanges here.
const PathServerOAuthExchange = "/oauth/exchange"

// maxExchangeBody bounds the body of POST /oauth/exchange; a code is 32 characters.
const maxExchangeBody = 4 << 10

// errNoExchange: the server's Provider cannot exchange codes.
var errNoExchange = errors.New("credential: this Provider holds no AppSecret and cannot exchange 网页授权 codes")

// codeExchanger is implemented by Providers that hold the AppSecret: a *Manager
// built by New.
type codeExchanger interface {
	exchangeCode(ctx context.Context, code string) ([]byte, error)
}

// exchangeCode sends WeChat's code exchange with the Manager's AppID and
// AppSecret: the secret stays in the one Manager that fetches the token. A
// Manager of another credential (NewTicket, NewWithFetcher) has no secret.
func (m *Manager) exchangeCode(ctx context.Context, code string) ([]byte, error) {
	f, ok := m.fetcher.(*tokenFetcher)
	if !ok {
		return nil, errNoExchange
	}
	return webauth.ExchangeCode(ctx, f.client, f.baseURL, f.appID, f.secret, code)
}

// serveExchange answers POST /oauth/exchange, once ServeHTTP has checked the
// key and the method. WeChat's answer, errcode or not, is
// passed on as it came, with HTTP 200, so the caller reads it as WeChat's; the
// server's own refusals use the statuses of the token endpoints (401 key, 405
// method, 400 body, 501 no AppSecret here, 502 WeChat unreachable). Neither the
// code nor the tokens in the answer are logged.
func (srv *Server) serveExchange(w http.ResponseWriter, r *http.Request) {
	ex, ok := srv.p.(codeExchanger)
	if !ok {
		writeServerError(w, http.StatusNotImplemented, wechat.CodeAPIUnauthorized, "api unauthorized: this token server holds no AppSecret and cannot exchange codes")
		return
	}
	var body struct {
		Code string `json:"code"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxExchangeBody)).Decode(&body); err != nil {
		writeServerError(w, http.StatusBadRequest, wechat.CodeBodyUnparsable, `data format error: body must be {"code":"<the code>"}`)
		return
	}
	if body.Code == "" {
		writeServerError(w, http.StatusBadRequest, wechat.CodeOAuthCodeMissing, "missing code")
		return
	}
	raw, err := ex.exchangeCode(r.Context(), body.Code)
	var we *wechat.Error
	switch {
	case err == nil:
	case errors.Is(err, errNoExchange):
		writeServerError(w, http.StatusNotImplemented, wechat.CodeAPIUnauthorized, "api unauthorized: this token server holds no AppSecret and cannot exchange codes")
		return
	case errors.As(err, &we):
		// WeChat's errmsg carries no secret; the code is not echoed.
		raw, _ = json.Marshal(map[string]any{"errcode": we.Code, "errmsg": we.Message})
	case r.Context().Err() != nil:
		return // the caller went away
	default:
		srv.logger.Error("credential: token server: code exchange failed", "err", err) // redacted by wxhttp
		writeServerError(w, http.StatusBadGateway, wechat.CodeSystemBusy, "system error: WeChat could not be reached for the code exchange")
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(raw)
}
