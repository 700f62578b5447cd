package customerservice

import "github.com/wxkit/wechat/officialaccount"

// Service calls the customer-service APIs (客服) of one Official Account. It is safe
// for concurrent use.
type Service struct {
	oa *officialaccount.OfficialAccount
}

// New returns the customer-service service of oa.
func New(oa *officialaccount.OfficialAccount) *Service { return &Service{oa: oa} }
