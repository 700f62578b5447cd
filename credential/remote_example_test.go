package credential_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/wechattest"
)

// The central token server owns the token; a business server asks it with a
// Remote instead of fetching from WeChat itself.
func ExampleNewRemote() {
	fake := wechattest.NewServer() // plays WeChat
	defer fake.Close()

	// On the central server: a Manager with its refresher, served over HTTP.
	m := credential.New(fake.AppID(), fake.AppSecret(), fake.CredentialOptions()...)
	if err := m.Start(); err != nil {
		log.Fatal(err)
	}
	defer m.Shutdown(context.Background())
	const key = "a-long-random-shared-key-0123456789"
	srv, err := credential.NewServer(m, key)
	if err != nil {
		log.Fatal(err)
	}
	central := httptest.NewServer(srv)
	defer central.Close()

	// On each business server: a Remote, used wherever a Provider goes
	// (officialaccount.Config.Credential).
	r, err := credential.NewRemote(central.URL, key)
	if err != nil {
		log.Fatal(err)
	}
	tok, err := r.Token(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("valid on WeChat:", fake.ValidToken(tok))
	fmt.Println("fetches from WeChat:", fake.Calls("/cgi-bin/token"))
	// Output:
	// valid on WeChat: true
	// fetches from WeChat: 1
}
