package template_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/template"
	"github.com/wxkit/wechat/wechattest"
)

func TestSend(t *testing.T) {
	t.Parallel()
	const user = "oUser_28_characters_xxxxxxxx"
	tests := []struct {
		name     string
		msg      func(id string) template.Message
		wantMsg  string // local error text, "" when valid
		wantCode int    // the fake's errcode (sent bypassing Validate)
		wantIn   string // part of errmsg
	}{
		{"all fields", func(id string) template.Message {
			return template.Message{ToUser: user, TemplateID: id, URL: "https://example.com/order?id=1&x=2",
				MiniProgram: template.MiniProgram{AppID: "wxapp", PagePath: "pages/order?id=1"}, ClientMsgID: "c1",
				Data: map[string]template.Value{"thing1": {Value: "巧克力", Color: "#173177"}, "amount2": {Value: "39.8元"}, "first": {Value: "ignored"}}}
		}, "", 0, ""},
		{"no touser", func(id string) template.Message {
			return template.Message{TemplateID: id, Data: data("thing1", "a", "amount2", "1元")}
		}, "template: touser is required", wechat.CodeInvalidOpenID, ""},
		{"no template_id", func(string) template.Message {
			return template.Message{ToUser: user, Data: data("thing1", "a", "amount2", "1元")}
		}, "template: template_id is required", wechat.CodeInvalidTemplateID, ""},
		{"no data", func(id string) template.Message { return template.Message{ToUser: user, TemplateID: id} },
			"template: data is required", wechat.CodeArgumentInvalid, "data.thing1.value"},
		{"a key missing", func(id string) template.Message {
			return template.Message{ToUser: user, TemplateID: id, Data: data("thing1", "a")}
		}, "", wechat.CodeArgumentInvalid, "data.amount2.value is empty"},
		{"an empty value", func(id string) template.Message {
			return template.Message{ToUser: user, TemplateID: id, Data: data("thing1", "", "amount2", "1元")}
		}, "", wechat.CodeArgumentInvalid, "data.thing1.value is empty"},
		{"thing over 20 characters", func(id string) template.Message {
			return template.Message{ToUser: user, TemplateID: id, Data: data("thing1", strings.Repeat("字", 21), "amount2", "1元")}
		}, "", wechat.CodeArgumentInvalid, "data.thing1.value is 21 characters"},
		{"thing of 20 characters", func(id string) template.Message {
			return template.Message{ToUser: user, TemplateID: id, Data: data("thing1", strings.Repeat("字", 20), "amount2", "1元")}
		}, "", 0, ""},
		{"unknown template", func(string) template.Message {
			return template.Message{ToUser: user, TemplateID: "nope", Data: data("thing1", "a")}
		}, "", wechat.CodeInvalidTemplateID, ""},
		{"not an openid", func(id string) template.Message {
			return template.Message{ToUser: "not an openid!", TemplateID: id, Data: data("thing1", "a", "amount2", "1元")}
		}, "", wechat.CodeInvalidOpenID, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake, svc, oa := newService(t)
			msg := tt.msg(fake.AddTemplate(orderTemplate))
			id, err := svc.Send(t.Context(), msg)
			if tt.wantMsg != "" {
				if !errors.Is(err, template.ErrMissingField) || err.Error() != tt.wantMsg {
					t.Errorf("Send() = %d, %v; want local error %q", id, err, tt.wantMsg)
				}
				if n := fake.Calls(wechattest.PathTemplateSend); n != 0 {
					t.Errorf("an invalid message reached WeChat (%d calls)", n)
				}
				err = oa.PostJSON(t.Context(), "/cgi-bin/message/template/send", nil, msg, nil)
			}
			if code := wechat.Code(err); code != tt.wantCode {
				t.Fatalf("send errcode = %d, want %d (err: %v)", code, tt.wantCode, err)
			}
			if err != nil && !strings.Contains(err.Error(), tt.wantIn) {
				t.Errorf("send error = %v, want it to name %q", err, tt.wantIn)
			}
			sent := fake.SentTemplates()
			if err != nil {
				if len(sent) != 0 {
					t.Errorf("SentTemplates() = %+v after a failed send, want none", sent)
				}
				return
			}
			if len(sent) != 1 || sent[0].MsgID != id || id == 0 {
				t.Fatalf("Send() = %d, SentTemplates() = %+v; want one message with that msgid", id, sent)
			}
			got := sent[0]
			if got.ToUser != msg.ToUser || got.TemplateID != msg.TemplateID || got.URL != msg.URL ||
				got.MiniProgramAppID != msg.MiniProgram.AppID || got.MiniProgramPagePath != msg.MiniProgram.PagePath ||
				got.ClientMsgID != msg.ClientMsgID || got.Data["thing1"] != msg.Data["thing1"].Value {
				t.Errorf("sent %+v, want %+v", got, msg)
			}
		})
	}
}

func TestSendToFollowers(t *testing.T) {
	t.Parallel()
	fake, svc, _ := newService(t)
	tpl := fake.AddTemplate(orderTemplate)
	fan := fake.AddFollower(wechattest.Follower{OpenID: "oFan"})
	gone := fake.AddFollower(wechattest.Follower{OpenID: "oGone"})
	fake.Unfollow(gone)
	tests := []struct {
		name, to string
		wantCode int
	}{
		{"follower", fan, 0},
		{"unfollowed", gone, wechat.CodeMustFollow},
		{"stranger", "oStranger", wechat.CodeInvalidOpenID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := svc.Send(t.Context(), template.Message{ToUser: tt.to, TemplateID: tpl, Data: data("thing1", "a", "amount2", "1元")})
			if code := wechat.Code(err); code != tt.wantCode {
				t.Errorf("Send(to %s) errcode = %d, want %d (err: %v)", tt.to, code, tt.wantCode, err)
			}
		})
	}
}

func TestSendClientMsgID(t *testing.T) {
	t.Parallel()
	fake, svc, _ := newService(t)
	ctx := t.Context()
	tpl := fake.AddTemplate(orderTemplate)
	send := func(to, clientID string) int64 {
		t.Helper()
		id, err := svc.Send(ctx, template.Message{ToUser: to, TemplateID: tpl, ClientMsgID: clientID, Data: data("thing1", "a", "amount2", "1元")})
		if err != nil {
			t.Fatalf("Send(%s, %s): %v", to, clientID, err)
		}
		return id
	}
	first := send("oA", "order-1")
	fake.Advance(9 * time.Minute)
	if again := send("oA", "order-1"); again != first {
		t.Errorf("resend within 10 minutes = msgid %d, want the first one, %d", again, first)
	}
	if n := len(fake.SentTemplates()); n != 1 {
		t.Errorf("SentTemplates() has %d messages after a duplicate, want 1", n)
	}
	if other := send("oB", "order-1"); other == first {
		t.Errorf("another user with the same client_msg_id got msgid %d, want a new one", other)
	}
	if plain := send("oA", ""); plain == first {
		t.Errorf("a send without client_msg_id got msgid %d, want a new one", plain)
	}
	fake.Advance(2 * time.Minute)
	if later := send("oA", "order-1"); later == first {
		t.Errorf("resend after 10 minutes got the old msgid %d, want a new one", later)
	}
	if n := len(fake.SentTemplates()); n != 4 {
		t.Errorf("SentTemplates() has %d messages, want 4", n)
	}
}

func TestSendNoHTMLEscapes(t *testing.T) {
	t.Parallel()
	fake, svc, _ := newService(t)
	tpl := fake.AddTemplate(orderTemplate)
	_, err := svc.Send(t.Context(), template.Message{ToUser: "oA", TemplateID: tpl, URL: "https://a.cn/?x=1&y=2",
		Data: data("thing1", "<b>&</b>", "amount2", "1元")})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	body := string(fake.Requests(wechattest.PathTemplateSend)[0].Body)
	for _, want := range []string{`"url":"https://a.cn/?x=1&y=2"`, `"value":"<b>&</b>"`} {
		if !strings.Contains(body, want) {
			t.Errorf("send body = %s, want it to contain %s", body, want)
		}
	}
	if strings.Contains(body, `\u00`) || strings.Contains(body, "miniprogram") {
		t.Errorf("send body = %s, want no \\u escapes and no empty miniprogram", body)
	}
}
