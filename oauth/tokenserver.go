package oauth

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/internal/central"
	"github.com/wxkit/wechat/internal/wxhttp"
)

// tokenServer sends code exchanges to the central token server, through the
// client credential.Remote uses too.
type tokenServer struct{ c *central.Client }

func newTokenServer(baseURL, key string, hc *http.Client) (*tokenServer, error) {
	c, err := central.New("oauth", baseURL, key, hc)
	if err != nil {
		return nil, err
	}
	return &tokenServer{c: c}, nil
}

// exchange posts {"code":...} and decodes WeChat's reply, as the token server
// passed it on, into out once; a WeChat errcode is a *wechat.Error of
// pathAccessToken, the server's own refusals name the server.
func (ts *tokenServer) exchange(ctx context.Context, code string, out any) error {
	body, _ := json.Marshal(map[string]string{"code": code}) // cannot fail
	status, raw, err := ts.c.Do(ctx, http.MethodPost, credential.PathServerOAuthExchange, body)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return ts.c.StatusError(status, raw, credential.PathServerOAuthExchange)
	}
	return wxhttp.DecodeReply(pathAccessToken, raw, out)
}
