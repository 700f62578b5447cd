package oauth

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/internal/central"
	"github.com/wxkit/wechat/internal/wxhttp"
)

// exchangeAtServer sends a code exchange to the central token server through c,
// the client credential.Remote uses too: it posts {"code":...} and decodes
// WeChat's reply, as the token server passed it on, into out once; a WeChat
// errcode is a *wechat.Error of pathAccessToken, the server's own refusals name
// the server.
func exchangeAtServer(ctx context.Context, c *central.Client, code string, out any) error {
	body, _ := json.Marshal(map[string]string{"code": code}) // cannot fail
	status, raw, err := c.Do(ctx, http.MethodPost, credential.PathServerOAuthExchange, body)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return c.StatusError(status, raw, credential.PathServerOAuthExchange)
	}
	return wxhttp.DecodeReply(pathAccessToken, raw, out)
}
