package customerservice

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Account is a customer-service account (客服账号) as getkflist lists it.
type Account struct {
	Account    string      `json:"kf_account"`    // "prefix@wechatid"
	Nickname   string      `json:"kf_nick"`       // shown to followers
	ID         json.Number `json:"kf_id"`         // WeChat sends a number or a numeric string
	HeadImgURL string      `json:"kf_headimgurl"` // the avatar
	WeChatID   string      `json:"kf_wx"`         // the personal WeChat bound to the account
	InviteWx   string      `json:"invite_wx"`     // the personal WeChat invited, while pending
	// InviteExpireTime is when a pending invitation expires (unix seconds; 0 when none).
	InviteExpireTime int64        `json:"invite_expire_time"`
	InviteStatus     InviteStatus `json:"invite_status"`
}

// InviteExpires returns InviteExpireTime as a time, zero when there is none.
func (a Account) InviteExpires() time.Time {
	if a.InviteExpireTime == 0 {
		return time.Time{}
	}
	return time.Unix(a.InviteExpireTime, 0)
}

// InviteStatus is the state of an invitation to bind a personal WeChat to a kf
// account.
type InviteStatus string

// The invitation states WeChat documents.
const (
	InviteWaiting  InviteStatus = "waiting"
	InviteRejected InviteStatus = "rejected"
	InviteExpired  InviteStatus = "expired"
)

// OnlineAccount is a kf account that is online (在线客服).
type OnlineAccount struct {
	Account      string      `json:"kf_account"`
	Status       int         `json:"status"` // 1: online on the web client
	ID           json.Number `json:"kf_id"`
	AcceptedCase int         `json:"accepted_case"` // sessions being served
}

// Limits of kf accounts, as WeChat documents them.
const (
	MaxAccounts      = 100 // kf accounts per Official Account
	MaxNicknameChars = 16  // characters of a nickname
)

const (
	maxAccountPrefix = 10 // characters of [A-Za-z0-9_] before the @
	maxAccountSuffix = 30 // characters of the account's WeChat ID after it
)

// checkAccount checks the shape "prefix@wechatid" of a kf account.
func checkAccount(account string) error {
	prefix, suffix, ok := strings.Cut(account, "@")
	if !ok || suffix == "" || strings.Contains(suffix, "@") || utf8.RuneCountInString(suffix) > maxAccountSuffix {
		return fmt.Errorf("customerservice: kf account %q must be prefix@<the account's WeChat ID> (at most %d characters after @)", account, maxAccountSuffix)
	}
	if prefix == "" || len(prefix) > maxAccountPrefix || strings.IndexFunc(prefix, func(r rune) bool {
		return !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) >= 0 {
		return fmt.Errorf("customerservice: kf account %q: the part before @ must be 1 to %d characters of A-Z, a-z, 0-9 and _", account, maxAccountPrefix)
	}
	return nil
}

func checkNickname(nick string) error {
	if n := utf8.RuneCountInString(nick); n == 0 || n > MaxNicknameChars {
		return fmt.Errorf("customerservice: nickname is %d characters, it must be 1 to %d", n, MaxNicknameChars)
	}
	return nil
}

type accountBody struct {
	Account  string `json:"kf_account"`
	Nickname string `json:"nickname"`
}

// AddAccount creates the kf account ("prefix@wechatid") shown as nickname. Errcodes
// worth handling: 65400 the new customer-service feature is not enabled, 65406 the
// account exists, 65405 the account already has 100.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Customer_Service/Customer_Service_Management.html
func (s *Service) AddAccount(ctx context.Context, account, nickname string) error {
	if err := checkAccount(account); err != nil {
		return err
	}
	if err := checkNickname(nickname); err != nil {
		return err
	}
	return s.oa.PostJSON(ctx, "/customservice/kfaccount/add", nil, accountBody{account, nickname}, nil)
}

// UpdateAccount changes the nickname of the kf account; an unknown account is
// errcode 65401.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Customer_Service/Customer_Service_Management.html
func (s *Service) UpdateAccount(ctx context.Context, account, nickname string) error {
	if err := checkAccount(account); err != nil {
		return err
	}
	if err := checkNickname(nickname); err != nil {
		return err
	}
	return s.oa.PostJSON(ctx, "/customservice/kfaccount/update", nil, accountBody{account, nickname}, nil)
}

// DeleteAccount deletes the kf account; an unknown account is errcode 65401.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Customer_Service/Customer_Service_Management.html
func (s *Service) DeleteAccount(ctx context.Context, account string) error {
	if err := checkAccount(account); err != nil {
		return err
	}
	return s.oa.GetJSON(ctx, "/customservice/kfaccount/del", url.Values{"kf_account": {account}}, nil)
}

// Accounts lists the account's kf accounts (获取客服基本信息).
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Customer_Service/Customer_Service_Management.html
func (s *Service) Accounts(ctx context.Context) ([]Account, error) {
	var resp struct {
		List []Account `json:"kf_list"`
	}
	if err := s.oa.GetJSON(ctx, "/cgi-bin/customservice/getkflist", nil, &resp); err != nil {
		return nil, err
	}
	return resp.List, nil
}

// OnlineAccounts lists the kf accounts online now, with the sessions each serves.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Customer_Service/Customer_Service_Management.html
func (s *Service) OnlineAccounts(ctx context.Context) ([]OnlineAccount, error) {
	var resp struct {
		List []OnlineAccount `json:"kf_online_list"`
	}
	if err := s.oa.GetJSON(ctx, "/cgi-bin/customservice/getonlinekflist", nil, &resp); err != nil {
		return nil, err
	}
	return resp.List, nil
}
