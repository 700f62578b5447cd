package main

import (
	"encoding/json"
	"fmt"
	"time"
)

// Late replies. A bot that cannot answer within WeChat's 5 seconds answers
// "success" and sends its reply later through the customer-service API (wxkit's
// message.WithOnLateReply does that at 4.5 s). The simulator ties the
// customer-service messages that follow a slow exchange to it, which also
// tells something about de-duplication: a bot that handles each of WeChat's
// retries as a new message tends to send the same late reply once per
// attempt. How many times the bot ran its handler cannot be seen from outside
// it; identical late replies are the visible trace.

// lateWindow is how long after a slow exchange began customer-service messages
// are taken as its late replies.
const lateWindow = time.Minute

// slow reports whether ex is an exchange a late reply may follow: WeChat
// retried it, or it ended without a reply close to the deadline.
func (ex *exchange) slow(timeout time.Duration) bool {
	if len(ex.Attempts) > 1 {
		return true
	}
	return (ex.Outcome == "silent" || ex.Outcome == "fallback") && ex.ElapsedMS > ms(timeout)*0.8
}

// noteLate ties a customer-service message to the follower's last exchange
// when that one was slow and recent, and says so in its verdicts. It returns
// that exchange, or nil. s.mu must be held.
func (s *Sim) noteLate(f *follower, dv *delivery) *exchange {
	if dv.Source != "custom" {
		return nil
	}
	for i := len(f.chat) - 1; i >= 0; i-- {
		ex := f.chat[i].Exchange
		if ex == nil {
			continue
		}
		if dv.At.Sub(ex.At) > lateWindow {
			return nil
		}
		key, _ := json.Marshal(dv.Bubble)
		if ex.Outcome == "pending" && len(ex.Attempts) == 0 {
			// The first attempt is under way. A bot that answers success at its
			// deadline sends its late reply at the same moment, and the reply
			// can arrive before the answer does: hold it until the exchange
			// ends (settleEarly).
			ex.early = append(ex.early, string(key))
			return nil
		}
		retrying := ex.Outcome == "pending" // an attempt timed out already
		if !retrying && !ex.slow(s.timeout) {
			return nil
		}
		ex.late = append(ex.late, string(key))
		ex.Verdicts = append(withoutVerdict(ex.Verdicts, lateVerdict), ex.lateVerdict())
		return ex
	}
	return nil
}

const lateVerdict = "迟到的回复"

// settleEarly ties the customer-service messages that came during the first
// attempt to ex once it has ended, if it was slow; a quick exchange leaves them
// as ordinary messages. s.mu must be held.
func (ex *exchange) settleEarly(timeout time.Duration) {
	early := ex.early
	ex.early = nil
	if len(early) == 0 || !ex.slow(timeout) {
		return
	}
	ex.late = append(early, ex.late...)
	ex.Verdicts = append(withoutVerdict(ex.Verdicts, lateVerdict), ex.lateVerdict())
}

// lateVerdict says how many customer-service messages followed the exchange,
// and how many of them repeat another.
func (ex *exchange) lateVerdict() verdict {
	seen := map[string]bool{}
	repeats := 0
	for _, k := range ex.late {
		if seen[k] {
			repeats++
		}
		seen[k] = true
	}
	if repeats > 0 {
		return verdict{Name: lateVerdict, State: "warn", Detail: fmt.Sprintf(
			"之后收到 %d 条客服消息，其中 %d 条与前面的相同：机器人可能没有按 MsgId 去重，把微信的每次重试都当成新消息处理了", len(ex.late), repeats)}
	}
	return verdict{Name: lateVerdict, State: "info", Detail: fmt.Sprintf(
		"之后收到 %d 条客服消息：机器人用客服消息接口补发了回复", len(ex.late))}
}

func withoutVerdict(vs []verdict, name string) []verdict {
	out := vs[:0:0]
	for _, v := range vs {
		if v.Name != name {
			out = append(out, v)
		}
	}
	return out
}
