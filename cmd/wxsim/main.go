// Command wxsim is a follower's WeChat chat with your Official Account, in the
// browser, against your own webhook: it plays the WeChat platform (wechattest's
// fake: the APIs, and the pushes to your webhook, signed and encrypted as
// WeChat does) and draws the chat a follower sees.
//
//	go run ./cmd/wxsim -webhook http://127.0.0.1:8080/wechat
//
// It prints the URL to open and the settings your bot needs, as one line of
// WECHAT_* variables to paste before the bot's command (the sandbox account,
// and WECHAT_API_BASE_URL pointing at the simulator, which serves the fake's
// APIs on the same port as the page):
//
//	WECHAT_APPID=… WECHAT_APPSECRET=… WECHAT_TOKEN=… WECHAT_ENCODING_AES_KEY=… WECHAT_API_BASE_URL=http://127.0.0.1:9000 go run ./examples/echobot
//
// On the page, followers type text, send pictures, locations and links, follow
// and unfollow, scan the QR codes the bot made, and tap the menu the bot
// created; every passive reply is drawn as WeChat draws it, and messages the bot
// sends through the customer-service and template APIs appear as they arrive.
// A panel shows each exchange as it went over the wire, with verdicts.
//
// Flags: -addr is the listen address (default 127.0.0.1:9000: loopback only);
// -webhook is the bot's webhook (default http://127.0.0.1:8080/wechat, where
// examples/echobot listens); -mode is how pushes start out: plaintext,
// compatible or safe (default safe, as WeChat recommends; the page switches).
//
// The simulator starts in safe mode and does not print WECHAT_ALLOW_PLAINTEXT:
// a wxkit bot configured with an EncodingAESKey refuses plaintext pushes unless
// told otherwise, as it should in production. Switching the page to plaintext
// then shows that refusal, as WeChat's console switch would; add
// WECHAT_ALLOW_PLAINTEXT=1 to the bot's settings to try plaintext mode.
//
// The page talks to the simulator over a small JSON API, which scripts may use
// too (curl -H 'Content-Type: application/json' …); each push answers with the
// whole exchange once it is over:
//
//	GET  /wxsim/api/state                             account, webhook, mode, followers
//	GET  /wxsim/api/events                            the event stream (SSE): entry, exchange, followers, menu, qrcodes, mode, webhook
//	PUT  /wxsim/api/mode                              {"mode":"plaintext"|"compatible"|"safe"}
//	PUT  /wxsim/api/webhook                           {"url":"http://127.0.0.1:8081/wechat"} (loopback only)
//	POST /wxsim/api/verify                            URL verification (GET with echostr), as the console's 提交
//	POST /wxsim/api/followers                         {"nickname":"…"}: a new WeChat user, not following yet
//	GET  /wxsim/api/followers/{openid}/chat           the chat, oldest first
//	GET  /wxsim/api/followers/{openid}/menu           the menu the follower sees
//	POST /wxsim/api/followers/{openid}/messages       {"type":"text","content":"…"}, location, link
//	POST /wxsim/api/followers/{openid}/image          multipart, the picture in "image"
//	POST /wxsim/api/followers/{openid}/events         {"event":"subscribe"}, unsubscribe, scan (with "ticket"), CLICK, VIEW, …
//	GET  /wxsim/api/exchanges/{id}                    one exchange, with its wire details
//	GET  /wxsim/api/qrcodes                           the bot's QR codes that have not expired
//
// Every other path is the fake platform's API, for the bot.
//
// Safety: the simulator has no login, so it listens on loopback unless -addr
// says otherwise, and refuses requests whose Host header is not a loopback name
// (DNS rebinding) and changes that do not come from its own page. It pushes
// only to the webhook: any http(s) URL given with -webhook at start-up, or a
// loopback URL set on the page; it proxies only to its own fake platform.
// Request bodies are bounded (64 KiB of JSON, 10 MB images), and so is what it
// remembers (followers, chat entries, images).
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
	"time"

	"github.com/wxkit/wechat/internal/httpserve"
	"github.com/wxkit/wechat/wechattest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := serve(ctx, os.Args[1:], os.Stdout, nil)
	stop()
	code := exitCode(err)
	if code != 0 {
		fmt.Fprintln(os.Stderr, "wxsim:", err)
	}
	os.Exit(code)
}

// usageError is a mistake in how wxsim was called: a flag or an argument.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// exitCode is wxsim's exit status for what serve returned: 0 for none and for
// -help, 2 for a usage error (as the flag package exits), 1 for anything else.
func exitCode(err error) int {
	var usage usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &usage):
		return 2
	}
	return 1
}

const usage = `wxsim is a follower's WeChat chat with your Official Account, in the browser,
against your own webhook, on a fake WeChat platform. It prints the URL to open
and the WECHAT_* settings to give your bot.

Usage: wxsim [-addr 127.0.0.1:9000] [-webhook http://127.0.0.1:8080/wechat] [-mode safe]
`

// options are the ones serve takes besides the flags; tests set them.
type options struct {
	timeout  time.Duration // one push attempt (WeChat's 5 s when zero)
	attempts int
	ready    chan<- *Sim // receives the simulator once it listens
}

// serve runs the simulator until ctx ends.
func serve(ctx context.Context, args []string, stdout io.Writer, opts *options) error {
	if opts == nil {
		opts = &options{}
	}
	flags := flag.NewFlagSet("wxsim", flag.ContinueOnError)
	flags.SetOutput(stdout)
	flags.Usage = func() {
		fmt.Fprint(flags.Output(), usage+"\nFlags:\n")
		flags.PrintDefaults()
	}
	addr := flags.String("addr", "127.0.0.1:9000", "listen `address`; loopback unless you mean to share the simulator")
	webhook := flags.String("webhook", "http://127.0.0.1:8080/wechat", "the bot's webhook `URL`")
	modeName := flags.String("mode", "safe", "how pushes are sent at first: plaintext, compatible or safe")
	if err := flags.Parse(args); err != nil {
		return usageError{err} // -help too: exitCode gives it 0
	}
	if flags.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q (see -help)", flags.Arg(0))}
	}
	mode, ok := modes[*modeName]
	if !ok {
		return usageError{fmt.Errorf("-mode %q: want plaintext, compatible or safe", *modeName)}
	}
	if err := checkWebhook(*webhook, false); err != nil {
		return usageError{fmt.Errorf("-webhook: %w", err)}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("-addr %s: %w", *addr, err)
	}
	defer ln.Close()
	tcp, _ := ln.Addr().(*net.TCPAddr)
	shared := tcp != nil && !tcp.IP.IsLoopback()
	base := "http://" + httpserve.Loopback(ln.Addr())
	logger := slog.New(slog.NewTextHandler(stdout, nil))
	sim, err := New(Config{Webhook: *webhook, BaseURL: base, Mode: mode, AnyHost: shared,
		Timeout: opts.timeout, Attempts: opts.attempts, Logger: logger})
	if err != nil {
		return err
	}
	if err := sim.Start(); err != nil {
		return errors.Join(err, httpserve.Stop(sim.Shutdown))
	}

	fmt.Fprintf(stdout, "wxsim: open %s/ in a browser\n", base)
	fmt.Fprintf(stdout, "wxsim: pushes go to %s in %s mode (switch on the page)\n", *webhook, mode)
	fmt.Fprintf(stdout, "wxsim: start your bot with these settings (test values of a fake account, not secrets), for example before `go run ./examples/echobot`:\n")
	fmt.Fprintln(stdout, envLine(sim.Fake(), base))
	fmt.Fprintf(stdout, "wxsim: a wxkit bot with an EncodingAESKey refuses plaintext pushes; to try plaintext mode add WECHAT_ALLOW_PLAINTEXT=1\n")
	if shared {
		fmt.Fprintf(stdout, "wxsim: warning: listening on %s, beyond loopback: anyone who can reach it can use the simulator (it has no login)\n", ln.Addr())
	}

	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	srv.RegisterOnShutdown(sim.closeStreams)
	if opts.ready != nil {
		opts.ready <- sim // ln listens: requests wait for Run to serve them
	}
	return httpserve.Run(ctx, srv, ln, logger, "wxsim", sim.Shutdown)
}

// envLine is the bot's settings as one line of variables (DESIGN.md's names).
func envLine(fake *wechattest.Server, base string) string {
	return strings.Join([]string{
		"WECHAT_APPID=" + fake.AppID(),
		"WECHAT_APPSECRET=" + fake.AppSecret(),
		"WECHAT_TOKEN=" + fake.WebhookToken(),
		"WECHAT_ENCODING_AES_KEY=" + fake.EncodingAESKey(),
		"WECHAT_API_BASE_URL=" + base,
	}, " ")
}
