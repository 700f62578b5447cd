// Package credential owns the access_token: it fetches it, keeps it in a Store,
// renews it in the background before it expires while the old one keeps being
// served, and renews it passively when an API call says it went bad, without ever
// letting two servers knock each other's token out.
//
//	m := credential.New(appID, appSecret)
//	if err := m.Start(); err != nil { ... } // background renewal on a cron schedule
//	defer m.Shutdown(ctx)                   // stops it, waiting at most until ctx ends
//	token, err := m.Token(ctx)
//
// WeChat issues a new token on every /cgi-bin/token call and invalidates the
// previous one about five minutes later; the daily quota is 2000 fetches. So a
// Manager makes one fetch per renewal (single flight in the process, the Store's
// lock across processes), answers Refresh(ctx, stale) with the newer token when
// someone already renewed, rate-limits passive renewals, and backs off after a
// failure instead of looping. The AppSecret never appears in an error or a log line.
//
// Servers that share a token either share a Store (credential/redisstore), or ask a
// central token server (中控服务器) through a Remote provider.
//
// Each constructor takes its own option type, holding only what it honours:
// [Option] for a Manager ([New], [NewWithFetcher], [NewTicket]), [RemoteOption]
// for [NewRemote], [ServerOption] for [NewServer]. An option several of them
// honour (WithLogger, WithClock, WithHTTPClient, …) satisfies each of their types,
// so an option that would do nothing is a compile error.
//
// WeChat docs: https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Get_access_token.html
package credential
