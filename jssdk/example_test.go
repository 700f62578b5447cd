package jssdk_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"

	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/jssdk"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

// The JS-SDK document's own example; the #fragment is not signed.
func ExampleSign() {
	ticket := "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg"
	fmt.Println(jssdk.Sign(ticket, "Wm3WZYTPz0wzccnW", 1414587457, "http://mp.weixin.qq.com?params=value#share"))
	// Output: 0f9de62fce790f9a083d5c99e95740ceb90c27ed
}

func ExampleSigner_Config() {
	fake := wechattest.NewServer()
	defer fake.Close()
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		log.Fatal(err)
	}
	tickets := credential.NewTicket(oa.Credential(), oa.AppID(), credential.TicketJSAPI, fake.CredentialOptions()...)
	signer := jssdk.New(tickets)
	cfg, err := signer.Config(context.Background(), "http://127.0.0.1/share?id=7#top", []string{"updateAppMessageShareData"}, nil)
	if err != nil {
		log.Fatal(err)
	}
	raw, _ := json.Marshal(map[string]any{"appId": cfg.AppID, "jsApiList": cfg.JSAPIList})
	fmt.Println(string(raw), len(cfg.Signature), len(cfg.NonceStr))
	// Output: {"appId":"wx5c2a7d9e1b3f4a6d","jsApiList":["updateAppMessageShareData"]} 40 16
}

// A page reports that WeChat refused its wx.config (wx.error "invalid
// signature"), sending back the config and its URL: the ticket that signed it
// is renewed once, however many pages report it.
func ExampleSigner_RefreshFor() {
	fake := wechattest.NewServer()
	defer fake.Close()
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		log.Fatal(err)
	}
	signer := jssdk.New(credential.NewTicket(oa.Credential(), oa.AppID(), credential.TicketJSAPI, fake.CredentialOptions()...))
	ctx := context.Background()
	page := "http://127.0.0.1/share?id=7"
	refused, err := signer.Config(ctx, page, []string{"updateAppMessageShareData"}, nil)
	if err != nil {
		log.Fatal(err)
	}

	fmt.Println(signer.RefreshFor(ctx, refused, page))                                 // renewed
	fmt.Println(errors.Is(signer.RefreshFor(ctx, refused, page), jssdk.ErrNotCurrent)) // renewed already: sign again
	// Output:
	// <nil>
	// true
}
