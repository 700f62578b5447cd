package message

import "testing"

// TestDedupKeysOfJobEvents: two job events of one sender in the same second
// are two deliveries, not a retry; the same job's event twice is a retry.
func TestDedupKeysOfJobEvents(t *testing.T) {
	t.Parallel()
	mass := func(id int64) *Message {
		return &Message{ToUserName: "gh", FromUserName: "mphelper", CreateTime: 1, MsgType: MsgTypeEvent, Event: EventMassSendJobFinish, MsgID: id}
	}
	pub := func(id string) *Message {
		return &Message{ToUserName: "gh", FromUserName: "mphelper", CreateTime: 1, MsgType: MsgTypeEvent, Event: EventPublishJobFinish,
			PublishEventInfo: PublishEventInfo{PublishID: id}}
	}
	if dedupKey(mass(1)) == dedupKey(mass(2)) {
		t.Error("two MASSSENDJOBFINISH events of different sends share a key")
	}
	if dedupKey(pub("1")) == dedupKey(pub("2")) {
		t.Error("two PUBLISHJOBFINISH events of different jobs share a key")
	}
	sent := func(id int64) *Message {
		return &Message{ToUserName: "gh", FromUserName: "o1", CreateTime: 1, MsgType: MsgTypeEvent, Event: EventSubscribeMsgSent,
			SubscribeMsgs: []SubscribeMsg{{TemplateID: "t", MsgID: id}}}
	}
	if dedupKey(sent(1)) == dedupKey(sent(2)) {
		t.Error("two subscribe_msg_sent_event of different messages share a key")
	}
	if dedupKey(mass(1)) != dedupKey(mass(1)) || dedupKey(pub("1")) != dedupKey(pub("1")) {
		t.Error("a job's event and its retry have different keys")
	}
}
