package wechattest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wxkit/wechat"
)

// Paths of the template-message APIs the fake serves.
const (
	PathTemplateSend        = "/cgi-bin/message/template/send"
	PathTemplateSetIndustry = "/cgi-bin/template/api_set_industry"
	PathTemplateGetIndustry = "/cgi-bin/template/get_industry"
	PathTemplateAdd         = "/cgi-bin/template/api_add_template"
	PathTemplateList        = "/cgi-bin/template/get_all_private_template"
	PathTemplateDelete      = "/cgi-bin/template/del_private_template"
)

// PrivateTemplate is one of the fake account's private templates. Content holds
// {{key.DATA}} placeholders; a send must fill each of them except first and remark,
// which WeChat no longer shows. Category templates (类目模板) also get their values
// checked by the key's type (thing ≤ 20 characters, number ≤ 32 digits, …).
type PrivateTemplate struct {
	TemplateID      string // generated when empty
	Title           string
	PrimaryIndustry string
	DeputyIndustry  string
	Content         string
	Example         string
	Category        bool
}

// LibraryTemplate is a template of WeChat's library that api_add_template can add:
// a legacy one (ShortID "TM…"/"OPENTM…") or a category one (a number). Keywords
// are in the library's order.
type LibraryTemplate struct {
	ShortID  string
	Title    string
	Keywords []Keyword
}

// Keyword is a library template's field: the name api_add_template selects it by
// ("物品名称") and the data key a send fills ("thing1").
type Keyword struct{ Name, Key string }

// SentTemplate is a template message the platform accepted, as tests inspect it.
type SentTemplate struct {
	MsgID               int64
	ToUser              string
	TemplateID          string
	URL                 string
	MiniProgramAppID    string
	MiniProgramPagePath string
	ClientMsgID         string
	Data                map[string]string // key → value, as received
	At                  time.Time         // platform time
}

// templateState holds the industry, the library, the private templates (oldest
// first), every message sent and the client_msg_id window.
type templateState struct {
	industry  [2]int // 0: never set
	library   map[string]LibraryTemplate
	private   []PrivateTemplate
	sent      []SentTemplate
	clientIDs map[string]clientMsg // touser + "\x00" + client_msg_id
	lastMsgID int64
}

type clientMsg struct {
	msgID int64
	at    time.Time
}

// Template limits and codes. The spec names no errcode for a full account or for
// a template_id_short that is not in the library; the fake's choices are marked.
const (
	maxPrivateTemplates = 25
	clientMsgWindow     = 10 * time.Minute
	codeTemplateLimit   = 45026 // a guess: the spec documents the limit of 25, not its code
)

// sandboxLibrary is the fake's library, seeded with the spec's examples.
var sandboxLibrary = []LibraryTemplate{
	{ShortID: "TM00015", Title: "订单支付成功", Keywords: []Keyword{{"物品名称", "keyword1"}, {"数量", "keyword2"}, {"支付金额", "keyword3"}}},
	{ShortID: "47123", Title: "缴费成功通知", Keywords: []Keyword{{"时间", "time1"}, {"地点", "thing2"}, {"金额", "amount3"}, {"备注", "thing4"}}},
}

// AddLibraryTemplate adds t to the library api_add_template picks from.
func (s *Server) AddLibraryTemplate(t LibraryTemplate) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.templates.lib()[t.ShortID] = t
}

// AddTemplate adds t to the account's private templates, as an operator would in
// the console (the limit of 25 does not apply), and returns its template_id.
func (s *Server) AddTemplate(t PrivateTemplate) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.TemplateID == "" {
		t.TemplateID = randomHex(21) + "x" // 43 characters, like WeChat's ids
	}
	s.templates.private = append(s.templates.private, t)
	return t.TemplateID
}

// SentTemplates returns the template messages sent so far, oldest first.
func (s *Server) SentTemplates() []SentTemplate {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SentTemplate(nil), s.templates.sent...)
}

func (st *templateState) lib() map[string]LibraryTemplate {
	if st.library == nil {
		st.library = map[string]LibraryTemplate{}
		for _, t := range sandboxLibrary {
			st.library[t.ShortID] = t
		}
	}
	return st.library
}

func (st *templateState) find(id string) (int, bool) {
	for i, t := range st.private {
		if t.TemplateID == id && id != "" {
			return i, true
		}
	}
	return -1, false
}

func (s *Server) templateRoutes() {
	s.api(http.MethodPost, PathTemplateSend, s.templateSend)
	s.api(http.MethodPost, PathTemplateSetIndustry, s.templateSetIndustry)
	s.api(http.MethodGet, PathTemplateGetIndustry, s.templateGetIndustry)
	s.api(http.MethodPost, PathTemplateAdd, s.templateAdd)
	s.api(http.MethodGet, PathTemplateList, s.templateList)
	s.api(http.MethodPost, PathTemplateDelete, s.templateDelete)
}

func (s *Server) templateSetIndustry(c *call) (any, error) {
	var req struct {
		ID1 string `json:"industry_id1"`
		ID2 string `json:"industry_id2"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	var ids [2]int
	for i, raw := range []string{req.ID1, req.ID2} {
		id, err := strconv.Atoi(raw)
		if err != nil || id < 1 || id > len(industries) {
			// The spec names no errcode for an unknown industry; 40035 is a guess.
			return nil, apiError(wechat.CodeInvalidParameter, "invalid industry id")
		}
		ids[i] = id
	}
	// WeChat allows one change a month; the fake does not enforce it (no code is documented).
	s.templates.industry = ids
	return ok(), nil
}

// templateGetIndustry answers the industries set; never set, both are empty (what
// WeChat answers then is not in the spec).
func (s *Server) templateGetIndustry(*call) (any, error) {
	class := func(id int) map[string]string {
		if id == 0 {
			return map[string]string{"first_class": "", "second_class": ""}
		}
		in := industries[id-1]
		return map[string]string{"first_class": in[0], "second_class": in[1]}
	}
	ind := s.templates.industry
	return map[string]any{"primary_industry": class(ind[0]), "secondary_industry": class(ind[1])}, nil
}

func (s *Server) templateAdd(c *call) (any, error) {
	var req struct {
		ShortID  string   `json:"template_id_short"`
		Keywords []string `json:"keyword_name_list"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	st := &s.templates
	lt, found := st.lib()[req.ShortID]
	if !found { // no errcode is documented for this; 40037 is the fake's choice
		return nil, apiError(wechat.CodeInvalidTemplateID, "invalid template_id_short")
	}
	category := strings.Trim(req.ShortID, "0123456789") == ""
	if category && len(req.Keywords) == 0 {
		return nil, apiError(wechat.CodeTemplateKeywords, "keyword_name_list is empty")
	}
	picked := lt.Keywords
	if len(req.Keywords) > 0 {
		picked = nil
		for _, name := range req.Keywords {
			k, ok := keywordNamed(lt.Keywords, name)
			if !ok {
				return nil, apiError(wechat.CodeTemplateKeywords, "keyword not in template library: "+name)
			}
			picked = append(picked, k)
		}
	}
	if len(st.private) >= maxPrivateTemplates {
		return nil, apiError(codeTemplateLimit, "template num exceeds limit")
	}
	var content, example strings.Builder
	for _, k := range picked {
		fmt.Fprintf(&content, "%s:{{%s.DATA}}\n", k.Name, k.Key)
		fmt.Fprintf(&example, "%s:%s\n", k.Name, "…")
	}
	t := PrivateTemplate{
		TemplateID: randomHex(21) + "x", Title: lt.Title, Content: content.String(), Example: example.String(),
		Category: category,
	}
	if ind := st.industry; ind[0] != 0 {
		t.PrimaryIndustry, t.DeputyIndustry = industries[ind[0]-1][0], industries[ind[1]-1][0]
	}
	st.private = append(st.private, t)
	return map[string]any{"errcode": 0, "errmsg": "ok", "template_id": t.TemplateID}, nil
}

func keywordNamed(ks []Keyword, name string) (Keyword, bool) {
	for _, k := range ks {
		if k.Name == name {
			return k, true
		}
	}
	return Keyword{}, false
}

func (s *Server) templateList(*call) (any, error) {
	list := make([]map[string]string, 0, len(s.templates.private))
	for _, t := range s.templates.private {
		list = append(list, map[string]string{
			"template_id": t.TemplateID, "title": t.Title, "primary_industry": t.PrimaryIndustry,
			"deputy_industry": t.DeputyIndustry, "content": t.Content, "example": t.Example,
		})
	}
	return map[string]any{"template_list": list}, nil
}

func (s *Server) templateDelete(c *call) (any, error) {
	var req struct {
		TemplateID string `json:"template_id"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	st := &s.templates
	i, found := st.find(req.TemplateID)
	if !found {
		return nil, apiError(wechat.CodeInvalidTemplateID, "invalid template_id")
	}
	st.private = append(st.private[:i:i], st.private[i+1:]...)
	return ok(), nil
}

// industries is WeChat's industry table (行业代码), code i+1 at index i: first
// class, second class. Codes 1–7 were checked against the api_setindustry doc
// page; 8–41 follow the widely published version of that table and were not
// re-checked line by line.
var industries = [][2]string{
	{"IT科技", "互联网|电子商务"}, {"IT科技", "IT软件与服务"}, {"IT科技", "IT硬件与设备"}, {"IT科技", "电子技术"},
	{"IT科技", "通信与运营商"}, {"IT科技", "网络游戏"}, {"金融业", "银行"}, {"金融业", "基金|理财|信托"},
	{"金融业", "保险"}, {"餐饮", "餐饮"}, {"酒店旅游", "酒店"}, {"酒店旅游", "旅游"},
	{"运输与仓储", "快递"}, {"运输与仓储", "物流"}, {"运输与仓储", "仓储"}, {"教育", "培训"},
	{"教育", "院校"}, {"政府与公共事业", "学术科研"}, {"政府与公共事业", "交警"}, {"政府与公共事业", "博物馆"},
	{"政府与公共事业", "公共事业|非盈利机构"}, {"医药护理", "医药医疗"}, {"医药护理", "护理美容"}, {"医药护理", "保健与卫生"},
	{"交通工具", "汽车相关"}, {"交通工具", "摩托车相关"}, {"交通工具", "火车相关"}, {"交通工具", "飞机相关"},
	{"房地产", "建筑"}, {"房地产", "物业"}, {"消费品", "消费品"}, {"商业服务", "法律"},
	{"商业服务", "会展"}, {"商业服务", "中介服务"}, {"商业服务", "认证"}, {"商业服务", "审计"},
	{"文体娱乐", "传媒"}, {"文体娱乐", "体育"}, {"文体娱乐", "娱乐休闲"}, {"印刷", "印刷"},
	{"其它", "其它"},
}
