// Command tokenserver is the central token server (中控服务器) of a backend that
// runs on more than one machine: it alone fetches and renews the access_token and
// hands it to the others, which use credential.NewRemote instead of fetching
// themselves.
//
//	WECHAT_APPID=wx… WECHAT_APPSECRET=… TOKEN_SERVER_KEY=$(openssl rand -hex 32) \
//	  go run ./examples/tokenserver -addr :8080
//
// It serves GET /token and POST /token/refresh (body {"stale":"<token>"}), both
// answering {"access_token":"...","expires_in":<seconds left>} and both requiring
// "Authorization: Bearer <TOKEN_SERVER_KEY>", and GET /healthz, which answers
// {"status":"ok"} (200) or {"status":"no valid token"} (503) to anyone, and adds
// the details (expiry, counters, the last error) for a caller with the key.
// POST /oauth/exchange (body {"code":"..."}, same key) exchanges a 网页授权 code
// with the AppSecret for servers that hold none (oauth.WithTokenServer), and
// answers WeChat's /sns/oauth2/access_token JSON.
// The refresher renews the token ahead of expiry on its own. SIGINT or SIGTERM
// shut it down gracefully.
//
// Settings come from the environment: WECHAT_APPID, WECHAT_APPSECRET,
// WECHAT_API_BASE_URL (default https://api.weixin.qq.com), WECHAT_STABLE_TOKEN=1
// to fetch with /cgi-bin/stable_token, TOKEN_SERVER_KEY (required, at least 16
// bytes) and REDIS_URL (optional, such as redis://:password@host:6379/0) to keep the
// token in Redis, so that a restart or a standby server reuses it.
//
// -help lists the flags and the variables. Without WeChat credentials it runs in
// sandbox mode against an in-process fake WeChat (wechattest); only there, when
// TOKEN_SERVER_KEY is not set, it makes up a key and prints it once on stdout.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"
	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/credential/redisstore"
	"github.com/wxkit/wechat/examples/internal/settings"
	"github.com/wxkit/wechat/internal/httpserve"
	"github.com/wxkit/wechat/internal/redisbase"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// go-redis's own lines (failed dials, say) go through slog like ours.
	redis.SetLogger(redisbase.Logger{L: slog.New(slog.NewTextHandler(os.Stderr, nil))})
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	settings.Exit("tokenserver", err)
}

const usage = `tokenserver is the central token server (中控服务器): it alone fetches and renews
the access_token and hands it to the other servers (credential.NewRemote) at
GET /token and POST /token/refresh, behind "Authorization: Bearer <TOKEN_SERVER_KEY>".`

var serverVars = []settings.Var{
	{Name: "TOKEN_SERVER_KEY", Help: "the key callers send as a Bearer token, at least 16 bytes (openssl rand -hex 32); required outside sandbox mode"},
	{Name: "REDIS_URL", Help: "optional, such as redis://:password@host:6379/0: keep the token in Redis, so a restart or a standby reuses it"},
}

// run is the whole program: args without the program name, getenv for the
// settings, the sandbox key (if one is made up) on stdout, logs on stderr. It
// returns when ctx ends, after a graceful shutdown.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tokenserver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", ":8080", "listen `address`")
	if err := settings.Parse(fs, args, usage, settings.AccountVars, serverVars); err != nil {
		return err
	}
	app, err := setup(getenv, stdout, stderr)
	if err != nil {
		return err
	}
	defer app.close()
	// Listen before the refresher fetches anything: a bad -addr or a port in use
	// must not cost a token fetch.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("-addr %s: %w", *addr, err)
	}
	return app.serve(ctx, ln)
}

// app is the configured server: a Manager with its store, the token handler,
// and what to release at the end.
type app struct {
	manager *credential.Manager
	handler *credential.Server
	store   string // "redis" or "memory", for /healthz
	logger  *slog.Logger
	closers []func()
}

// setup reads the settings and builds the app. It does no WeChat call.
func setup(getenv func(string) string, stdout, stderr io.Writer) (*app, error) {
	a := &app{logger: slog.New(slog.NewTextHandler(stderr, nil)), store: "memory"}
	ok := false
	defer func() {
		if !ok {
			a.close()
		}
	}()

	st, err := settings.Load(getenv)
	if err != nil {
		return nil, err
	}
	a.closers = append(a.closers, st.Close)
	if err := st.RequireSecret(); err != nil {
		return nil, err
	}
	key := getenv("TOKEN_SERVER_KEY")
	switch {
	case st.Fake != nil:
		a.logger.Warn("tokenserver: WECHAT_APPID is not set; sandbox mode against an in-process fake WeChat")
		if key == "" {
			key = newKey()
			fmt.Fprintf(stdout, "tokenserver: sandbox mode; TOKEN_SERVER_KEY is not set, so this run's key is %s\n", key)
		}
	case key == "":
		return nil, errors.New("TOKEN_SERVER_KEY is required: the key other servers send as \"Authorization: Bearer <key>\"")
	}
	var opts []credential.Option
	if u := getenv("REDIS_URL"); u != "" {
		ropts, err := redis.ParseURL(u)
		if err != nil {
			return nil, errors.New("REDIS_URL is not a redis:// or rediss:// URL") // the URL may hold a password
		}
		rdb := redis.NewClient(ropts)
		a.closers = append(a.closers, func() { _ = rdb.Close() })
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		if err := rdb.Ping(ctx).Err(); err != nil {
			// Not fatal: the Manager serves the token it knows and retries Redis.
			a.logger.Warn("tokenserver: Redis does not answer yet", "addr", ropts.Addr, "err", err)
		}
		cancel()
		opts = append(opts, credential.WithStore(redisstore.New(rdb)))
		a.store = "redis"
	}
	a.manager = st.Manager(a.logger, opts...)
	handler, err := credential.NewServer(a.manager, key, credential.WithLogger(a.logger))
	if err != nil {
		return nil, err
	}
	a.handler = handler
	ok = true
	return a, nil
}

// serve runs the refresher and the HTTP server on ln until ctx ends, then shuts
// both down.
func (a *app) serve(ctx context.Context, ln net.Listener) error {
	if err := a.manager.Start(); err != nil {
		ln.Close()
		return err
	}
	srv := settings.HTTPServer(a.routes()) // read, write and idle timeouts: slow clients are cut off
	// A cold GET /token waits for the fetch (its attempts, and the store's lock):
	// the answer must not be cut off before the Manager's own bound.
	srv.WriteTimeout = settings.TokenWaitWriteTimeout
	a.logger.Info("tokenserver: listening", "addr", ln.Addr().String(), "store", a.store)
	return httpserve.Run(ctx, srv, ln, a.logger, "tokenserver", a.manager.Shutdown)
}

func (a *app) routes() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery(), a.accessLog)
	tokens := gin.WrapH(a.handler) // it answers wrong methods itself, in WeChat's shape
	r.Any("/token", tokens)
	r.Any("/token/refresh", tokens)
	r.Any("/oauth/exchange", tokens) // 网页授权 codes, for servers without the AppSecret
	r.GET("/healthz", a.health)
	return r
}

// accessLog logs method, path and status: never headers (the key) or bodies.
func (a *app) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	a.logger.Info("tokenserver: request", "method", c.Request.Method, "path", c.Request.URL.Path,
		"status", c.Writer.Status(), "took", time.Since(start))
}

// health reports the token's state, never the token: 200 while a valid token is
// known, 503 otherwise. Anyone may ask whether the server is up; the details
// (the last error names the AppID and the upstream URL) need the key.
func (a *app) health(c *gin.Context) {
	value, left := a.manager.Current()
	status, state := http.StatusOK, "ok"
	if value == "" {
		status, state = http.StatusServiceUnavailable, "no valid token"
	}
	body := gin.H{"status": state}
	if !a.handler.Authorized(c.Request) {
		c.JSON(status, body)
		return
	}
	st := a.manager.Stats()
	body["expires_in"] = int(left / time.Second)
	body["store"] = a.store
	body["fetches"], body["failures"], body["store_errors"] = st.Fetches, st.Failures, st.StoreErrors
	if st.LastError != "" { // the Manager's errors never hold a secret
		body["last_error"], body["last_error_at"] = st.LastError, st.LastErrorAt
	}
	c.JSON(status, body)
}

func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
}

// newKey returns 32 random bytes in hex.
func newKey() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}
