package wechattest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wxkit/wechat"
)

// SentMessage is one customer-service message the platform accepted.
type SentMessage struct {
	ToUser    string
	MsgType   string    // "text", "image", …
	KfAccount string    // customservice.kf_account, "" when not sent as a kf account
	Content   string    // text.content, for a text message
	Body      []byte    // the request body as received
	At        time.Time // platform time
}

// kfAccount is a customer-service account (客服账号).
type kfAccount struct {
	account, nickname string
	id                int
	headImg           string // URL once an avatar was uploaded
	online            bool
}

// kfState holds the kf accounts, the messages sent and the typing states.
type kfState struct {
	accounts []*kfAccount // in the order added
	nextID   int
	sent     []SentMessage
	typing   map[string]time.Time // until when each follower sees "typing"
}

// Customer-service rules, as WeChat documents them.
const (
	replyWindow      = 48 * time.Hour   // after the follower's last message
	typingExchange   = 30 * time.Second // typing needs an exchange this recent
	typingLasts      = 15 * time.Second
	kfAccountLimit   = 100
	kfNicknameLimit  = 16 // characters
	kfPrefixLimit    = 10 // characters of [A-Za-z0-9_]
	kfSuffixLimit    = 30 // characters
	pathCustomSend   = "/cgi-bin/message/custom/send"
	pathCustomTyping = "/cgi-bin/message/custom/typing"
)

// OpenWindow plays openID writing to the account now (platform time): it opens the
// 48-hour window for customer-service messages, and the 30-second one for typing,
// as a message pushed through the webhook client does.
func (s *Server) OpenWindow(openID string) { s.noteInbound(openID, s.Now()) }

// SentMessages returns the customer-service messages the platform accepted, oldest
// first.
func (s *Server) SentMessages() []SentMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SentMessage(nil), s.kf.sent...)
}

// IsTyping reports whether openID currently sees the account typing.
func (s *Server) IsTyping(openID string) bool {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	return now.Before(s.kf.typing[openID])
}

// SetKfOnline sets whether the kf account shows in the online list (status 1, web
// online). It reports false when the account does not exist.
func (s *Server) SetKfOnline(account string, online bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.kfAccount(account)
	if a != nil {
		a.online = online
	}
	return a != nil
}

func (s *Server) kfAccount(account string) *kfAccount {
	for _, a := range s.kf.accounts {
		if a.account == account {
			return a
		}
	}
	return nil
}

func (s *Server) kfRoutes() {
	s.kf = kfState{nextID: 1001, typing: map[string]time.Time{}}
	s.api(http.MethodPost, pathCustomSend, s.customSend)
	s.api(http.MethodPost, pathCustomTyping, s.customTyping)
	s.api(http.MethodPost, "/customservice/kfaccount/add", s.kfAdd)
	s.api(http.MethodPost, "/customservice/kfaccount/update", s.kfUpdate)
	s.api(http.MethodGet, "/customservice/kfaccount/del", s.kfDelete)
	s.api(http.MethodPost, "/customservice/kfaccount/uploadheadimg", s.kfAvatar)
	s.api(http.MethodGet, "/cgi-bin/customservice/getkflist", s.kfList)
	s.api(http.MethodGet, "/cgi-bin/customservice/getonlinekflist", s.kfOnline)
}

// kfAccountPattern is prefix@suffix: the prefix up to 10 of [A-Za-z0-9_], the
// suffix (the account's WeChat ID, which the fake does not check) up to 30.
var kfAccountPattern = regexp.MustCompile(fmt.Sprintf(`^[A-Za-z0-9_]{1,%d}@[^@\s]{1,%d}$`, kfPrefixLimit, kfSuffixLimit))

type kfRequest struct {
	Account  string `json:"kf_account"`
	Nickname string `json:"nickname"`
}

func checkKfNickname(nick string) error {
	if nick == "" || utf8.RuneCountInString(nick) > kfNicknameLimit {
		return apiError(wechat.CodeIllegalKfNickname, "invalid nickname")
	}
	return nil
}

func (s *Server) kfAdd(c *call) (any, error) {
	var req kfRequest
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	switch {
	case !kfAccountPattern.MatchString(req.Account):
		return nil, apiError(wechat.CodeIllegalKfAccount, "invalid kf_account")
	case s.kfAccount(req.Account) != nil:
		return nil, apiError(wechat.CodeKfAccountExists, "kf_account exsited")
	case len(s.kf.accounts) >= kfAccountLimit:
		return nil, apiError(wechat.CodeKfAccountLimit, "kf_account count exceed limit")
	}
	if err := checkKfNickname(req.Nickname); err != nil {
		return nil, err
	}
	s.kf.accounts = append(s.kf.accounts, &kfAccount{account: req.Account, nickname: req.Nickname, id: s.kf.nextID})
	s.kf.nextID++
	return ok(), nil
}

func (s *Server) kfUpdate(c *call) (any, error) {
	var req kfRequest
	if err := c.bind(&req); err != nil {
		return nil, err
	}
	a := s.kfAccount(req.Account)
	if a == nil {
		return nil, apiError(wechat.CodeInvalidKfAccount, "invalid kf_account")
	}
	if err := checkKfNickname(req.Nickname); err != nil {
		return nil, err
	}
	a.nickname = req.Nickname
	return ok(), nil
}

func (s *Server) kfDelete(c *call) (any, error) {
	a := s.kfAccount(c.query.Get("kf_account"))
	if a == nil {
		return nil, apiError(wechat.CodeInvalidKfAccount, "invalid kf_account")
	}
	for i, b := range s.kf.accounts {
		if b == a {
			s.kf.accounts = append(s.kf.accounts[:i], s.kf.accounts[i+1:]...)
			break
		}
	}
	return ok(), nil
}

// kfAvatar takes a multipart body with the image in the field "media": 65401 for
// an unknown kf account, 41005 when there is no media field, 44001 when it is empty.
func (s *Server) kfAvatar(c *call) (any, error) {
	a := s.kfAccount(c.query.Get("kf_account"))
	if a == nil {
		return nil, apiError(wechat.CodeInvalidKfAccount, "invalid kf_account")
	}
	img, err := multipartFile(c.body, "media")
	if err != nil {
		return nil, apiError(wechat.CodeMediaDataMissing, "media data missing")
	}
	if len(img) == 0 {
		return nil, apiError(wechat.CodeMediaFileEmpty, "empty media file")
	}
	a.headImg = fmt.Sprintf("https://mmbiz.qpic.cn/mmbiz_png/wxkit-fake-kf-%d/0", a.id)
	return ok(), nil
}

// multipartFile returns the content of the file field of a multipart/form-data
// body. Handlers see the body but not the headers, so the boundary is read from
// the body's first line, which is "--" and the boundary.
func multipartFile(body []byte, field string) ([]byte, error) {
	first, err := bufio.NewReader(bytes.NewReader(body)).ReadString('\n')
	if err != nil || !strings.HasPrefix(first, "--") {
		return nil, errors.New("not multipart")
	}
	mr := multipart.NewReader(bytes.NewReader(body), strings.TrimSpace(first[2:]))
	for {
		p, err := mr.NextPart()
		if err != nil {
			return nil, err // io.EOF: no such field
		}
		if p.FormName() == field && p.FileName() != "" {
			return io.ReadAll(p)
		}
	}
}

func (s *Server) kfList(*call) (any, error) {
	list := make([]map[string]any, len(s.kf.accounts))
	for i, a := range s.kf.accounts {
		list[i] = map[string]any{"kf_account": a.account, "kf_nick": a.nickname, "kf_id": a.id, "kf_headimgurl": a.headImg}
	}
	return map[string]any{"kf_list": list}, nil
}

func (s *Server) kfOnline(*call) (any, error) {
	list := []map[string]any{}
	for _, a := range s.kf.accounts {
		if a.online {
			list = append(list, map[string]any{"kf_account": a.account, "status": 1, "kf_id": a.id, "accepted_case": 0})
		}
	}
	return map[string]any{"kf_online_list": list}, nil
}
