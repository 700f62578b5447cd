package wechattest

import (
	"net/http"

	"github.com/wxkit/wechat"
)

// PathTicket hands out JS-SDK tickets: GET /cgi-bin/ticket/getticket?type=jsapi.
const PathTicket = "/cgi-bin/ticket/getticket"

// ticketRoutes serves getticket. Every call issues a new ticket of the asked type
// that lives expires_in; the spec documents no invalidation of earlier tickets and
// no errcode for an unknown type, so the fake keeps earlier tickets and answers
// 40097 (parameter error) for a type other than jsapi and wx_card.
func (s *Server) ticketRoutes() {
	s.api(http.MethodGet, PathTicket, func(c *call) (any, error) {
		switch c.query.Get("type") {
		case "jsapi", "wx_card":
		default:
			return nil, apiError(wechat.CodeParameterError, "invalid ticket type")
		}
		ticket := randomHex(8) + "-" + randomHex(32)
		s.noteTicket(c.query.Get("type"), ticket, c.now.Add(s.expiresIn)) // jsapi.go
		return map[string]any{
			"errcode": 0, "errmsg": "ok",
			"ticket":     ticket,
			"expires_in": int(s.expiresIn.Seconds()),
		}, nil
	})
}
