// Package user wraps WeChat's user-management APIs (用户管理): a follower's
// information, the follower list, remarks, tags (标签) and the blacklist (黑名单).
// Paged lists come as iterators that fetch the next page only when the caller
// gets there; batch calls are split into WeChat's per-call limits for the caller.
//
//	svc := user.New(oa)
//	info, err := svc.Info(ctx, openID, user.WithLang("en"))
//	for openID, err := range svc.All(ctx) { ... }
//
// Every paged list has the same pair of methods: List for one page, All for every
// item. The followers' are on the Service; the blacklist's and a tag's members'
// on small sub-services: svc.Blacklist().All(ctx), svc.TagMembers(tagID).All(ctx).
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/User_Management/Getting_a_User_List.html
package user
