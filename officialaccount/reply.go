package officialaccount

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/internal/wxhttp"
)

// PostJSONReply is PostJSON for the few APIs whose error replies carry data:
// the reply is decoded into out also when WeChat answers a non-zero errcode,
// and the *wechat.Error is returned beside it. A mass send WeChat refuses with
// 45065 (already sent) names the first send's msg_id that way.
func (oa *OfficialAccount) PostJSONReply(ctx context.Context, path string, query url.Values, body, out any) error {
	payload, err := marshalBody(body)
	if err != nil {
		return fmt.Errorf("wechat: %s: encoding request: %w", path, err)
	}
	var raw []byte
	err = oa.withToken(ctx, path, func(token string) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, oa.endpoint(path, query, token), bytes.NewReader(payload))
		if err != nil {
			return fmt.Errorf("wechat: %s: bad path or base URL %q", path, oa.baseURL) // the URL holds the token
		}
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		raw, err = readReply(oa.client, req, path)
		if err != nil {
			return err
		}
		return wxhttp.Check(path, raw)
	})
	var we *wechat.Error
	if raw == nil || (err != nil && !errors.As(err, &we)) || out == nil {
		return err
	}
	if derr := json.Unmarshal(raw, out); derr != nil && err == nil {
		return fmt.Errorf("wechat: %s: decoding reply: %w", path, derr)
	}
	return err
}

// readReply sends req and reads the whole reply, within wxhttp's size limit,
// without judging its errcode.
func readReply(client *http.Client, req *http.Request, path string) ([]byte, error) {
	resp, err := wxhttp.Open(client, req, path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, wxhttp.MaxReply+1))
	if err != nil {
		return nil, fmt.Errorf("wechat: %s: reading reply: %w", path, err)
	}
	if len(raw) > wxhttp.MaxReply {
		return nil, fmt.Errorf("wechat: %s: reply is larger than %d bytes", path, wxhttp.MaxReply)
	}
	return raw, nil
}
