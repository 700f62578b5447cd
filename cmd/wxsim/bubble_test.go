package main

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/wechattest"
)

// TestCustomBubble checks how each customer-service msgtype is drawn from the
// body the bot sent.
func TestCustomBubble(t *testing.T) {
	t.Parallel()
	sim, err := New(Config{Webhook: "http://127.0.0.1:1/wechat"})
	if err != nil {
		t.Fatal(err)
	}
	testutil.Shutdown(t, sim)
	tests := []struct {
		msgType string
		payload string
		want    bubble
	}{
		{"text", `{"content":"你好 <a href=\"https://a.cn\">链接</a>"}`, bubble{Type: "text", Text: `你好 <a href="https://a.cn">链接</a>`}},
		{"image", `{"media_id":"M1"}`, bubble{Type: "image", MediaID: "M1"}},
		{"voice", `{"media_id":"V1"}`, bubble{Type: "voice", MediaID: "V1"}},
		{"video", `{"media_id":"V2","thumb_media_id":"T","title":"片","description":"简介"}`, bubble{Type: "video", MediaID: "V2", ThumbID: "T", Title: "片", Description: "简介"}},
		{"music", `{"title":"歌","description":"d","musicurl":"https://m.cn/a.mp3","thumb_media_id":"T"}`, bubble{Type: "music", Title: "歌", Description: "d", MusicURL: "https://m.cn/a.mp3", ThumbID: "T"}},
		{"news", `{"articles":[{"title":"t","description":"d","url":"https://a.cn","picurl":"https://a.cn/p.png"}]}`, bubble{Type: "news", Articles: []article{{Title: "t", Description: "d", URL: "https://a.cn", PicURL: "https://a.cn/p.png"}}}},
		{"mpnews", `{"media_id":"N1"}`, bubble{Type: "mpnews", MediaID: "N1"}},
		{"mpnewsarticle", `{"article_id":"A1"}`, bubble{Type: "mpnewsarticle", MediaID: "A1"}},
		{"msgmenu", `{"head_content":"满意吗","list":[{"id":"101","content":"满意"},{"id":102,"content":"不满意"},{"id":"x-1","content":"再说"}],"tail_content":"谢谢"}`,
			bubble{Type: "msgmenu", Menu: &msgMenu{Head: "满意吗", Tail: "谢谢", List: []menuOption{{"101", "满意"}, {"102", "不满意"}, {"x-1", "再说"}}}}},
		{"wxcard", `{"card_id":"C1"}`, bubble{Type: "wxcard", MediaID: "C1"}},
		{"miniprogrampage", `{"title":"小程序","appid":"wxa","pagepath":"pages/i","thumb_media_id":"T"}`, bubble{Type: "miniprogram", Title: "小程序", AppID: "wxa", PagePath: "pages/i", ThumbID: "T"}},
		{"hologram", `{}`, bubble{Type: "unknown", RawType: "hologram"}},
	}
	for _, tt := range tests {
		body := `{"touser":"o1","msgtype":"` + tt.msgType + `","` + tt.msgType + `":` + tt.payload + `}`
		got := sim.customBubble(&wechattest.SentMessage{ToUser: "o1", MsgType: tt.msgType, Body: []byte(body)})
		if !reflect.DeepEqual(*got, tt.want) {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(tt.want)
			t.Errorf("%s: drawn as %s, want %s", tt.msgType, g, w)
		}
	}
}

// TestTemplateBubble checks a template message's rows: one per keyword line,
// first and remark left out, and the data's keys when the content is unknown.
func TestTemplateBubble(t *testing.T) {
	t.Parallel()
	sent := &wechattest.SentTemplate{URL: "https://a.cn/o", Data: map[string]string{
		"first": "您好", "keyword1": "咖啡", "keyword2": "2", "remark": "谢谢", "time3": "10:00"}}
	b := templateBubble(sent, "订单支付成功", "{{first.DATA}}\n物品名称：{{keyword1.DATA}}\n数量: {{ keyword2.DATA }} 杯\n{{time3.DATA}}\n{{remark.DATA}}")
	want := []templateRow{{"物品名称", "咖啡"}, {"数量", "2 杯"}, {"", "10:00"}}
	if b.Type != "template" || b.Template.Title != "订单支付成功" || b.Template.URL != "https://a.cn/o" || !reflect.DeepEqual(b.Template.Rows, want) {
		t.Errorf("card = %+v, want rows %v", b.Template, want)
	}
	b = templateBubble(sent, "", "")
	if n := len(b.Template.Rows); n != 5 || b.Template.Rows[0].Label != "first" {
		t.Errorf("without content: rows %+v, want the 5 keys in order", b.Template.Rows)
	}
}
