package wechattest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wxkit/wechat"
)

// Paths of the subscription-notification APIs (订阅通知) the fake serves.
const (
	PathSubscribeSend    = "/cgi-bin/message/subscribe/bizsend"
	PathLibraryAdd       = "/wxaapi/newtmpl/addtemplate"
	PathLibraryDelete    = "/wxaapi/newtmpl/deltemplate"
	PathLibraryTemplates = "/wxaapi/newtmpl/gettemplate"
	PathLibraryCategory  = "/wxaapi/newtmpl/getcategory"
	PathLibraryTitles    = "/wxaapi/newtmpl/getpubtemplatetitles"
	PathLibraryKeywords  = "/wxaapi/newtmpl/getpubtemplatekeywords"
)

// SubscribeMessage is one subscription notification the platform accepted.
type SubscribeMessage struct {
	MsgID      int64
	ToUser     string
	TemplateID string
	Page       string
	MiniAppID  string // miniprogram.appid
	MiniPath   string // miniprogram.pagepath
	Data       map[string]string
}

type pubKeyword struct {
	Kid     int    `json:"kid"`
	Name    string `json:"name"`
	Example string `json:"example"`
	Rule    string `json:"rule"`
}

type pubTitle struct {
	Tid        int    `json:"tid"`
	Title      string `json:"title"`
	Type       int    `json:"type"` // 2 one-time, 3 long-term
	CategoryID int    `json:"categoryId"`
	keywords   []pubKeyword
}

type privTemplate struct {
	ID       string
	title    pubTitle
	keywords []pubKeyword // the chosen ones, in kidList order
	scene    string
}

// subConsent is what a follower agreed to for one subscription template.
type subConsent struct {
	longTerm bool
	left     int // one-time messages still allowed
}

type subscribeState struct {
	categories []map[string]any
	library    []pubTitle
	private    []*privTemplate
	consents   map[[2]string]*subConsent // {openid, template id}
	sent       []SubscribeMessage
	seq        int64
}

// The public template library the fake knows: two real-looking titles and 40
// generated ones in category 2, so listing pages through it.
func seedLibrary() ([]map[string]any, []pubTitle) {
	cats := []map[string]any{{"id": 2, "name": "商业服务"}, {"id": 616, "name": "公共交通"}}
	order := []pubKeyword{
		{1, "商品名称", "iPhone 15", "thing"}, {2, "订单号", "SO20240101", "character_string"},
		{3, "发货时间", "2024年1月1日 12:00", "time"}, {4, "快递公司", "顺丰速运", "thing"},
		{5, "订单金额", "¥99.00", "amount"}, {6, "状态", "已发货", "phrase"}, {7, "联系电话", "020-88888888", "phone_number"},
	}
	lib := []pubTitle{
		{Tid: 99, Title: "订单发货通知", Type: 2, CategoryID: 2, keywords: order},
		{Tid: 616, Title: "乘车提醒", Type: 3, CategoryID: 616, keywords: []pubKeyword{
			{1, "线路", "1路", "thing"}, {2, "车牌号", "粤A12345", "car_number"}, {3, "到站时间", "12:00", "time"}, {4, "乘客", "张三", "name"},
		}},
	}
	for i := range 40 {
		lib = append(lib, pubTitle{Tid: 2000 + i, Title: fmt.Sprintf("服务通知 %d", i+1), Type: 2, CategoryID: 2, keywords: order[:4]})
	}
	return cats, lib
}

func (s *Server) subscribeRoutes() {
	cats, lib := seedLibrary()
	s.content.subs = subscribeState{categories: cats, library: lib, consents: map[[2]string]*subConsent{}}
	s.api(http.MethodPost, PathSubscribeSend, s.subscribeSend)
	s.api(http.MethodPost, PathLibraryAdd, s.libraryAdd)
	s.api(http.MethodPost, PathLibraryDelete, s.libraryDelete)
	s.api(http.MethodGet, PathLibraryTemplates, s.libraryTemplates)
	s.api(http.MethodGet, PathLibraryCategory, func(*call) (any, error) {
		return map[string]any{"errcode": 0, "errmsg": "ok", "data": s.content.subs.categories}, nil
	})
	s.api(http.MethodGet, PathLibraryTitles, s.libraryTitles)
	s.api(http.MethodGet, PathLibraryKeywords, s.libraryKeywords)
}

// AcceptSubscription plays the follower openID accepting the subscription
// notification templateID in an H5 page (wx-open-subscribe): one message for a
// one-time template, any number for a long-term one. A registered webhook gets
// subscribe_msg_popup_event.
func (s *Server) AcceptSubscription(openID, templateID string, longTerm bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := [2]string{openID, templateID}
	c := s.content.subs.consents[key]
	if c == nil {
		c = &subConsent{}
		s.content.subs.consents[key] = c
	}
	c.longTerm = c.longTerm || longTerm
	c.left++
	s.push(openID, "subscribe_msg_popup_event", "<SubscribeMsgPopupEvent><List>"+elem("TemplateId", templateID)+
		"<SubscribeStatusString>accept</SubscribeStatusString><PopupScene>1</PopupScene></List></SubscribeMsgPopupEvent>")
}

// WithdrawSubscription plays the follower turning templateID off in settings; a
// registered webhook gets subscribe_msg_change_event.
func (s *Server) WithdrawSubscription(openID, templateID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.content.subs.consents, [2]string{openID, templateID})
	s.push(openID, "subscribe_msg_change_event", "<SubscribeMsgChangeEvent><List>"+elem("TemplateId", templateID)+
		"<SubscribeStatusString>reject</SubscribeStatusString></List></SubscribeMsgChangeEvent>")
}

// SubscribeMessages returns the subscription notifications sent so far, oldest
// first.
func (s *Server) SubscribeMessages() []SubscribeMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.content.subs.sent)
}

func (s *Server) subscribeSend(c *call) (any, error) {
	var req struct {
		ToUser      string `json:"touser"`
		TemplateID  string `json:"template_id"`
		Page        string `json:"page"`
		MiniProgram *struct {
			AppID    string `json:"appid"`
			PagePath string `json:"pagepath"`
		} `json:"miniprogram"`
		Data map[string]struct {
			Value string `json:"value"`
		} `json:"data"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	st := &s.content.subs
	if _, ok := s.users.users[req.ToUser]; !ok {
		return nil, apiError(wechat.CodeInvalidOpenID, "invalid openid")
	}
	t := st.template(req.TemplateID)
	if t == nil {
		return nil, apiError(wechat.CodeInvalidTemplateID, "invalid template_id")
	}
	if strings.Contains(req.Page, "://") && !isHTTPURL(req.Page) {
		return nil, apiError(wechat.CodeInvalidPage, "invalid page")
	}
	msg := SubscribeMessage{ToUser: req.ToUser, TemplateID: req.TemplateID, Page: req.Page, Data: map[string]string{}}
	if req.MiniProgram != nil {
		msg.MiniAppID, msg.MiniPath = req.MiniProgram.AppID, req.MiniProgram.PagePath
	}
	for _, k := range t.keywords {
		key := k.Rule + strconv.Itoa(k.Kid)
		v, ok := req.Data[key]
		if !ok || !valueFits(k.Rule, v.Value) {
			return nil, apiError(wechat.CodeArgumentInvalid, "argument invalid! data."+key+".value")
		}
		msg.Data[key] = v.Value
	}
	con := st.consents[[2]string{req.ToUser, req.TemplateID}]
	if con == nil || (!con.longTerm && con.left == 0) {
		return nil, apiError(wechat.CodeUserRefused, "user refuse to accept the msg")
	}
	if !con.longTerm {
		con.left--
	}
	st.seq++
	msg.MsgID = st.seq
	st.sent = append(st.sent, msg)
	s.push(req.ToUser, "subscribe_msg_sent_event", "<SubscribeMsgSentEvent><List>"+elem("TemplateId", req.TemplateID)+
		"<MsgID>"+strconv.FormatInt(msg.MsgID, 10)+"</MsgID><ErrorCode>0</ErrorCode><ErrorStatus>success</ErrorStatus></List></SubscribeMsgSentEvent>")
	return ok(), nil
}

// valueFits is the fake's own reading of the keyword rules (publishing.md §4):
// lengths only, plus digits for numbers.
func valueFits(rule, v string) bool {
	n := utf8.RuneCountInString(v)
	if n == 0 {
		return false
	}
	limits := map[string]int{"thing": 20, "number": 32, "letter": 32, "symbol": 5, "character_string": 32,
		"phone_number": 17, "car_number": 8, "name": 20, "phrase": 5, "amount": 14, "time": 40, "date": 40}
	if max, ok := limits[rule]; ok && n > max {
		return false
	}
	if rule == "number" {
		return strings.Trim(v, "0123456789.") == ""
	}
	return true
}

func (st *subscribeState) template(id string) *privTemplate {
	for _, t := range st.private {
		if t.ID == id {
			return t
		}
	}
	return nil
}

func (st *subscribeState) title(tid int) *pubTitle {
	for i := range st.library {
		if st.library[i].Tid == tid {
			return &st.library[i]
		}
	}
	return nil
}

func (s *Server) libraryAdd(c *call) (any, error) {
	var req struct {
		Tid       string `json:"tid"`
		KidList   []int  `json:"kidList"`
		SceneDesc string `json:"sceneDesc"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	st := &s.content.subs
	tid, _ := strconv.Atoi(req.Tid)
	title := st.title(tid)
	switch {
	case title == nil:
		return nil, apiError(wechat.CodeLibraryInvalidTID, "invalid tid")
	case len(req.KidList) < 2 || len(req.KidList) > 5:
		return nil, apiError(wechat.CodeLibraryInvalidKids, "kidList needs 2 to 5 keywords")
	case utf8.RuneCountInString(req.SceneDesc) > 15:
		return nil, apiError(wechat.CodeLibrarySceneDesc, "sceneDesc is at most 15 characters")
	case len(st.private) >= 25:
		return nil, apiError(wechat.CodeLibraryTemplateLimit, "private template limit reached: 25")
	}
	t := &privTemplate{ID: "wxkit_tmpl_" + randomHex(12), title: *title, scene: req.SceneDesc}
	for i, kid := range req.KidList {
		idx := slices.IndexFunc(title.keywords, func(k pubKeyword) bool { return k.Kid == kid })
		if idx < 0 || slices.Contains(req.KidList[:i], kid) {
			return nil, apiError(wechat.CodeLibraryInvalidKids, "invalid kidList")
		}
		t.keywords = append(t.keywords, title.keywords[idx])
	}
	st.private = append(st.private, t)
	return map[string]any{"errcode": 0, "errmsg": "ok", "priTmplId": t.ID}, nil
}

func (s *Server) libraryDelete(c *call) (any, error) {
	var req struct {
		ID string `json:"priTmplId"`
	}
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	st := &s.content.subs
	i := slices.IndexFunc(st.private, func(t *privTemplate) bool { return t.ID == req.ID })
	if i < 0 {
		return nil, apiError(wechat.CodeInvalidTemplateID, "invalid template id")
	}
	st.private = slices.Delete(st.private, i, i+1)
	return ok(), nil
}

func (s *Server) libraryTemplates(*call) (any, error) {
	data := []map[string]any{}
	for _, t := range s.content.subs.private {
		var content, example strings.Builder
		for _, k := range t.keywords {
			fmt.Fprintf(&content, "%s:{{%s%d.DATA}}\n", k.Name, k.Rule, k.Kid)
			fmt.Fprintf(&example, "%s:%s\n", k.Name, k.Example)
		}
		data = append(data, map[string]any{"priTmplId": t.ID, "title": t.title.Title, "content": content.String(),
			"example": example.String(), "type": t.title.Type})
	}
	return map[string]any{"errcode": 0, "errmsg": "ok", "data": data}, nil
}

func (s *Server) libraryTitles(c *call) (any, error) {
	ids := c.query.Get("ids")
	if ids == "" {
		return nil, apiError(wechat.CodeLibraryIDsMissing, "ids missing")
	}
	var cats []int
	for _, part := range strings.Split(ids, ",") {
		id, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil {
			return nil, apiError(wechat.CodeLibraryIDsInvalid, "invalid ids")
		}
		cats = append(cats, id)
	}
	start, err1 := strconv.Atoi(c.query.Get("start"))
	limit, err2 := strconv.Atoi(c.query.Get("limit"))
	switch {
	case err1 != nil || start < 0:
		return nil, apiError(wechat.CodeLibraryInvalidStart, "invalid start")
	case err2 != nil || limit < 1 || limit > 30:
		return nil, apiError(wechat.CodeLibraryInvalidLimit, "invalid limit: 1 to 30")
	}
	var match []pubTitle
	for _, t := range s.content.subs.library {
		if slices.Contains(cats, t.CategoryID) {
			match = append(match, t)
		}
	}
	page := match[min(start, len(match)):min(start+limit, len(match))]
	return map[string]any{"errcode": 0, "errmsg": "ok", "count": len(match), "data": append([]pubTitle{}, page...)}, nil
}

func (s *Server) libraryKeywords(c *call) (any, error) {
	tid, _ := strconv.Atoi(c.query.Get("tid"))
	t := s.content.subs.title(tid)
	if t == nil {
		return nil, apiError(wechat.CodeLibraryInvalidTID, "invalid tid")
	}
	return map[string]any{"errcode": 0, "errmsg": "ok", "count": len(t.keywords), "data": t.keywords}, nil
}
