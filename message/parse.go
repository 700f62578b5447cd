package message

import (
	"errors"
	"strconv"
	"strings"
	"unsafe"
)

// parseMessage reads a message or event document into a Message, in one pass:
// each child of the root goes into its field as it ends. Unknown elements are
// skipped (they stay in Raw); only malformed XML is an error.
func parseMessage(raw []byte) (*Message, error) {
	m := new(Message)
	if err := parseMessageInto(m, raw); err != nil {
		return nil, err
	}
	return m, nil
}

// parseMessageInto is parseMessage into a zero Message of the caller's.
func parseMessageInto(m *Message, raw []byte) error {
	return parseWith(xmlParser{trees: true}, m, raw)
}

// parseWith is parseMessageInto with p's settings.
func parseWith(p xmlParser, m *Message, raw []byte) error {
	m.Raw = raw
	// The strings of m are views of raw, which m owns from here on as Raw:
	// nothing writes to it (every caller hands over a buffer of its own, and
	// Raw's doc forbids changing it), so they never change. This saves a copy
	// of the document per push, a quarter of its allocated bytes.
	doc := unsafe.String(unsafe.SliceData(raw), len(raw))
	err := p.walk(doc, func(name, text string, tree []node, at int32) {
		m.set(name, text)
		if at >= 0 {
			m.setNested(tree, at)
		}
	})
	return err
}

// set stores the text of a child of the root in its field; an element with
// children has text "" and goes to setNested too.
func (m *Message) set(name, t string) {
	switch name {
	case "ToUserName":
		m.ToUserName = t
	case "FromUserName":
		m.FromUserName = t
	case "CreateTime":
		m.CreateTime = toInt64(t)
	case "MsgType":
		m.MsgType = MsgType(t)
	case "MsgId", "MsgID":
		m.MsgID = toInt64(t)
	case "MsgDataId":
		m.MsgDataID = toInt64(t)
	case "Idx":
		m.Idx = toInt(t)
	case "Content":
		m.Content = t
	case "bizmsgmenuid":
		m.BizMsgMenuID = t
	case "PicUrl":
		m.PicURL = t
	case "MediaId":
		m.MediaID = t
	case "Format":
		m.Format = t
	case "Recognition":
		m.Recognition = t
	case "ThumbMediaId":
		m.ThumbMediaID = t
	case "Location_X":
		m.LocationX = toFloat(t)
	case "Location_Y":
		m.LocationY = toFloat(t)
	case "Scale":
		m.Scale = toInt(t)
	case "Label":
		m.Label = t
	case "Title":
		m.Title = t
	case "Description":
		m.Description = t
	case "Url":
		m.URL = t
	case "Event":
		m.Event = Event(t)
	case "EventKey":
		m.EventKey = t
	case "Ticket":
		m.Ticket = t
	case "Latitude":
		m.Latitude = toFloat(t)
	case "Longitude":
		m.Longitude = toFloat(t)
	case "Precision":
		m.Precision = toFloat(t)
	case "MenuId", "MenuID":
		m.MenuID = toInt64(t)
	case "Status":
		m.Status = t
	case "TotalCount":
		m.TotalCount = toInt(t)
	case "FilterCount":
		m.FilterCount = toInt(t)
	case "SentCount":
		m.SentCount = toInt(t)
	case "ErrorCount":
		m.ErrorCount = toInt(t)
	case "KfAccount":
		m.KfAccount = t
	case "FromKfAccount":
		m.FromKfAccount = t
	case "ToKfAccount":
		m.ToKfAccount = t
	}
}

// setNested reads the elements that have children, from their tree.
func (m *Message) setNested(nodes []node, i int32) {
	switch nodes[i].name {
	case "ScanCodeInfo":
		for c := nodes[i].first; c >= 0; c = nodes[c].next {
			switch n := nodes[c]; n.name {
			case "ScanType":
				m.ScanCodeInfo.ScanType = n.text
			case "ScanResult":
				m.ScanCodeInfo.ScanResult = n.text
			}
		}
	case "SendPicsInfo":
		for c := nodes[i].first; c >= 0; c = nodes[c].next {
			switch nodes[c].name {
			case "Count":
				m.SendPicsInfo.Count = toInt(nodes[c].text)
			case "PicList":
				for item := nodes[c].first; item >= 0; item = nodes[item].next {
					m.SendPicsInfo.PicList = append(m.SendPicsInfo.PicList, childText(nodes, item, "PicMd5Sum"))
				}
			}
		}
	case "SendLocationInfo":
		m.SendLocationInfo = parseSendLocation(nodes, i)
	case "CopyrightCheckResult":
		m.CopyrightCheckResult = parseCopyrightCheck(nodes, i)
	case "ArticleUrlResult":
		m.ArticleURLResult = parseArticleURLs(nodes, i)
	case "SubscribeMsgPopupEvent", "SubscribeMsgChangeEvent", "SubscribeMsgSentEvent":
		for c := nodes[i].first; c >= 0; c = nodes[c].next {
			if nodes[c].name == "List" {
				m.SubscribeMsgs = append(m.SubscribeMsgs, parseSubscribeMsg(nodes, c))
			}
		}
	case "PublishEventInfo":
		m.PublishEventInfo = parsePublishEvent(nodes, i)
	}
}

func parseSendLocation(nodes []node, i int32) SendLocationInfo {
	var s SendLocationInfo
	for c := nodes[i].first; c >= 0; c = nodes[c].next {
		switch n := nodes[c]; n.name {
		case "Location_X":
			s.LocationX = toFloat(n.text)
		case "Location_Y":
			s.LocationY = toFloat(n.text)
		case "Scale":
			s.Scale = toInt(n.text)
		case "Label":
			s.Label = n.text
		case "Poiname":
			s.Poiname = n.text
		}
	}
	return s
}

func parseCopyrightCheck(nodes []node, i int32) CopyrightCheckResult {
	var r CopyrightCheckResult
	for c := nodes[i].first; c >= 0; c = nodes[c].next {
		switch nodes[c].name {
		case "Count":
			r.Count = toInt(nodes[c].text)
		case "CheckState":
			r.CheckState = toInt(nodes[c].text)
		case "ResultList":
			for item := nodes[c].first; item >= 0; item = nodes[item].next {
				var a CopyrightCheck
				for f := nodes[item].first; f >= 0; f = nodes[f].next {
					switch n := nodes[f]; n.name {
					case "ArticleIdx":
						a.ArticleIdx = toInt(n.text)
					case "UserDeclareState":
						a.UserDeclareState = toInt(n.text)
					case "AuditState":
						a.AuditState = toInt(n.text)
					case "OriginalArticleUrl":
						a.OriginalArticleURL = n.text
					case "OriginalArticleType":
						a.OriginalArticleType = toInt(n.text)
					case "CanReprint":
						a.CanReprint = toInt(n.text)
					case "NeedReplaceContent":
						a.NeedReplaceContent = toInt(n.text)
					case "NeedShowReprintSource":
						a.NeedShowReprintSource = toInt(n.text)
					}
				}
				r.ResultList = append(r.ResultList, a)
			}
		}
	}
	return r
}

func parseArticleURLs(nodes []node, i int32) ArticleURLResult {
	var r ArticleURLResult
	for c := nodes[i].first; c >= 0; c = nodes[c].next {
		switch nodes[c].name {
		case "Count":
			r.Count = toInt(nodes[c].text)
		case "ResultList":
			for item := nodes[c].first; item >= 0; item = nodes[item].next {
				r.ResultList = append(r.ResultList, ArticleURL{
					ArticleIdx: toInt(childText(nodes, item, "ArticleIdx")),
					ArticleURL: childText(nodes, item, "ArticleUrl"),
				})
			}
		}
	}
	return r
}

func parseSubscribeMsg(nodes []node, i int32) SubscribeMsg {
	var s SubscribeMsg
	for c := nodes[i].first; c >= 0; c = nodes[c].next {
		switch n := nodes[c]; n.name {
		case "TemplateId":
			s.TemplateID = n.text
		case "SubscribeStatusString":
			s.SubscribeStatusString = n.text
		case "PopupScene":
			s.PopupScene = toInt(n.text)
		case "MsgID", "MsgId":
			s.MsgID = toInt64(n.text)
		case "ErrorCode":
			s.ErrorCode = toInt(n.text)
		case "ErrorStatus":
			s.ErrorStatus = n.text
		}
	}
	return s
}

func parsePublishEvent(nodes []node, i int32) PublishEventInfo {
	var p PublishEventInfo
	for c := nodes[i].first; c >= 0; c = nodes[c].next {
		switch n := nodes[c]; n.name {
		case "publish_id":
			p.PublishID = n.text
		case "publish_status":
			p.PublishStatus = toInt(n.text)
		case "article_id":
			p.ArticleID = n.text
		case "fail_idx":
			p.FailIdx = append(p.FailIdx, toInt(n.text))
		case "article_detail":
			for item := nodes[c].first; item >= 0; item = nodes[item].next {
				if nodes[item].name == "item" {
					p.ArticleDetail = append(p.ArticleDetail, PublishedArticle{
						Idx:        toInt(childText(nodes, item, "idx")),
						ArticleURL: childText(nodes, item, "article_url"),
					})
				}
			}
		}
	}
	return p
}

// childText returns the text of the first child of nodes[i] named name.
func childText(nodes []node, i int32, name string) string {
	for c := nodes[i].first; c >= 0; c = nodes[c].next {
		if nodes[c].name == name {
			return nodes[c].text
		}
	}
	return ""
}

// Numbers that do not parse are left zero: the spec does not say what WeChat
// sends on odd input, and failing the whole delivery would show the follower an
// error for a field the handler may not even read.
func toInt64(s string) int64 {
	if n, ok := digits(s); ok {
		return n
	}
	n, _ := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n
}

func toInt(s string) int {
	if n, ok := digits(s); ok && n == int64(int(n)) {
		return int(n)
	}
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}

// digits reads s when it is 1 to 18 ASCII digits, as WeChat's numbers are,
// without strconv's generality (signs, spaces, overflow), which the callers
// fall back to for anything else.
func digits(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			return 0, false
		}
		n = n*10 + int64(d)
	}
	return n, true
}

func toFloat(s string) float64 {
	f, _ := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f
}

// errNoEncrypt is a safe- or compatible-mode body without an <Encrypt> element.
var errNoEncrypt = errors.New("encrypted request has no <Encrypt> element")

// parseEnvelope returns the <Encrypt> text of an encrypted request body. The
// text is a view of body, not a copy: the envelope is read only to verify and
// decrypt it, and body is not written to meanwhile. Nothing may keep the text
// past that (decrypt, the only caller, does not).
func parseEnvelope(body []byte) (string, error) {
	enc, found, err := rootChild(unsafe.String(unsafe.SliceData(body), len(body)), "Encrypt")
	switch {
	case err != nil:
		return "", err
	case !found:
		return "", errNoEncrypt
	}
	return enc, nil
}
