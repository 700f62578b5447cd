package template

import (
	"context"
	"errors"
	"regexp"
	"strings"
)

// MaxPrivateTemplates is how many templates an account holds at most.
const MaxPrivateTemplates = 25

// Template is one of the account's private templates (私有模板).
type Template struct {
	TemplateID      string `json:"template_id"`
	Title           string `json:"title"`
	PrimaryIndustry string `json:"primary_industry"`
	DeputyIndustry  string `json:"deputy_industry"`
	// Content shows the fields as placeholders: "{{thing1.DATA}}"; see Keys.
	Content string `json:"content"`
	Example string `json:"example"`
}

var placeholder = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\.DATA\s*\}\}`)

// Keys returns the data keys the template's content uses, in order, each once:
// the keys a [Message] must fill.
func (t Template) Keys() []string {
	var keys []string
	seen := map[string]bool{}
	for _, m := range placeholder.FindAllStringSubmatch(t.Content, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			keys = append(keys, m[1])
		}
	}
	return keys
}

// Add adds the library template shortID to the account's private
// templates and returns its template_id. shortID is "TM…" or "OPENTM…" for legacy
// templates and all digits for category templates (类目模板); a category template
// needs keywordNames, the names of the keywords to use, in order (WeChat answers
// 40246 for missing or unknown keywords). An account holds at most 25 templates.
//
// WeChat docs: https://developers.weixin.qq.com/doc/service/api/notify/template/api_addtemplate.html
func (s *Service) Add(ctx context.Context, shortID string, keywordNames []string) (string, error) {
	switch {
	case shortID == "":
		return "", errors.New("template: Add: template_id_short is required")
	case isCategory(shortID) && len(keywordNames) == 0:
		return "", errors.New("template: Add: " + shortID + " is a category template; it needs keyword_name_list (WeChat answers 40246 without it)")
	}
	body := struct {
		ShortID  string   `json:"template_id_short"`
		Keywords []string `json:"keyword_name_list,omitempty"`
	}{shortID, keywordNames}
	var reply struct {
		TemplateID string `json:"template_id"`
	}
	if err := s.oa.PostJSON(ctx, "/cgi-bin/template/api_add_template", nil, body, &reply); err != nil {
		return "", err
	}
	return reply.TemplateID, nil
}

// isCategory reports whether shortID names a category template: all digits.
func isCategory(shortID string) bool {
	return shortID != "" && strings.Trim(shortID, "0123456789") == ""
}

// List returns the account's private templates.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html
func (s *Service) List(ctx context.Context) ([]Template, error) {
	var reply struct {
		List []Template `json:"template_list"`
	}
	err := s.oa.GetJSON(ctx, "/cgi-bin/template/get_all_private_template", nil, &reply)
	return reply.List, err
}

// Delete removes the private template templateID; an unknown id is 40037
// ([wechat.CodeInvalidTemplateID]).
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html
func (s *Service) Delete(ctx context.Context, templateID string) error {
	if templateID == "" {
		return errors.New("template: Delete: template_id is required")
	}
	return s.oa.PostJSON(ctx, "/cgi-bin/template/del_private_template", nil, map[string]string{"template_id": templateID}, nil)
}
