package credential_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/wechattest"
)

func ExampleManager() {
	fake := wechattest.NewServer()
	defer fake.Close()

	m := credential.New(fake.AppID(), fake.AppSecret(), fake.CredentialOptions()...)
	if err := m.Start(); err != nil { // renews ahead of expiry in the background
		log.Fatal(err)
	}
	defer m.Shutdown(context.Background())

	ctx := context.Background()
	token, err := m.Token(ctx)
	if err != nil {
		log.Fatal(err)
	}
	// An API answered 40001 for token: ask for a good one, naming the bad one.
	fresh, err := m.Refresh(ctx, token)
	fmt.Println(err, fresh != token)

	// Someone else already refreshed: no second fetch.
	again, _ := m.Refresh(ctx, token)
	fmt.Println(again == fresh, time.Until(m.Stats().ExpiresAt) > time.Hour)
	// Output:
	// <nil> true
	// true true
}
