package template_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/template"
	"github.com/wxkit/wechat/wechattest"
)

func TestIndustry(t *testing.T) {
	t.Parallel()
	_, svc, oa := newService(t)
	ctx := t.Context()
	if err := svc.SetIndustry(ctx, 1, 13); err != nil {
		t.Fatalf("SetIndustry(1, 13): %v", err)
	}
	got, err := svc.Industry(ctx)
	want := template.Industries{Primary: template.Industry{FirstClass: "IT科技", SecondClass: "互联网|电子商务"},
		Secondary: template.Industry{FirstClass: "运输与仓储", SecondClass: "快递"}}
	if err != nil || got == nil || *got != want {
		t.Errorf("Industry() = %+v, %v; want %+v", got, err, want)
	}
	for _, ids := range [][2]int{{0, 1}, {1, 42}} {
		if err := svc.SetIndustry(ctx, ids[0], ids[1]); err == nil || !strings.Contains(err.Error(), "outside WeChat's table (1–41)") {
			t.Errorf("SetIndustry(%d, %d) = %v, want a local range error", ids[0], ids[1], err)
		}
	}
	err = oa.PostJSON(ctx, "/cgi-bin/template/api_set_industry", nil, map[string]string{"industry_id1": "1", "industry_id2": "42"}, nil)
	if code := wechat.Code(err); code != wechat.CodeInvalidParameter {
		t.Errorf("api_set_industry(42) errcode = %d, want %d", code, wechat.CodeInvalidParameter)
	}
}

func TestAdd(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		shortID   string
		keywords  []string
		wantLocal string // local error text
		wantCode  int    // errcode, sent bypassing the local check
		wantKeys  []string
	}{
		{"legacy, all keywords", "TM00015", nil, "", 0, []string{"keyword1", "keyword2", "keyword3"}},
		{"legacy, chosen keywords", "TM00015", []string{"物品名称", "数量"}, "", 0, []string{"keyword1", "keyword2"}},
		{"category", "47123", []string{"时间", "地点", "金额"}, "", 0, []string{"time1", "thing2", "amount3"}},
		{"category without keywords", "47123", nil, "47123 is a category template; it needs keyword_name_list", wechat.CodeTemplateKeywords, nil},
		{"unknown keyword", "47123", []string{"时间", "颜色"}, "", wechat.CodeTemplateKeywords, nil},
		{"no short id", "", nil, "template_id_short is required", wechat.CodeInvalidTemplateID, nil},
		{"not in the library", "TM99999", nil, "", wechat.CodeInvalidTemplateID, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake, svc, oa := newService(t)
			id, err := svc.Add(t.Context(), tt.shortID, tt.keywords)
			if tt.wantLocal != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantLocal) || fake.Calls(wechattest.PathTemplateAdd) != 0 {
					t.Fatalf("Add() = %v, want local error %q and no call", err, tt.wantLocal)
				}
				body := map[string]any{"template_id_short": tt.shortID, "keyword_name_list": tt.keywords}
				err = oa.PostJSON(t.Context(), "/cgi-bin/template/api_add_template", nil, body, nil)
			}
			if code := wechat.Code(err); code != tt.wantCode {
				t.Fatalf("add errcode = %d, want %d (err: %v)", code, tt.wantCode, err)
			}
			list, lerr := svc.List(t.Context())
			if lerr != nil {
				t.Fatalf("List: %v", lerr)
			}
			if err != nil {
				if len(list) != 0 {
					t.Errorf("List() = %+v after a failed add, want none", list)
				}
				return
			}
			if len(list) != 1 || list[0].TemplateID != id || list[0].Title == "" {
				t.Fatalf("List() = %+v, want the template %s", list, id)
			}
			if keys := list[0].Keys(); !slices.Equal(keys, tt.wantKeys) {
				t.Errorf("Keys() = %v, want %v (content %q)", keys, tt.wantKeys, list[0].Content)
			}
		})
	}
}

func TestTemplateLimitAndDelete(t *testing.T) {
	t.Parallel()
	fake, svc, _ := newService(t)
	ctx := t.Context()
	var ids []string
	for range template.MaxPrivateTemplates {
		ids = append(ids, fake.AddTemplate(orderTemplate))
	}
	_, err := svc.Add(ctx, "TM00015", nil)
	if code := wechat.Code(err); code == 0 || code == wechat.CodeNotWeChat {
		t.Fatalf("Add with 25 templates = %v, want a WeChat errcode", err)
	}
	if err := svc.Delete(ctx, ids[3]); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := svc.Delete(ctx, ids[3]); wechat.Code(err) != wechat.CodeInvalidTemplateID {
		t.Errorf("Delete twice: errcode %d, want %d", wechat.Code(err), wechat.CodeInvalidTemplateID)
	}
	if err := svc.Delete(ctx, ""); err == nil || wechat.Code(err) != wechat.CodeNotWeChat {
		t.Errorf("Delete(\"\") = %v, want a local error", err)
	}
	list, err := svc.List(ctx)
	if err != nil || len(list) != 24 || slices.ContainsFunc(list, func(tp template.Template) bool { return tp.TemplateID == ids[3] }) {
		t.Errorf("List() = %d templates, %v; want 24 without %s", len(list), err, ids[3])
	}
	if _, err := svc.Add(ctx, "TM00015", nil); err != nil {
		t.Errorf("Add after a delete: %v", err)
	}
}

func TestTemplateKeys(t *testing.T) {
	t.Parallel()
	tp := template.Template{Content: "{{result.DATA}}\n\n领奖金额:{{withdrawMoney.DATA}}\n{{ result.DATA }}{{bad.data}}{{remark.DATA}}"}
	if got, want := tp.Keys(), []string{"result", "withdrawMoney", "remark"}; !slices.Equal(got, want) {
		t.Errorf("Keys() = %v, want %v", got, want)
	}
}

func TestParseStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in        string
		want      template.SendStatus
		delivered bool
	}{
		{"success", template.StatusSuccess, true},
		{"failed:user block", template.StatusUserBlock, false},
		{"failed: user block", template.StatusUserBlock, false},
		{"failed: system failed", template.StatusSystemFailed, false},
		{"failed:system failed", template.StatusSystemFailed, false},
		{" failed :  system failed ", template.StatusSystemFailed, false},
		{"failed: something new", "failed: something new", false},
	}
	for _, tt := range tests {
		got := template.ParseStatus(tt.in)
		if got != tt.want || got.Delivered() != tt.delivered {
			t.Errorf("ParseStatus(%q) = %q (delivered %v), want %q (%v)", tt.in, got, got.Delivered(), tt.want, tt.delivered)
		}
	}
}
