// Command weblogin is the web side of an Official Account on gin: sign-in with
// 网页授权 (用微信登录) showing the follower's nickname and avatar, a page with a
// signed wx.config for the JS-SDK, and a page that makes a temporary parametric
// QR code (带参数二维码) and updates when someone scans it (the webhook at
// /wechat receives the subscribe or SCAN event).
//
//	go run ./examples/weblogin            # sandbox: prints the URL to open
//
// Settings come from the environment: WECHAT_APPID, WECHAT_APPSECRET,
// WECHAT_TOKEN, WECHAT_ENCODING_AES_KEY, WECHAT_API_BASE_URL and
// WECHAT_STABLE_TOKEN=1, as for the other programs, plus WEBLOGIN_BASE_URL, the
// public https URL of this server on the account's 网页授权域名 (required with
// real credentials; WeChat sends the browser back to it). Outside sandbox mode
// WECHAT_APPSECRET and WECHAT_TOKEN (for the webhook at /wechat) are required.
// The flag -addr sets the listen address (default :8080); -help lists the flags
// and the variables.
//
// With WECHAT_APPID unset it runs against an in-process fake WeChat
// (wechattest): the fake serves the authorize and consent pages, the JS-SDK
// script and the QR images, and the QR page gets a button that plays a follower
// scanning the code.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/gin-gonic/gin"

	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/examples/internal/settings"
	"github.com/wxkit/wechat/internal/httpserve"
	"github.com/wxkit/wechat/jssdk"
	"github.com/wxkit/wechat/message"
	"github.com/wxkit/wechat/oauth"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/qrcode"
	"github.com/wxkit/wechat/wechattest"
)

// The sandbox's WeChat user: the browser signs in as them.
const (
	sandboxUser     = "o_weblogin_sandbox_user"
	sandboxNickname = "小微（沙盒用户）"
	sandboxScanner  = "o_weblogin_sandbox_scanner" // not following yet: the first scan follows
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := serve(ctx, os.Args[1:], os.Getenv, os.Stdout, nil)
	stop()
	settings.Exit("weblogin", err)
}

const usage = `weblogin is the web side of an Official Account: 用微信登录 (网页授权) showing the
follower's nickname and avatar, a page with a signed wx.config, and a parametric QR
code that updates when scanned (the webhook is at /wechat). With WECHAT_APPID unset
it runs against an in-process fake WeChat and prints the URL to open.`

// webVars are the variables only this program reads.
var webVars = []settings.Var{
	{Name: "WEBLOGIN_BASE_URL", Help: "the public https URL of this server on the account's 网页授权域名; required with WECHAT_APPID"},
}

// serve runs the demo until ctx ends; ready, when not nil, receives the base URL
// once it listens (tests use it).
//
// As in the other programs, everything that can be wrong locally is checked
// before the first token fetch: the settings, the account, the listen address,
// then the login handler's callback URL.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, ready chan<- string) error {
	flags := flag.NewFlagSet("weblogin", flag.ContinueOnError)
	flags.SetOutput(stdout)
	addr := flags.String("addr", ":8080", "listen `address`")
	if err := settings.Parse(flags, args, usage, settings.AccountVars, settings.WebhookVars, webVars); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stdout, nil))
	st, err := settings.Load(getenv)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := errors.Join(st.RequireSecret(), st.RequireToken()); err != nil {
		return err
	}
	base := strings.TrimRight(getenv("WEBLOGIN_BASE_URL"), "/")
	if base == "" && st.Fake == nil {
		return errors.New("WEBLOGIN_BASE_URL is required with WECHAT_APPID: the https URL of this server on the 网页授权域名")
	}
	cred := st.Manager(logger)
	tickets := credential.NewTicket(cred, st.AppID, credential.TicketJSAPI, st.CredentialOptions(credential.WithLogger(logger))...)
	oa, err := st.Account(cred, logger) // checks the AppID and the EncodingAESKey
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("-addr %s: %w", *addr, err)
	}
	defer ln.Close()
	if base == "" {
		base = "http://" + httpserve.Loopback(ln.Addr())
	}
	d, err := newDemo(base, st.Fake, oa, tickets, logger)
	if err != nil {
		return err
	}
	login, err := d.oauth.LoginHandler(oauth.LoginConfig{
		CallbackURL: base + "/login", Scope: oauth.ScopeUserInfo, OnLogin: d.onLogin,
	})
	if err != nil {
		return err
	}
	webhook := message.NewServer(oa, d.webhookMux())
	router := d.routes(login, webhook)
	if err := cred.Start(); err != nil {
		return err
	}
	if err := tickets.Start(); err != nil { // stop what did start
		return errors.Join(err, httpserve.Stop(cred.Shutdown))
	}

	fmt.Fprintf(stdout, "weblogin: open %s/\n", base)
	if st.Fake != nil {
		fmt.Fprintf(stdout, "weblogin: sandbox mode against an in-process fake WeChat at %s; you sign in as %q\n", st.Fake.URL(), sandboxNickname)
	}
	if ready != nil {
		ready <- base
	}
	srv := settings.HTTPServer(router) // read, write and idle timeouts, a header limit: slow or greedy clients are cut off
	// The OAuth callback and POST /qrcode call WeChat inside the request, which
	// may wait for a cold token fetch: the page must not be cut off before it.
	srv.WriteTimeout = settings.TokenWaitWriteTimeout
	return httpserve.Run(ctx, srv, ln, logger, "weblogin",
		webhook.Shutdown, // handlers past their deadline
		oa.Shutdown,      // what the account built (nothing here: cred is ours)
		tickets.Shutdown,
		cred.Shutdown,
	)
}

// newDemo builds the services the pages use; in sandbox mode (fake not nil)
// they talk to the fake, and the browser signs in as the sandbox user.
func newDemo(base string, fake *wechattest.Server, oa *officialaccount.OfficialAccount, tickets credential.Provider, logger *slog.Logger) (*demo, error) {
	d := &demo{base: base, logger: logger, sessions: newSessions(), scans: newScans(), jsSDK: jsSDKScript}
	var oauthOpts []oauth.Option
	var qrOpts []qrcode.Option
	if fake != nil {
		fake.AddFollower(wechattest.Follower{OpenID: sandboxUser, Nickname: sandboxNickname})
		fake.AuthorizeAs(sandboxUser)
		oauthOpts = append(oauthOpts, oauth.WithAuthorizeBaseURL(fake.URL()), oauth.WithClock(fake.Now))
		qrOpts = append(qrOpts, qrcode.WithImageBaseURL(fake.URL()), qrcode.WithClock(fake.Now))
		d.fake, d.jsSDK = fake, fake.JSSDKScriptURL()
	}
	var err error
	if d.oauth, err = oauth.New(oa, oauthOpts...); err != nil {
		return nil, err
	}
	d.signer = jssdk.New(tickets)
	d.qr = qrcode.New(oa, qrOpts...)
	return d, nil
}

// jsSDKScript is WeChat's JS-SDK; sandbox mode uses the fake's.
const jsSDKScript = "https://res.wx.qq.com/open/js/jweixin-1.6.0.js"

// demo holds the services the pages use.
type demo struct {
	base     string
	logger   *slog.Logger
	oauth    *oauth.Service
	signer   *jssdk.Signer
	qr       *qrcode.Service
	fake     *wechattest.Server // sandbox mode only
	jsSDK    string
	sessions *sessions
	scans    *scans
}

func (d *demo) routes(login http.Handler, webhook http.Handler) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery())
	r.GET("/", d.home)
	r.GET("/login", gin.WrapH(login))
	r.GET("/profile", d.profile)
	r.POST("/logout", d.logout)
	r.GET("/jssdk", d.jssdkPage)
	r.GET("/jssdk/config", d.jssdkConfig)
	r.GET("/qrcode", d.qrcodePage)
	r.POST("/qrcode", d.qrcodeCreate)
	r.GET("/qrcode/status", d.qrcodeStatus)
	r.POST("/qrcode/scan", d.qrcodeScan)
	r.Any("/wechat", gin.WrapH(webhook))
	return r
}
