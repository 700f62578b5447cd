package user

// SubscribeScene is the channel a user followed the account through
// (subscribe_scene, 关注的渠道来源). It is an open set: WeChat adds values, and an
// unknown one is kept as sent.
type SubscribeScene string

// The subscribe_scene values WeChat documents.
const (
	SceneSearch           SubscribeScene = "ADD_SCENE_SEARCH"               // 公众号搜索
	SceneAccountMigration SubscribeScene = "ADD_SCENE_ACCOUNT_MIGRATION"    // 公众号迁移
	SceneProfileCard      SubscribeScene = "ADD_SCENE_PROFILE_CARD"         // 名片分享
	SceneQRCode           SubscribeScene = "ADD_SCENE_QR_CODE"              // 扫描二维码
	SceneProfileLink      SubscribeScene = "ADD_SCENE_PROFILE_LINK"         // 图文页内名称点击
	SceneProfileItem      SubscribeScene = "ADD_SCENE_PROFILE_ITEM"         // 图文页右上角菜单
	ScenePaid             SubscribeScene = "ADD_SCENE_PAID"                 // 支付后关注
	SceneAdvertisement    SubscribeScene = "ADD_SCENE_WECHAT_ADVERTISEMENT" // 微信广告 (split out of OTHERS in 2020)
	SceneReprint          SubscribeScene = "ADD_SCENE_REPRINT"              // 他人转载
	SceneLivestream       SubscribeScene = "ADD_SCENE_LIVESTREAM"           // 视频号直播
	SceneChannels         SubscribeScene = "ADD_SCENE_CHANNELS"             // 视频号
	SceneWxa              SubscribeScene = "ADD_SCENE_WXA"                  // 小程序关注
	SceneOthers           SubscribeScene = "ADD_SCENE_OTHERS"               // 其他
)

// Known reports whether sc is one of the values WeChat documents.
func (sc SubscribeScene) Known() bool {
	switch sc {
	case SceneSearch, SceneAccountMigration, SceneProfileCard, SceneQRCode,
		SceneProfileLink, SceneProfileItem, ScenePaid, SceneAdvertisement,
		SceneReprint, SceneLivestream, SceneChannels, SceneWxa, SceneOthers:
		return true
	}
	return false
}
