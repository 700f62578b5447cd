package wechattest

import "github.com/wxkit/wechat"

// menuCodes are the errcodes of one menu level: top-level buttons or sub-buttons.
type menuCodes struct{ name, typ, key, url, nameLimit int }

var (
	topCodes = menuCodes{wechat.CodeButtonNameTooLong, wechat.CodeInvalidButtonType, wechat.CodeButtonKeyTooLong, wechat.CodeButtonURLTooLong, menuMaxName}
	subCodes = menuCodes{wechat.CodeSubButtonNameTooLong, wechat.CodeInvalidSubButtonType, wechat.CodeSubButtonKeyTooLong, wechat.CodeSubButtonURLTooLong, menuMaxSubName}
)

// checkMenu applies WeChat's create rules server-side, so a client that skips its
// own checks still meets the right errcode. Where the spec names no code for an
// empty required field, the fake answers the field's size code (an empty key is a
// key of invalid size), 40007 for media_id, and 47003 naming the field otherwise.
func checkMenu(buttons []menuButton) error {
	if len(buttons) == 0 || len(buttons) > menuMaxButtons {
		return apiError(wechat.CodeInvalidButtonCount, "invalid button size")
	}
	for _, b := range buttons {
		if len(b.SubButton) == 0 {
			if b.Type == "" {
				return apiError(wechat.CodeSubMenuMissing, "missing sub menu data: a button needs a type or sub_button")
			}
			if err := checkButton(b, topCodes); err != nil {
				return err
			}
			continue
		}
		if b.Name == "" || len(b.Name) > menuMaxName {
			return apiError(wechat.CodeButtonNameTooLong, "invalid button name size")
		}
		if b.Type != "" { // undocumented; the fake is strict: a parent has no type
			return apiError(wechat.CodeInvalidButtonType, "invalid button type: a button with sub_button has no type")
		}
		if len(b.SubButton) > menuMaxSubButtons {
			return apiError(wechat.CodeInvalidSubButtonCount, "invalid sub button size")
		}
		for _, sub := range b.SubButton {
			if len(sub.SubButton) > 0 {
				return apiError(wechat.CodeInvalidSubMenuLevel, "invalid sub menu level")
			}
			if err := checkButton(sub, subCodes); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkButton(b menuButton, codes menuCodes) error {
	if b.Name == "" || len(b.Name) > codes.nameLimit {
		return apiError(codes.name, "invalid button name size")
	}
	need, ok := menuNeeds[b.Type]
	if !ok {
		return apiError(codes.typ, "invalid button type")
	}
	if len(b.Key) > menuMaxKey || need == "key" && b.Key == "" {
		return apiError(codes.key, "invalid button key size")
	}
	if len(b.URL) > menuMaxURL || need == "url" && b.URL == "" {
		return apiError(codes.url, "invalid button url size")
	}
	switch {
	case need == "media_id" && b.MediaID == "":
		return apiError(wechat.CodeInvalidMediaID, "invalid media_id")
	case need == "article_id" && b.ArticleID == "":
		return apiError(wechat.CodeArgumentInvalid, "argument invalid! article_id is empty")
	case b.Type == "miniprogram" && b.AppID == "":
		return apiError(wechat.CodeArgumentInvalid, "argument invalid! appid is empty")
	case b.Type == "miniprogram" && b.PagePath == "":
		return apiError(wechat.CodeArgumentInvalid, "argument invalid! pagepath is empty")
	}
	return nil
}

// checkMatchRule: at least one field (65304), regions big to small (65310, 65311),
// then no privacy fields (65320). Which of the last two WeChat checks first is not
// documented.
func checkMatchRule(r matchRule) error {
	switch {
	case r == matchRule{}:
		return apiError(wechat.CodeMatchRuleEmpty, "match rule empty")
	case (r.Province != "" || r.City != "") && r.Country == "":
		return apiError(wechat.CodeMatchRuleNoCountry, "country is empty while province or city is set")
	case r.City != "" && r.Province == "":
		return apiError(wechat.CodeMatchRuleNoProvince, "province is empty while city is set")
	case r.hasPrivacy():
		return apiError(wechat.CodeMatchRulePrivacy, "matchrule contains privacy fields: sex, country, province, city and language are no longer supported")
	}
	return nil
}
