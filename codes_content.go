package wechat

// Errcodes of the content APIs: media, drafts, publishing, mass send,
// subscription notifications and the OpenAPI management tools (shared spec
// media.md, publishing.md). Codes that other APIs share are in codes.go.
const (
	// Media (素材).
	CodeImageTooLarge       = 40009 // image too large (uploadimg: 1 MB)
	CodeInvalidVoiceSize    = 40010
	CodeInvalidVideoSize    = 40011
	CodeInvalidThumbSize    = 40012
	CodeUnsupportedFileType = 40113 // no or unknown filename extension (field report)
	CodeAPIRetired          = 45103 // "This API has been unsupported": add_news and friends
	CodeMaterialInUse       = 48005 // material used by an auto-reply or a menu cannot be deleted

	// Drafts (草稿箱) and publishing (发布能力).
	CodeInvalidArticleIndex   = 40114 // draft/update: index out of range
	CodeInvalidSourceURL      = 41039 // invalid content_source_url
	CodeInvalidContent        = 45166 // invalid article content
	CodePublishCheckFailed    = 53503 // the draft failed the publish check
	CodePublishNeedsConsole   = 53504 // the draft must be published from the web console
	CodePublishSaveInConsole  = 53505 // save the draft in the web console first
	CodeInvalidArticleID      = 53600
	CodeNoCommentPrivilege    = 88000
	CodeProductsNotAllowed    = 53404 // account barred from selling products
	CodeProductInfoInvalid    = 53405
	CodeProductSellingOff     = 53406
	CodeInvalidMassMsgID      = 40059 // mass/delete, mass/get: invalid msg_id
	CodeMassTooFewUsers       = 40130 // mass/send: fewer than 2 OpenIDs (community report)
	CodeMassDuplicate         = 45065 // same clientmsgid already sent; the reply carries the first msg_id
	CodeMassRetryTooFast      = 45066 // same clientmsgid retried within a minute
	CodeMassClientMsgIDLength = 45067 // clientmsgid longer than 64 bytes
	CodeMassSpeedOutOfRange   = 45083
	CodeMassSpeedMissing      = 45084

	// Subscription notifications (订阅通知) and the template library.
	CodeInvalidPage          = 41030
	CodeLibraryAccountBanned = 200011
	CodeLibraryTemplateLimit = 200012 // 25 private templates
	CodeLibraryTemplateBan   = 200013
	CodeLibraryInvalidTID    = 200014
	CodeLibraryInvalidStart  = 200016
	CodeLibraryInvalidLimit  = 200017
	CodeLibraryIDsMissing    = 200018
	CodeLibraryIDsInvalid    = 200019
	CodeLibraryInvalidKids   = 200020
	CodeLibrarySceneDesc     = 200021

	// OpenAPI management (接口管理) and network checks.
	CodeRIDNotFound         = 76001
	CodeRIDMalformed        = 76002
	CodeRIDOtherAccount     = 76003 // also: quota/get path not starting with "/"
	CodeRIDExpired          = 76004 // rids are kept 7 days
	CodeQuotaPathNotFound   = 76021
	CodeQuotaPathNotAllowed = 76022
	CodeCallbackURLMissing  = 40201
	CodeCallbackBadAction   = 40202
	CodeCallbackBadOperator = 40203
)
