package wechat

// WeChat's errcodes, from the global return-code table and the per-API tables
// (see shared spec errors.md). The comment gives WeChat's meaning.
const (
	CodeNotWeChat  = -2 // not a WeChat errcode: a transport, decoding or local error (wxkit's own value)
	CodeSystemBusy = -1 // 系统繁忙: retry with backoff
	CodeOK         = 0  // 请求成功

	// General and transport.
	CodeIllegalCharacters = 40033 // request has \uxxxx escapes or illegal characters
	CodeInvalidParameter  = 40035 // 不合法的参数
	CodeInvalidFormat     = 40038 // invalid request format
	CodeURLTooLong        = 40039
	CodeInvalidURL        = 40066
	CodeParameterError    = 40097
	CodeGETRequired       = 43001
	CodePOSTRequired      = 43002
	CodeHTTPSRequired     = 43003
	CodeEmptyPOSTBody     = 44002
	CodeBodyUnparsable    = 47001 // JSON/XML body cannot be parsed
	CodeArgumentInvalid   = 47003 // argument invalid; errmsg names the field
	CodeAPIUnauthorized   = 48001 // API not authorized for this account
	CodeAPIBanned         = 48004
	CodeNoSendPermission  = 48008
	CodeUserUnauthorized  = 50001
	CodeUserRestricted    = 50002

	// Credentials, access_token, quota.
	CodeInvalidCredential      = 40001 // 不合法的凭证: wrong AppSecret, or access_token invalid / not the latest
	CodeInvalidGrantType       = 40002
	CodeInvalidAppID           = 40013
	CodeInvalidAccessToken     = 40014
	CodeInvalidAppSecret       = 40125
	CodeIPNotInWhitelist       = 40164 // caller IP not in the API IP allow-list
	CodeAppSecretFrozen        = 40243
	CodeAccessTokenMissing     = 41001
	CodeAppIDMissing           = 41002
	CodeSecretMissing          = 41004
	CodeAccessTokenExpired     = 42001
	CodeDailyQuotaLimit        = 45009 // daily API quota reached
	CodeMinuteQuotaLimit       = 45011 // per-minute limit reached
	CodeClearQuotaLimit        = 48006
	CodeTokenAPIForbidden      = 50004
	CodeAccountFrozen          = 50007
	CodeIPNotInWhitelistLegacy = 61004 // the service-account guide's code for a non-allow-listed IP
	CodeIPAwaitingConfirmation = 89501 // IP waiting for administrator confirmation
	CodeIPNeedsConfirmation    = 89503 // IP needs administrator confirmation (request sent)
	CodeIPRejected24h          = 89506 // rejected twice in 24 h; blocked 24 h
	CodeIPRejected1h           = 89507 // rejected in 1 h; blocked 1 h

	// Users, tags, blacklist.
	CodeInvalidOpenID        = 40003 // 不合法的 OpenID
	CodeInvalidOpenIDList    = 40031
	CodeOpenIDListTooLong    = 40032
	CodeMustFollow           = 43004
	CodeFriendshipRequired   = 43005
	CodeBlacklisted          = 43019
	CodeTooManyTags          = 45056
	CodeTagTooManyFans       = 45057
	CodeSystemTag            = 45058
	CodeUserTooManyTags      = 45059
	CodeInvalidTagName       = 45157
	CodeTagNameTooLong       = 45158
	CodeInvalidTagID         = 45159
	CodeUserNotExist         = 46004
	CodeOpenIDNotOfThisAppID = 49003

	// Media.
	CodeInvalidMediaType  = 40004
	CodeInvalidFileType   = 40005
	CodeInvalidFileSize   = 40006
	CodeInvalidMediaID    = 40007
	CodeMediaDataMissing  = 41005
	CodeMediaIDMissing    = 41006
	CodeMediaFileEmpty    = 44001
	CodeMediaFileTooLarge = 45001
	CodeMediaNotExist     = 46001

	// Messages: customer service, template.
	CodeInvalidMessageType    = 40008
	CodeInvalidTemplateIDSize = 40036
	CodeInvalidTemplateID     = 40037
	CodeTemplateKeywords      = 40246
	CodeUserRefused           = 43101
	CodeTemplateRestricted    = 43116
	CodeNewsEmpty             = 44003
	CodeTextEmpty             = 44004
	CodeContentTooLong        = 45002
	CodeTitleTooLong          = 45003
	CodeDescriptionTooLong    = 45004
	CodeLinkTooLong           = 45005
	CodePicURLTooLong         = 45006
	CodeTooManyArticles       = 45008
	CodeReplyWindowExpired    = 45015 // outside the 48-hour window, or the user unfollowed
	CodeReplyQuotaUsedUp      = 45047
	CodeTypingInvalidCommand  = 45072
	CodeTypingNoInteraction   = 45080
	CodeTypingAlreadyTyping   = 45081
	CodeReceiveDisabled       = 48002

	// Menus.
	CodeInvalidMenuType         = 40015
	CodeInvalidButtonCount      = 40016
	CodeInvalidButtonType       = 40017
	CodeButtonNameTooLong       = 40018
	CodeButtonKeyTooLong        = 40019
	CodeButtonURLTooLong        = 40020
	CodeInvalidSubMenuLevel     = 40022 // sub-menu nested deeper than one level
	CodeInvalidSubButtonCount   = 40023
	CodeInvalidSubButtonType    = 40024
	CodeSubButtonNameTooLong    = 40025
	CodeSubButtonKeyTooLong     = 40026
	CodeSubButtonURLTooLong     = 40027
	CodeSubMenuMissing          = 41007
	CodeMenuCreateLimit         = 45010
	CodeMiniProgramNotLinked    = 45064
	CodeMenuNotExist            = 46003
	CodeConditionalMenuNotFound = 65301
	CodeTryMatchNoUser          = 65302
	CodeNoDefaultMenu           = 65303
	CodeMatchRuleEmpty          = 65304
	CodeConditionalMenuLimit    = 65305
	CodeMatchRuleNoCountry      = 65310 // province or city given without country
	CodeMatchRuleNoProvince     = 65311 // city given without province
	CodeMenuTooManyDomains      = 65316 // personalized menus link to more than 3 URL domains
	CodeMatchRulePrivacy        = 65320

	// Customer-service accounts and sessions.
	CodeKfNotEnabled      = 65400
	CodeInvalidKfAccount  = 65401
	CodeIllegalKfNickname = 65403
	CodeIllegalKfAccount  = 65404
	CodeKfAccountLimit    = 65405
	CodeKfAccountExists   = 65406
)
