// Command echobot is a webhook bot for an Official Account, on gin: it echoes
// text, greets new followers and answers a menu click.
//
// Settings come from the environment: WECHAT_APPID, WECHAT_APPSECRET,
// WECHAT_TOKEN, WECHAT_ENCODING_AES_KEY, WECHAT_API_BASE_URL (default
// https://api.weixin.qq.com) and WECHAT_STABLE_TOKEN=1 to fetch the token with
// /cgi-bin/stable_token, WECHAT_ALLOW_PLAINTEXT=1 to accept plaintext pushes
// although an EncodingAESKey is set (while switching the console's mode), and
// WECHAT_TIMESTAMP_SKEW (a Go duration; 0 turns the check off) for the window a
// push's timestamp must be in (default 5m). The flag -addr sets the listen address (default :8080);
// the webhook is at /wechat; -help lists the flags and the variables. Outside
// sandbox mode WECHAT_TOKEN is required; without WECHAT_APPSECRET the bot is a
// webhook-only replica (a late reply is dropped instead of sent through the
// customer-service API).
//
// With WECHAT_APPID unset it runs against an in-process fake platform
// (wechattest) with its sandbox values, accepting plaintext pushes too (the
// sandbox's values are public), and prints a curl command that sends the bot a
// signed text message, good for the 5-minute timestamp window:
//
//	go run ./examples/echobot
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
	"github.com/wxkit/wechat/customerservice"
	"github.com/wxkit/wechat/examples/internal/settings"
	"github.com/wxkit/wechat/internal/httpserve"
	"github.com/wxkit/wechat/message"
	"github.com/wxkit/wechat/wechattest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout)
	stop()
	settings.Exit("echobot", err)
}

const usage = `echobot is a webhook bot for an Official Account: it echoes text, greets new
followers and answers a menu click, at /wechat. With WECHAT_APPID unset it runs
against an in-process fake WeChat and prints a curl line that sends it a message.`

// run serves the bot until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	return serve(ctx, args, getenv, stdout, nil)
}

// serve is run; ready, when not nil, receives the webhook's URL once it
// listens (tests use it).
//
// Everything that can be wrong locally is checked before the first token fetch:
// the settings, the account (EncodingAESKey), then the listen address. A bad key,
// a bad -addr or a port in use costs none of the 2,000 daily fetches, and a crash
// loop does not rotate the token other servers hold.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, ready chan<- string) error {
	flags := flag.NewFlagSet("echobot", flag.ContinueOnError)
	flags.SetOutput(stdout)
	addr := flags.String("addr", ":8080", "listen `address`")
	if err := settings.Parse(flags, args, usage, settings.AccountVars, settings.WebhookVars); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stdout, nil))
	st, err := settings.Load(getenv)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.RequireToken(); err != nil {
		return err
	}
	if fake := st.Fake; fake != nil {
		fmt.Fprintf(stdout, "WECHAT_APPID is not set: running against an in-process fake WeChat platform at %s\n", fake.URL())
		fmt.Fprintf(stdout, "sandbox account: AppID %s, Token %s, EncodingAESKey %s (test values, not secrets)\n",
			st.AppID, st.Token, st.EncodingAESKey)
	}

	// The webhook needs no access_token; the Manager keeps one ready for API
	// calls (the late replies below) and keeps retrying, and logging without the
	// secret, if it cannot. Without an AppSecret the bot is a webhook-only replica.
	var (
		cred     *credential.Manager
		provider credential.Provider
		opts     []message.Option
	)
	if st.AppSecret != "" {
		cred = st.Manager(logger)
		provider = cred
	} else {
		logger.Warn("echobot: WECHAT_APPSECRET is not set: webhook only; a reply that misses WeChat's 5 seconds is dropped instead of sent as a customer-service message")
	}
	oa, err := st.Account(provider, logger) // checks the AppID and the EncodingAESKey
	if err != nil {
		return err
	}
	if cred != nil {
		// A reply that misses WeChat's 5 seconds goes out as a customer-service message.
		opts = append(opts, message.WithOnLateReply(customerservice.New(oa).OnLateReply))
	}
	if st.Fake != nil && !st.AllowPlaintext {
		// The sandbox's key is public anyway: let the printed curl line, a
		// readable plaintext push, work. A real account refuses plaintext pushes
		// while an EncodingAESKey is set, unless WECHAT_ALLOW_PLAINTEXT=1.
		st.AllowPlaintext = true
	}
	webhook := message.NewServer(oa, newMux(), st.WebhookOptions(opts...)...)

	router := newRouter(webhook)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("-addr %s: %w", *addr, err)
	}
	url := "http://" + httpserve.Loopback(ln.Addr()) + "/wechat"
	fmt.Fprintf(stdout, "echobot: listening on %s; webhook at %s\n", ln.Addr(), url)
	if cred != nil {
		if err := cred.Start(); err != nil {
			ln.Close()
			return err
		}
	}
	if st.Fake != nil {
		line, err := curlLine(ctx, st.Fake.WebhookClient(url, wechattest.ModePlaintext))
		if err != nil {
			ln.Close()
			if cred != nil { // stop what did start
				err = errors.Join(err, httpserve.Stop(cred.Shutdown))
			}
			return err
		}
		fmt.Fprintf(stdout, "send it a signed text message (within 5 minutes: the webhook refuses older timestamps):\n%s\n", line)
	}
	if ready != nil {
		ready <- url
	}

	srv := settings.HTTPServer(router) // read, write and idle timeouts: slow clients are cut off
	stops := []func(context.Context) error{
		webhook.Shutdown, // handlers past their deadline, and their late replies
		oa.Shutdown,      // what the account built (nothing here: cred is ours)
	}
	if cred != nil {
		stops = append(stops, cred.Shutdown)
	}
	return httpserve.Run(ctx, srv, ln, logger, "echobot", stops...)
}

// newRouter mounts webhook at /wechat on gin, behind gin.Recovery.
func newRouter(webhook http.Handler) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	router := gin.New()
	router.Use(gin.Recovery())
	router.Any("/wechat", gin.WrapH(webhook)) // GET verifies the URL, POST carries pushes: both must reach it
	return router
}

// newMux is the bot: echo text, greet followers, answer the menu button.
func newMux() *message.Mux {
	mux := message.NewMux()
	mux.HandleText(func(_ context.Context, m *message.Message) message.Reply {
		return message.Text(m.Content)
	})
	mux.HandleEvent(message.EventSubscribe, func(context.Context, *message.Message) message.Reply {
		return message.Text("欢迎关注！Send me anything and I will say it back.")
	})
	mux.HandleClick("HELLO", func(context.Context, *message.Message) message.Reply {
		return message.Text("Hello from the menu!")
	})
	mux.HandleEvent(message.EventClick, func(_ context.Context, m *message.Message) message.Reply {
		return message.Text("You clicked " + m.EventKey)
	})
	return mux
}

// curlLine builds a one-line curl command that pushes a signed text message the
// way WeChat does, and prints the reply.
func curlLine(ctx context.Context, c *wechattest.WebhookClient) (string, error) {
	req, err := c.NewRequest(ctx, c.Text("oSandboxFollower", "hello echobot"))
	if err != nil {
		return "", err
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return "", err
	}
	return "curl -s -X POST " + shellQuote(req.URL.String()) + " -H 'Content-Type: text/xml' --data-binary " +
		shellQuote(string(body)) + "; echo", nil
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
