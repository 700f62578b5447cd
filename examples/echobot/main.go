// Command echobot is a webhook bot for an Official Account, on gin: it echoes
// text, greets new followers and answers a menu click.
//
// Settings come from the environment: WECHAT_APPID, WECHAT_APPSECRET,
// WECHAT_TOKEN, WECHAT_ENCODING_AES_KEY, WECHAT_API_BASE_URL (default
// https://api.weixin.qq.com) and WECHAT_STABLE_TOKEN=1 to fetch the token with
// /cgi-bin/stable_token. The flag -addr sets the listen address (default :8080);
// the webhook is at /wechat.
//
// With WECHAT_APPID unset it runs against an in-process fake platform
// (wechattest) with its sandbox values, and prints a curl command that sends the
// bot a signed text message:
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
	"time"

	"github.com/gin-gonic/gin"

	"github.com/wxkit/wechat/customerservice"
	"github.com/wxkit/wechat/examples/internal/settings"
	"github.com/wxkit/wechat/message"
	"github.com/wxkit/wechat/wechattest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "echobot:", err)
		os.Exit(1)
	}
}

// run serves the bot until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	return serve(ctx, args, getenv, stdout, nil)
}

// serve is run; ready, when not nil, receives the webhook's URL once it
// listens (tests use it).
func serve(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, ready chan<- string) error {
	flags := flag.NewFlagSet("echobot", flag.ContinueOnError)
	flags.SetOutput(stdout)
	addr := flags.String("addr", ":8080", "listen address")
	if err := flags.Parse(args); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stdout, nil))
	st, err := settings.Load(getenv)
	if err != nil {
		return err
	}
	defer st.Close()
	if fake := st.Fake; fake != nil {
		fmt.Fprintf(stdout, "WECHAT_APPID is not set: running against an in-process fake WeChat platform at %s\n", fake.URL())
		fmt.Fprintf(stdout, "sandbox account: AppID %s, Token %s, EncodingAESKey %s (test values, not secrets)\n",
			st.AppID, st.Token, st.EncodingAESKey)
	}

	// The webhook needs no access_token; the refresher keeps one ready for API
	// calls (the late replies below) and keeps retrying, and logging without the
	// secret, if it cannot.
	cred := st.Manager(logger)
	if err := cred.Start(); err != nil {
		return err
	}
	defer cred.Shutdown(context.Background())
	oa, err := st.Account(cred, logger)
	if err != nil {
		return err
	}
	// A reply that misses WeChat's 5 seconds goes out as a customer-service message.
	webhook := message.NewServer(oa, newMux(), message.WithOnLateReply(customerservice.New(oa).OnLateReply))

	gin.SetMode(gin.ReleaseMode)
	router := gin.New()
	router.Use(gin.Recovery())
	router.Any("/wechat", gin.WrapH(webhook))

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	url := "http://" + loopback(ln.Addr()) + "/wechat"
	fmt.Fprintf(stdout, "echobot: webhook listening at %s\n", url)
	if st.Fake != nil {
		line, err := curlLine(ctx, st.Fake.WebhookClient(url, wechattest.ModePlaintext))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "send it a signed text message:\n%s\n", line)
	}
	if ready != nil {
		ready <- url
	}

	srv := &http.Server{Handler: router, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := webhook.Shutdown(shutdown); err != nil { // handlers past their deadline
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
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

// loopback turns a listener address such as [::]:8080 into 127.0.0.1:8080.
func loopback(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return a.String()
	}
	return fmt.Sprintf("127.0.0.1:%d", tcp.Port)
}
