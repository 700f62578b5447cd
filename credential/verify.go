package credential

import (
	"context"
	"errors"
	"net/url"
	"time"

	"github.com/wxkit/wechat"
	"golang.org/x/sync/singleflight"
)

// pathCheckToken is the cheapest API that checks an access_token: it answers
// WeChat's IP list, or 40001/40014/42001 for a token that no longer works.
const pathCheckToken = "/cgi-bin/get_api_domain_ip"

// verifyTimeout bounds one check of a reported token: WeChat answers it in
// milliseconds, and the check runs on no caller's context (it is shared), so
// without a bound a client without a timeout would let it hang for ever.
const verifyTimeout = 5 * time.Second

// errCannotVerify: the Provider has no way to ask WeChat about a token.
var errCannotVerify = errors.New("credential: cannot ask WeChat about this credential")

// verifier is a Provider that can ask WeChat whether a token still works: a
// *Manager of the access_token.
type verifier interface {
	verify(ctx context.Context, token string) (ok bool, err error)
}

// verify asks WeChat whether token still works. ok is false when WeChat rejects
// it (40001, 40014, 42001); err says WeChat could not be asked or gave another
// answer. Only the access_token fetched by New can be checked this way.
func (m *Manager) verify(ctx context.Context, token string) (bool, error) {
	f, ok := m.fetcher.(*tokenFetcher)
	if !ok {
		return false, errCannotVerify
	}
	_, err := get(ctx, f.client, f.baseURL, pathCheckToken, url.Values{"access_token": {token}})
	switch {
	case err == nil:
		return true, nil
	case wechat.IsTokenInvalid(err):
		return false, nil
	}
	return false, err
}

// staleCheck keeps the token server from replacing a token WeChat still
// accepts. A caller's claim that a token is stale is not WeChat's word: a buggy
// client (or a key holder) naming the current token would otherwise cost a
// fetch each time the passive-refresh limit allows, and spend the limit that a
// real invalidation then needs. Concurrent claims share one check. A good answer
// is not remembered: a token can die at any moment (a forced stable_token
// refresh elsewhere), and the check costs no fetch.
type staleCheck struct {
	flight singleflight.Group
}

// stillGood reports whether stale, which a caller of POST /token/refresh
// reports as rejected, is the token the Provider serves and WeChat still accepts
// it. When WeChat cannot be asked it reports false: the refresh goes ahead,
// under the Provider's passive-refresh limit.
func (srv *Server) stillGood(ctx context.Context, stale string) bool {
	v, ok := srv.p.(verifier)
	c, ok2 := srv.p.(currenter)
	if !ok || !ok2 {
		return false
	}
	if cur, _ := c.Current(); cur != stale {
		return false // the Provider replaces only its current token
	}
	ch := srv.check.flight.DoChan(stale, func() (any, error) {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), verifyTimeout)
		defer cancel()
		return v.verify(cctx, stale)
	})
	var res singleflight.Result
	select {
	case res = <-ch:
	case <-ctx.Done():
		return false // the caller has gone: refresh sees its ctx ended
	}
	if res.Err != nil {
		srv.logger.Warn("credential: token server: could not ask WeChat whether the reported token still works; refreshing", "err", res.Err)
		return false
	}
	if good := res.Val.(bool); good {
		srv.logger.Warn("credential: token server: a caller reported the current token as rejected, but WeChat accepts it; answered it again without a fetch",
			"remote_check", pathCheckToken)
		return true
	}
	return false
}
