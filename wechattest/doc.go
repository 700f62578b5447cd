// Package wechattest is a fake WeChat platform for tests: the Official Account API
// endpoints on an httptest server with WeChat's real rules (tokens that a newer
// fetch invalidates after a grace period, daily quotas, the 48-hour customer-service
// window, API limits and error codes), a clock that tests move forward instead of
// sleeping, fault injection, and a client that pushes signed or encrypted messages to
// a webhook the way WeChat does.
//
//	fake := wechattest.NewServer()
//	defer fake.Close()
//	oa, err := officialaccount.New(fake.Config())
//
// wxkit's own tests use it; so can the tests of programs built on wxkit.
package wechattest
