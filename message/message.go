package message

import "github.com/wxkit/wechat"

// MsgType is the MsgType of a message (消息类型): what a follower sent, "event"
// for an event push, the kind of a passive reply, or the msgtype of a message
// sent through the APIs (customerservice.Message).
type MsgType string

// Inbound message types (接收普通消息) and the event type.
const (
	MsgTypeText       MsgType = "text"
	MsgTypeImage      MsgType = "image"
	MsgTypeVoice      MsgType = "voice"
	MsgTypeVideo      MsgType = "video"
	MsgTypeShortVideo MsgType = "shortvideo"
	MsgTypeLocation   MsgType = "location"
	MsgTypeLink       MsgType = "link"
	// MsgTypeFile is a file a follower sent. Our protocol notes (spec/webhook.md)
	// do not describe its elements; Title and Description are filled when present,
	// and the rest (FileKey, FileMd5, FileTotalLen in other SDKs) can be read with
	// [Message.Field].
	MsgTypeFile  MsgType = "file"
	MsgTypeEvent MsgType = "event"
)

// Reply-only message types (被动回复消息).
const (
	MsgTypeMusic                   MsgType = "music"
	MsgTypeNews                    MsgType = "news"
	MsgTypeTransferCustomerService MsgType = "transfer_customer_service"
)

// Message types only sent through the APIs (customer-service messages, 客服消息),
// never pushed to the webhook or answered passively. They share MsgType so that
// every msgtype in wxkit has one Go type.
const (
	MsgTypeMPNews          MsgType = "mpnews"          // an article (图文消息) by media id
	MsgTypeMPNewsArticle   MsgType = "mpnewsarticle"   // a published article (发布) by article id
	MsgTypeMsgMenu         MsgType = "msgmenu"         // a menu of options (菜单消息)
	MsgTypeWxCard          MsgType = "wxcard"          // a card or coupon (卡券)
	MsgTypeMiniProgramPage MsgType = "miniprogrampage" // a mini-program card (小程序卡片)
)

// Event is the Event of an event push (事件推送). It is wechat.Event, so that
// wechattest's push client takes these constants too.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_event_pushes.html
type Event = wechat.Event

// The events WeChat pushes to an Official Account.
const (
	EventSubscribe   Event = "subscribe"   // follow (关注); from a parametric QR code EventKey is "qrscene_"+scene
	EventUnsubscribe Event = "unsubscribe" // unfollow (取消关注)
	EventScan        Event = "SCAN"        // a follower scanned a parametric QR code; EventKey is the scene
	EventLocation    Event = "LOCATION"    // reported location (上报地理位置)

	EventClick           Event = "CLICK"              // menu click button; EventKey is the button key
	EventView            Event = "VIEW"               // menu link button; EventKey is the URL
	EventScanCodePush    Event = "scancode_push"      // menu scan, result shown
	EventScanCodeWaitMsg Event = "scancode_waitmsg"   // menu scan, waiting for a reply
	EventPicSysPhoto     Event = "pic_sysphoto"       // menu camera
	EventPicPhotoOrAlbum Event = "pic_photo_or_album" // menu camera or album
	EventPicWeixin       Event = "pic_weixin"         // menu WeChat album
	EventLocationSelect  Event = "location_select"    // menu location picker
	EventViewMiniProgram Event = "view_miniprogram"   // menu mini-program button; EventKey is the page path

	EventTemplateSendJobFinish Event = "TEMPLATESENDJOBFINISH" // template message delivered or failed
	EventMassSendJobFinish     Event = "MASSSENDJOBFINISH"     // mass send finished
	EventPublishJobFinish      Event = "PUBLISHJOBFINISH"      // article publishing finished (发布)

	EventSubscribeMsgPopup  Event = "subscribe_msg_popup_event"  // subscription-message consent popup answered
	EventSubscribeMsgChange Event = "subscribe_msg_change_event" // a subscription was withdrawn in settings
	EventSubscribeMsgSent   Event = "subscribe_msg_sent_event"   // a subscription message was sent

	EventKfCreateSession Event = "kf_create_session" // customer-service session opened
	EventKfCloseSession  Event = "kf_close_session"  // customer-service session closed
	EventKfSwitchSession Event = "kf_switch_session" // customer-service session moved to another agent
)

// Message is one inbound message or event push, every kind in one struct: the
// fields a kind does not carry stay zero. Numbers WeChat sends as text that do
// not parse are left zero; the element's text is still in Raw (see [Message.Field]).
type Message struct {
	ToUserName   string  // the account's original id (gh_…)
	FromUserName string  // the sender's OpenID
	CreateTime   int64   // unix seconds
	MsgType      MsgType // see the MsgType constants; unknown kinds arrive as sent
	// MsgID is the message id (MsgId) of a follower's message, or the job id (MsgID)
	// of TEMPLATESENDJOBFINISH and MASSSENDJOBFINISH.
	MsgID     int64
	MsgDataID int64 // MsgDataId: set when the message was sent from an article (图文消息)
	Idx       int   // the article's 1-based index in a multi-article post

	Content      string // text
	BizMsgMenuID string // bizmsgmenuid: the option a follower tapped in a customer-service menu (菜单消息)

	PicURL       string // image: PicUrl
	MediaID      string // image, voice, video, shortvideo: MediaId
	Format       string // voice: amr, speex, …
	Recognition  string // voice: speech recognition result (语音识别结果), when enabled
	ThumbMediaID string // video, shortvideo

	LocationX float64 // location: Location_X, latitude
	LocationY float64 // location: Location_Y, longitude
	Scale     int     // location: map zoom
	Label     string  // location: place description

	Title       string // link, file
	Description string // link, file
	URL         string // link: Url

	Event    Event  // events: see the Event constants; unknown events arrive as sent
	EventKey string // subscribe ("qrscene_…"), SCAN, menu events
	Ticket   string // subscribe by QR code, SCAN: the QR code's ticket

	Latitude  float64 // LOCATION
	Longitude float64 // LOCATION
	Precision float64 // LOCATION

	MenuID int64 // VIEW, view_miniprogram: MenuId, which (personalized) menu was used

	ScanCodeInfo     ScanCodeInfo     // scancode_push, scancode_waitmsg
	SendPicsInfo     SendPicsInfo     // pic_sysphoto, pic_photo_or_album, pic_weixin
	SendLocationInfo SendLocationInfo // location_select

	// Status is the result of TEMPLATESENDJOBFINISH ("success", "failed:user block",
	// "failed: system failed") or MASSSENDJOBFINISH ("send success", "send fail",
	// "err(<code>)").
	Status               string
	TotalCount           int // MASSSENDJOBFINISH
	FilterCount          int // MASSSENDJOBFINISH
	SentCount            int // MASSSENDJOBFINISH
	ErrorCount           int // MASSSENDJOBFINISH
	CopyrightCheckResult CopyrightCheckResult
	ArticleURLResult     ArticleURLResult

	// SubscribeMsgs are the List items of SubscribeMsgPopupEvent,
	// SubscribeMsgChangeEvent or SubscribeMsgSentEvent, whichever the event has.
	SubscribeMsgs []SubscribeMsg

	KfAccount     string // kf_create_session, kf_close_session
	FromKfAccount string // kf_switch_session
	ToKfAccount   string // kf_switch_session

	PublishEventInfo PublishEventInfo // PUBLISHJOBFINISH

	// Raw is the message XML as received (decrypted in compatible and safe mode).
	// It must not be modified: the string fields above are read from it in
	// place, and would change with it.
	Raw []byte
}

// ScanCodeInfo is the result of a menu scan (扫码).
type ScanCodeInfo struct {
	ScanType   string // qrcode, barcode, …
	ScanResult string
}

// SendPicsInfo lists the pictures sent from a menu picture button.
type SendPicsInfo struct {
	Count   int
	PicList []string // the PicMd5Sum of each picture
}

// SendLocationInfo is the place picked with a menu location button.
type SendLocationInfo struct {
	LocationX float64 // Location_X
	LocationY float64 // Location_Y
	Scale     int
	Label     string
	Poiname   string // point of interest, may be empty
}

// CopyrightCheckResult is the originality check of a mass send (原创校验).
type CopyrightCheckResult struct {
	Count      int
	ResultList []CopyrightCheck
	CheckState int // 1 pending, 2 passed, 3 failed (WeChat's values)
}

// CopyrightCheck is the originality check of one article of a mass send.
type CopyrightCheck struct {
	ArticleIdx            int
	UserDeclareState      int
	AuditState            int
	OriginalArticleURL    string // OriginalArticleUrl
	OriginalArticleType   int
	CanReprint            int
	NeedReplaceContent    int
	NeedShowReprintSource int
}

// ArticleURLResult lists the URLs of a mass send's articles (ArticleUrlResult).
type ArticleURLResult struct {
	Count      int
	ResultList []ArticleURL
}

// ArticleURL is the URL of one article of a mass send.
type ArticleURL struct {
	ArticleIdx int
	ArticleURL string // ArticleUrl
}

// SubscribeMsg is one template of a subscription-message event (订阅通知).
type SubscribeMsg struct {
	TemplateID            string // TemplateId
	SubscribeStatusString string // popup and change: "accept" or "reject"
	PopupScene            int    // popup: 1 an H5 page, 2 an article
	MsgID                 int64  // sent
	ErrorCode             int    // sent: 0 is success
	ErrorStatus           string // sent
}

// PublishEventInfo is the result of publishing an article (发布).
type PublishEventInfo struct {
	PublishID     string // publish_id
	PublishStatus int    // publish_status: 0 success, others per WeChat's publishing docs
	ArticleID     string // article_id
	ArticleDetail []PublishedArticle
	FailIdx       []int // fail_idx: indexes of articles that failed
}

// PublishedArticle is one article of a finished publish job.
type PublishedArticle struct {
	Idx        int
	ArticleURL string // article_url
}

// IsEvent reports whether m is an event push rather than a follower's message.
func (m *Message) IsEvent() bool { return m.MsgType == MsgTypeEvent }

// Scene returns the QR code scene of a subscribe event (EventKey without its
// "qrscene_" prefix) or of a SCAN event (EventKey), and "" for anything else.
func (m *Message) Scene() string {
	switch m.Event {
	case EventSubscribe:
		const prefix = "qrscene_"
		if len(m.EventKey) > len(prefix) && m.EventKey[:len(prefix)] == prefix {
			return m.EventKey[len(prefix):]
		}
	case EventScan:
		return m.EventKey
	}
	return ""
}

// Field returns the text of the first element named name directly under the
// root of Raw, or "" when there is none. It reaches elements the struct does not
// model, such as the fields of a new event type.
func (m *Message) Field(name string) string {
	v, _, _ := rootChild(string(m.Raw), name)
	return v
}
