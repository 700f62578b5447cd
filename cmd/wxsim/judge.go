package main

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/wxkit/wechat/internal/wxcrypto"
	"github.com/wxkit/wechat/wechattest"
)

// fallbackText is what WeChat shows a follower when the bot does not answer in
// time or answers something WeChat refuses.
const fallbackText = "该公众号暂时无法提供服务，请稍后再试"

// judgement is what the simulator concludes about an exchange.
type judgement struct {
	verdicts               []verdict
	outcome, problem, hint string
	reply                  *wireReply
	bubbles                []*bubble
}

func (j *judgement) add(name, state, detail string) {
	j.verdicts = append(j.verdicts, verdict{Name: name, State: state, Detail: detail})
}

func (j *judgement) fallback(problem, hint string) {
	j.outcome, j.problem, j.hint = "fallback", problem, hint
}

func (j judgement) apply(ex *exchange) {
	ex.Verdicts, ex.Outcome, ex.Problem, ex.Hint = j.verdicts, j.outcome, j.problem, j.hint
	ex.Reply, ex.Bubbles = j.reply, j.bubbles
	if len(ex.late) > 0 { // customer-service messages came while WeChat retried
		ex.Verdicts = append(ex.Verdicts, ex.lateVerdict())
	}
}

// judge checks the last attempt's answer as WeChat would, in the exchange's
// mode, and says why at each step. wechattest's DecodeReply has the last word
// on whether WeChat accepts a reply; the verdicts before it explain.
//
// WeChat documents the fallback for "no answer within 5 s" and for "abnormal
// data" (its example is a JSON reply). That a non-200 status, a refused
// connection, a reply that breaks a documented limit or is badly signed also
// end in the fallback is derived, not documented; so is retrying only on a
// timeout.
func (s *Sim) judge(c *wechattest.WebhookClient, ex *exchange, last result) (j judgement) {
	n := len(ex.Attempts)
	final := ex.Attempts[n-1]
	limit := "5 秒"
	if s.timeout != defaultTimeout {
		limit = s.timeout.String()
	}
	within := limit + "内应答" // "5 秒内应答"
	if n > 1 {
		j.add("微信重试", "warn", fmt.Sprintf("同一条推送（同一 MsgId、timestamp、nonce 与签名）发了 %d 次：机器人要按 MsgId（事件按 FromUserName + CreateTime）去重，否则同一条消息会被处理多次", n))
	}
	switch {
	case final.TimedOut:
		j.add(within, "fail", fmt.Sprintf("%d 次推送都没有在 %s内得到回答", n, limit))
		j.fallback(fmt.Sprintf("机器人 %d 次都没有在 %s内回答，微信放弃了这条消息", n, limit),
			"5 秒内做不完的，先回答 success（或空串），再用客服消息接口把结果发给粉丝。wxkit 的 message.Server 在 4.5 秒时自动回答 success，迟到的回复交给 message.WithOnLateReply（如 customerservice.New(oa).OnLateReply）")
		return j
	case last.err != nil:
		j.add("送达 webhook", "fail", final.Error)
		j.fallback("推送没有送达 webhook："+final.Error, "机器人启动了吗？模拟器把推送发到 "+ex.Webhook+"（用 -webhook 或页面上的设置修改）")
		return j
	}
	switch elapsed := time.Duration(final.MS * float64(time.Millisecond)); {
	case n > 1:
		j.add(within, "fail", fmt.Sprintf("第 %d 次推送才得到回答", n))
	case elapsed > s.timeout*8/10:
		j.add(within, "warn", fmt.Sprintf("用了 %s，离 %s 的上限很近", elapsed.Round(time.Millisecond), limit))
	default:
		j.add(within, "ok", fmt.Sprintf("用了 %s", elapsed.Round(100*time.Microsecond)))
	}
	j.reply = &wireReply{Status: last.status, ContentType: last.contentType, Body: clip(last.body)}
	if last.status != http.StatusOK {
		j.add("HTTP 200", "fail", fmt.Sprintf("机器人回答了 HTTP %d %s", last.status, http.StatusText(last.status)))
		j.fallback(fmt.Sprintf("机器人回答了 HTTP %d，微信只认 200", last.status), statusHint(last.status, ex.Mode, s.fake.WebhookToken()))
		return j
	}
	j.add("HTTP 200", "ok", "")
	body := last.body
	if len(body) == 0 || string(body) == "success" {
		j.add("回复", "info", "回答了 "+quoteBody(body)+"：不回复，粉丝的聊天里什么也不出现，微信也不重试")
		j.outcome = "silent"
		return j
	}
	if !s.judgeEnvelope(&j, ex.Mode, body) {
		return j
	}
	reply, err := c.DecodeReply(last.status, body)
	if err != nil {
		why := strings.TrimPrefix(err.Error(), wechattest.ErrBadReply.Error()+": ")
		j.add("微信接受回复", "fail", why)
		j.fallback("微信会拒绝这个回复："+why, "")
		return j
	}
	j.add("XML 格式正确", "ok", "MsgType "+reply.Message.MsgType)
	if m := reply.Message; m.ToUserName == ex.OpenID && m.FromUserName == s.fake.OriginalID() {
		j.add("收发方", "ok", "ToUserName 是粉丝的 OpenID，FromUserName 是公众号的原始 ID")
	} else {
		j.add("收发方", "warn", fmt.Sprintf("ToUserName %q、FromUserName %q：应分别是粉丝的 OpenID（推送的 FromUserName）和公众号的原始 ID %s（推送的 ToUserName）",
			m.ToUserName, m.FromUserName, s.fake.OriginalID()))
	}
	if problem := s.replyLimit(&reply.Message, ex.Sent.Type == "event"); problem != "" {
		j.add("回复限制", "fail", problem)
		j.fallback("回复不符合微信的限制："+problem, "")
		return j
	}
	j.add("回复限制", "ok", "")
	j.outcome = "reply"
	j.bubbles = []*bubble{s.replyBubble(&reply.Message)}
	return j
}

// judgeEnvelope checks the reply's envelope: in safe mode an encrypted reply is
// required; an encrypted one must carry a valid MsgSignature and decrypt to this
// AppID. It records the decrypted XML and reports whether judging goes on.
func (s *Sim) judgeEnvelope(j *judgement, mode string, body []byte) bool {
	var env struct {
		Encrypt      string
		MsgSignature string
		TimeStamp    string
		Nonce        string
	}
	if err := xml.Unmarshal(body, &env); err != nil {
		j.add("XML 格式正确", "fail", err.Error())
		j.fallback("回复不是 XML", "被动回复是 XML（或 success）；JSON、HTML 或别的内容都会让粉丝看到“"+fallbackText+"”")
		return false
	}
	if env.Encrypt == "" {
		j.reply.XML = clip(body)
		switch mode {
		case wechattest.ModeSafe.String():
			j.add("回复已加密", "fail", "安全模式下回复必须加密（<Encrypt> 信封）")
		case wechattest.ModeCompatible.String():
			j.add("回复已加密", "info", "明文回复：兼容模式下微信也接受")
		}
		return true
	}
	j.reply.Encrypted = true
	if wxcrypto.VerifySignature(env.MsgSignature, s.fake.WebhookToken(), env.TimeStamp, env.Nonce, env.Encrypt) {
		j.add("回复签名有效", "ok", "MsgSignature = sha1(sort(Token, TimeStamp, Nonce, Encrypt))")
	} else {
		j.add("回复签名有效", "fail", "MsgSignature 与 sha1(sort(Token, TimeStamp, Nonce, Encrypt)) 不符：机器人的 Token 与模拟器的不同？")
	}
	plain, err := s.cipher.Decrypt([]byte(env.Encrypt), s.fake.AppID())
	if err != nil {
		j.add("已解密", "fail", err.Error()+"：机器人的 EncodingAESKey 或 AppID 与模拟器的不同？")
		return true // DecodeReply refuses it and says why
	}
	j.add("已解密", "ok", "AES-256-CBC，AppID 相符")
	j.reply.XML = clip(plain)
	return true
}

// replyLimit returns how a passive reply breaks WeChat's documented rules
// (spec/webhook.md §7), or "". toEvent: the push was an event.
func (s *Sim) replyLimit(m *wechattest.ReplyMessage, toEvent bool) string {
	needMedia := func(field, id string) string {
		if id == "" {
			return field + " 为空"
		}
		if known, checked := s.mediaKnown(id); checked && !known {
			return field + " " + id + " 不存在或已过期（临时素材 3 天）"
		}
		return ""
	}
	switch m.MsgType {
	case "text", "transfer_customer_service":
	case "image":
		return needMedia("Image.MediaId", m.Image.MediaID)
	case "voice":
		return needMedia("Voice.MediaId", m.Voice.MediaID)
	case "video":
		return needMedia("Video.MediaId", m.Video.MediaID)
	case "music":
		return needMedia("Music.ThumbMediaId", m.Music.ThumbMediaID)
	case "news":
		n, max := len(m.Articles), 8
		if !toEvent {
			max = 1 // since 2018-10-12, in answer to a message the follower sent
		}
		switch {
		case n == 0:
			return "图文消息没有文章"
		case n > max && !toEvent:
			return fmt.Sprintf("回复粉丝发来的消息时图文只能有 1 篇，这里有 %d 篇", n)
		case n > max:
			return fmt.Sprintf("图文最多 8 篇，这里有 %d 篇", n)
		case m.ArticleCount != n:
			return fmt.Sprintf("ArticleCount 是 %d，文章却有 %d 篇", m.ArticleCount, n)
		}
	default:
		return "未知的回复类型 " + m.MsgType
	}
	return ""
}

// statusHint says what a status other than 200 usually means.
func statusHint(status int, mode, token string) string {
	switch {
	case status == http.StatusForbidden && mode == wechattest.ModePlaintext.String():
		return "机器人拒绝了明文推送。配置了 EncodingAESKey 的 wxkit 机器人默认只收加密推送（明文签名不覆盖消息体）：" +
			"切到兼容或安全模式；确要试明文模式，给机器人加上 WECHAT_ALLOW_PLAINTEXT=1（message.WithAllowPlaintext()）后重启。" +
			"也可能是 Token 不对（模拟器的 Token 是 " + token + "）"
	case status == http.StatusForbidden:
		return "签名或时间戳被拒：机器人的 WECHAT_TOKEN 应是 " + token + "，WECHAT_ENCODING_AES_KEY 与 WECHAT_APPID 也要与模拟器打印的一致"
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed:
		return "路径或方法不对：webhook 要同时接受 GET（验证服务器地址）和 POST（推送），gin 里用 r.Any(\"/wechat\", gin.WrapH(srv))"
	case status == http.StatusRequestEntityTooLarge:
		return "机器人认为推送太大"
	case status >= 500:
		return "机器人内部出错：看它的日志"
	}
	return ""
}

func quoteBody(b []byte) string {
	if len(b) == 0 {
		return "空串"
	}
	return string(b)
}
