package template

import "strings"

// SendStatus is the Status of a TEMPLATESENDJOBFINISH event: how delivery of a
// template message ended.
type SendStatus string

// The statuses WeChat documents. Note the space in "failed: system failed".
const (
	StatusSuccess      SendStatus = "success"
	StatusUserBlock    SendStatus = "failed:user block"     // the user refuses the account's messages
	StatusSystemFailed SendStatus = "failed: system failed" // any other failure
)

// ParseStatus turns the event's Status string (message.Message.Status) into a
// SendStatus. It tolerates a space before or after the colon, which WeChat's two
// failure values use inconsistently; anything else is returned unchanged.
func ParseStatus(s string) SendStatus {
	k := statusKey(s)
	for _, st := range []SendStatus{StatusSuccess, StatusUserBlock, StatusSystemFailed} {
		if k == statusKey(string(st)) {
			return st
		}
	}
	return SendStatus(s)
}

// statusKey is s with runs of spaces collapsed and none around a colon.
func statusKey(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.ReplaceAll(s, " :", ":")
	return strings.ReplaceAll(s, ": ", ":")
}

// Delivered reports whether the message reached the user.
func (st SendStatus) Delivered() bool { return st == StatusSuccess }
