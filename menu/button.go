package menu

// ButtonType is what a button does when tapped (菜单的响应动作类型).
type ButtonType string

// The button types the create API accepts. The comment says what the client does
// and which event, if any, reaches the webhook.
const (
	TypeClick              ButtonType = "click"                // pushes a CLICK event carrying Key
	TypeView               ButtonType = "view"                 // opens URL; pushes VIEW
	TypeMiniProgram        ButtonType = "miniprogram"          // opens a mini-program page; pushes view_miniprogram
	TypeScanCodePush       ButtonType = "scancode_push"        // scans a code and shows the result
	TypeScanCodeWaitMsg    ButtonType = "scancode_waitmsg"     // scans, then shows "消息接收中" until you reply
	TypePicSysPhoto        ButtonType = "pic_sysphoto"         // takes a photo and sends it to you
	TypePicPhotoOrAlbum    ButtonType = "pic_photo_or_album"   // camera or album
	TypePicWeixin          ButtonType = "pic_weixin"           // WeChat album picker
	TypeLocationSelect     ButtonType = "location_select"      // location picker
	TypeMediaID            ButtonType = "media_id"             // WeChat sends the permanent material MediaID; no event
	TypeViewLimited        ButtonType = "view_limited"         // opens the news material MediaID (legacy); no event
	TypeArticleID          ButtonType = "article_id"           // sends the published article ArticleID; no event
	TypeArticleViewLimited ButtonType = "article_view_limited" // opens the published article ArticleID; no event
)

// Console-only types: they appear in [Service.CurrentSelfMenu] for menus made in the
// web console but cannot be created through the API.
const (
	TypeText  ButtonType = "text"
	TypeImage ButtonType = "img"
	TypePhoto ButtonType = "photo"
	TypeVideo ButtonType = "video"
	TypeVoice ButtonType = "voice"
	TypeNews  ButtonType = "news"
)

// required is the field each creatable type must carry besides name: "key", "url",
// "media_id", "article_id"; miniprogram needs url, appid and pagepath.
var required = map[ButtonType][]string{
	TypeClick:              {"key"},
	TypeView:               {"url"},
	TypeMiniProgram:        {"url", "appid", "pagepath"},
	TypeScanCodePush:       {"key"},
	TypeScanCodeWaitMsg:    {"key"},
	TypePicSysPhoto:        {"key"},
	TypePicPhotoOrAlbum:    {"key"},
	TypePicWeixin:          {"key"},
	TypeLocationSelect:     {"key"},
	TypeMediaID:            {"media_id"},
	TypeViewLimited:        {"media_id"},
	TypeArticleID:          {"article_id"},
	TypeArticleViewLimited: {"article_id"},
}

// Creatable reports whether t is a type the create API accepts.
func (t ButtonType) Creatable() bool { _, ok := required[t]; return ok }

// Button is one menu entry (菜单按钮). A top-level button is either a leaf with a
// Type, or a parent with SubButtons and no Type (tapping it opens the sub-menu).
// Which of Key, URL, AppID, PagePath, MediaID, ArticleID are needed depends on Type;
// the constructors ([Click], [View], [MiniProgram], [Sub], …) set the right ones.
type Button struct {
	Type       ButtonType `json:"type,omitempty"`
	Name       string     `json:"name"`                 // ≤16 bytes top-level, ≤60 bytes in a sub-menu
	Key        string     `json:"key,omitempty"`        // click-like types; ≤128 bytes, echoed as EventKey
	URL        string     `json:"url,omitempty"`        // view, and the fallback page of miniprogram; ≤1024 bytes
	AppID      string     `json:"appid,omitempty"`      // miniprogram: a mini program linked to the account
	PagePath   string     `json:"pagepath,omitempty"`   // miniprogram: page path, may carry a query
	MediaID    string     `json:"media_id,omitempty"`   // media_id, view_limited: a permanent material
	ArticleID  string     `json:"article_id,omitempty"` // article_id, article_view_limited: a published article
	SubButtons []Button   `json:"sub_button,omitempty"` // 1–5 items, top-level buttons only
}

// Click is a button that pushes a CLICK event with key to the webhook.
func Click(name, key string) Button { return Button{Type: TypeClick, Name: name, Key: key} }

// View is a button that opens url.
func View(name, url string) Button { return Button{Type: TypeView, Name: name, URL: url} }

// MiniProgram is a button that opens pagePath of the mini program appID; clients
// that cannot open mini programs open fallbackURL instead.
func MiniProgram(name, appID, pagePath, fallbackURL string) Button {
	return Button{Type: TypeMiniProgram, Name: name, AppID: appID, PagePath: pagePath, URL: fallbackURL}
}

// ScanCodePush is a button that opens the code scanner and shows the result.
func ScanCodePush(name, key string) Button {
	return Button{Type: TypeScanCodePush, Name: name, Key: key}
}

// ScanCodeWaitMsg is a button that scans a code, pushes it to the webhook and shows
// "消息接收中" until the account replies.
func ScanCodeWaitMsg(name, key string) Button {
	return Button{Type: TypeScanCodeWaitMsg, Name: name, Key: key}
}

// PicSysPhoto is a button that takes a photo with the camera and sends it.
func PicSysPhoto(name, key string) Button { return Button{Type: TypePicSysPhoto, Name: name, Key: key} }

// PicPhotoOrAlbum is a button that sends a photo from the camera or the album.
func PicPhotoOrAlbum(name, key string) Button {
	return Button{Type: TypePicPhotoOrAlbum, Name: name, Key: key}
}

// PicWeixin is a button that sends a photo picked from the WeChat album.
func PicWeixin(name, key string) Button { return Button{Type: TypePicWeixin, Name: name, Key: key} }

// LocationSelect is a button that opens the location picker and sends the place.
func LocationSelect(name, key string) Button {
	return Button{Type: TypeLocationSelect, Name: name, Key: key}
}

// Media is a button that makes WeChat send the permanent material mediaID.
func Media(name, mediaID string) Button {
	return Button{Type: TypeMediaID, Name: name, MediaID: mediaID}
}

// ViewLimited is a button that opens the news material mediaID (legacy type).
func ViewLimited(name, mediaID string) Button {
	return Button{Type: TypeViewLimited, Name: name, MediaID: mediaID}
}

// Article is a button that sends the card of the published article articleID.
func Article(name, articleID string) Button {
	return Button{Type: TypeArticleID, Name: name, ArticleID: articleID}
}

// ArticleView is a button that opens the published article articleID.
func ArticleView(name, articleID string) Button {
	return Button{Type: TypeArticleViewLimited, Name: name, ArticleID: articleID}
}

// Sub is a top-level button that opens a sub-menu of 1–5 buttons.
func Sub(name string, buttons ...Button) Button { return Button{Name: name, SubButtons: buttons} }
