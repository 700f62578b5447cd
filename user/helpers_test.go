package user_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/wxkit/wechat/user"
	"github.com/wxkit/wechat/wechattest"
)

// newService starts a fake platform for one test and returns it with a user
// service talking to it.
func newService(t *testing.T) (*wechattest.Server, *user.Service) {
	t.Helper()
	fake, oa := wechattest.Start(t)
	return fake, user.New(oa)
}

// requestSizes returns the length of the list field in every request body sent
// to path, oldest first: field is "user_list" or "openid_list".
func requestSizes(t *testing.T, fake *wechattest.Server, path, field string) []int {
	t.Helper()
	var sizes []int
	for _, r := range fake.Requests(path) {
		var body map[string]json.RawMessage
		var list []json.RawMessage
		if err := errors.Join(json.Unmarshal(r.Body, &body), json.Unmarshal(body[field], &list)); err != nil {
			t.Fatalf("request to %s: body %s: %v", path, r.Body, err)
		}
		sizes = append(sizes, len(list))
	}
	return sizes
}

// collect drains a sequence, stopping at its first error.
func collect(t *testing.T, seq func(func(string, error) bool)) ([]string, error) {
	t.Helper()
	var got []string
	for id, err := range seq {
		if err != nil {
			return got, err
		}
		got = append(got, id)
	}
	return got, nil
}
