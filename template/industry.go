package template

import (
	"context"
	"fmt"
	"strconv"
)

// Industry codes run from 1 to 41 in WeChat's industry table (行业代码), for
// example 1 IT科技/互联网|电子商务, 13 运输与仓储/快递, 41 其它/其它.
const (
	MinIndustryID = 1
	MaxIndustryID = 41
)

// Industry is one of the account's two industries as WeChat names it.
type Industry struct {
	FirstClass  string `json:"first_class"`  // 主行业, such as "IT科技"
	SecondClass string `json:"second_class"` // 副行业, such as "互联网|电子商务"
}

// Industries is the account's industry setting (所属行业).
type Industries struct {
	Primary   Industry `json:"primary_industry"`
	Secondary Industry `json:"secondary_industry"`
}

// SetIndustry sets the account's primary and secondary industry by their codes
// in WeChat's industry table (1–41). WeChat allows one change a month. The
// industry decides which library templates the account can add.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html
func (s *Service) SetIndustry(ctx context.Context, primary, secondary int) error {
	for _, id := range []int{primary, secondary} {
		if id < MinIndustryID || id > MaxIndustryID {
			return fmt.Errorf("template: industry code %d is outside WeChat's table (%d–%d)", id, MinIndustryID, MaxIndustryID)
		}
	}
	body := map[string]string{"industry_id1": strconv.Itoa(primary), "industry_id2": strconv.Itoa(secondary)}
	return s.oa.PostJSON(ctx, "/cgi-bin/template/api_set_industry", nil, body, nil)
}

// Industry returns the account's industry setting (获取设置的行业信息).
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html
func (s *Service) Industry(ctx context.Context) (*Industries, error) {
	var in Industries
	if err := s.oa.GetJSON(ctx, "/cgi-bin/template/get_industry", nil, &in); err != nil {
		return nil, err
	}
	return &in, nil
}
