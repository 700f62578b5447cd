package subscribe

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/wxkit/wechat/officialaccount"
)

// Templates calls the account's own templates (个人模板): the public ones it
// chose, with the keywords it chose.
type Templates struct {
	oa *officialaccount.OfficialAccount
}

// Templates returns the calls of the account's templates.
func (s *Service) Templates() *Templates { return &Templates{oa: s.oa} }

// Template is one of the account's templates (个人模板).
type Template struct {
	ID      string       `json:"priTmplId"`
	Title   string       `json:"title"`
	Content string       `json:"content"` // "商品名称:{{thing1.DATA}}\n…": the keywords Data needs
	Example string       `json:"example"`
	Type    TemplateType `json:"type"`
}

// Limits of Templates.Add.
const (
	MinKeywords  = 2
	MaxKeywords  = 5
	MaxSceneDesc = 15 // characters
)

// Add adds the public template tid with the keywords kids (2 to 5, in the order
// they will show) to the account and returns the new template's id (选用模板).
// sceneDesc says where it is used, at most 15 characters. The account keeps at
// most 25 templates (200012). WeChat's page says the body is form-encoded;
// every SDK sends JSON, as wxkit does.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Subscription_Messages/api.html
func (t *Templates) Add(ctx context.Context, tid int, kids []int, sceneDesc string) (string, error) {
	switch {
	case len(kids) < MinKeywords || len(kids) > MaxKeywords:
		return "", fmt.Errorf("subscribe: %d keywords, a template takes %d to %d", len(kids), MinKeywords, MaxKeywords)
	case utf8.RuneCountInString(sceneDesc) > MaxSceneDesc:
		return "", fmt.Errorf("subscribe: sceneDesc is %d characters, the limit is %d", utf8.RuneCountInString(sceneDesc), MaxSceneDesc)
	}
	body := map[string]any{"tid": strconv.Itoa(tid), "kidList": kids, "sceneDesc": sceneDesc}
	var w struct {
		ID string `json:"priTmplId"`
	}
	if err := t.oa.PostJSON(ctx, "/wxaapi/newtmpl/addtemplate", nil, body, &w); err != nil {
		return "", err
	}
	return w.ID, nil
}

// Delete removes the account's template id (删除模板).
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Subscription_Messages/api.html
func (t *Templates) Delete(ctx context.Context, id string) error {
	if id == "" {
		return errors.New("subscribe: empty template id")
	}
	return t.oa.PostJSON(ctx, "/wxaapi/newtmpl/deltemplate", nil, map[string]string{"priTmplId": id}, nil)
}

// List returns the account's templates (获取私有模板列表): all of them, at most 25.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Subscription_Messages/api.html
func (t *Templates) List(ctx context.Context) ([]Template, error) {
	var w struct {
		Data []Template `json:"data"`
	}
	if err := t.oa.GetJSON(ctx, "/wxaapi/newtmpl/gettemplate", nil, &w); err != nil {
		return nil, err
	}
	return w.Data, nil
}
