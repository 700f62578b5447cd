package credential

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wxkit/wechat"
)

// TicketType is the type of ticket /cgi-bin/ticket/getticket hands out.
type TicketType string

// The ticket types WeChat documents.
const (
	TicketJSAPI  TicketType = "jsapi"   // jsapi_ticket, for signing the JS-SDK's wx.config
	TicketWxCard TicketType = "wx_card" // the card ticket (api_ticket) of the card JS API
)

const pathTicket = "/cgi-bin/ticket/getticket"

// NewTicket returns a Manager for appID's ticket of type typ (JS-SDK 的
// jsapi_ticket), fetched with access_tokens from tokens. The ticket has the
// access_token's guarantees: cached, renewed ahead of expiry in the background,
// one fetch per renewal (share a Store among servers: the key holds the AppID and
// the type), and no AppSecret or token in errors. When getticket rejects the
// access_token (40001, 40014, 42001) it is refreshed through tokens and the fetch
// sent once more. Every Option applies except WithStableToken, which concerns the
// access_token only.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/JS-SDK.html
func NewTicket(tokens Provider, appID string, typ TicketType, opts ...Option) *Manager {
	s := managerSettings(opts)
	f := &ticketFetcher{tokens: tokens, appID: appID, typ: typ, baseURL: strings.TrimRight(s.baseURL, "/"), client: s.client}
	return newManager(f, s)
}

type ticketFetcher struct {
	tokens  Provider
	appID   string
	typ     TicketType
	baseURL string
	client  *http.Client
}

func (f *ticketFetcher) Key() string { return "ticket:" + string(f.typ) + ":" + f.appID }

// Fetch asks for a new ticket. force plays no part: WeChat's getticket has no
// forced mode (the spec documents none), so every fetch asks the same way.
func (f *ticketFetcher) Fetch(ctx context.Context, _ bool) (string, time.Duration, error) {
	token, err := f.tokens.Token(ctx)
	if err != nil {
		return "", 0, err
	}
	raw, err := f.get(ctx, token)
	if wechat.IsTokenInvalid(err) {
		if token, err = f.tokens.Refresh(ctx, token); err != nil {
			return "", 0, err
		}
		raw, err = f.get(ctx, token)
	}
	if err != nil {
		return "", 0, err
	}
	return parseTokenReply(pathTicket, raw, "ticket")
}

func (f *ticketFetcher) get(ctx context.Context, token string) ([]byte, error) {
	return get(ctx, f.client, f.baseURL, pathTicket, url.Values{"access_token": {token}, "type": {string(f.typ)}})
}
