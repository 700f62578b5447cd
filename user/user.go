package user

import (
	"errors"
	"fmt"

	"github.com/wxkit/wechat/officialaccount"
)

// Service calls the user-management APIs (用户管理) of one Official Account. It is
// safe for concurrent use.
type Service struct {
	oa *officialaccount.OfficialAccount
}

// New returns the user service of oa.
func New(oa *officialaccount.OfficialAccount) *Service { return &Service{oa: oa} }

// ErrEmptyOpenID is returned, before any request, when an OpenID argument is "".
var ErrEmptyOpenID = errors.New("user: empty openid")

// checkOpenIDs reports the first empty OpenID of ids, naming its index.
func checkOpenIDs(ids []string) error {
	for i, id := range ids {
		if id == "" {
			return fmt.Errorf("openid[%d]: %w", i, ErrEmptyOpenID)
		}
	}
	return nil
}

// chunks splits ids into slices of at most n, in order, sharing ids' array.
func chunks(ids []string, n int) [][]string {
	var out [][]string
	for len(ids) > n {
		out = append(out, ids[:n:n])
		ids = ids[n:]
	}
	if len(ids) > 0 {
		out = append(out, ids)
	}
	return out
}
