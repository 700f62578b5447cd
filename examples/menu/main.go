// Command menu creates, shows or deletes an Official Account's custom menu, kept
// in a JSON file in WeChat's own format ({"button":[…]}, as menu.json here).
//
//	WECHAT_APPID=wx… WECHAT_APPSECRET=… go run ./examples/menu -file my-menu.json -action create
//	go run ./examples/menu -action get > current.json
//
// Without -file, create uses the sample menu.json beside this program (built
// into it, so it is found from any directory).
//
// The menu is checked against WeChat's limits before it is sent; a bad file fails
// with the button named (button[1].sub_button[3]: name is 70 bytes, the limit is 60).
//
// Settings come from the environment: WECHAT_APPID, WECHAT_APPSECRET,
// WECHAT_API_BASE_URL (default https://api.weixin.qq.com) and WECHAT_STABLE_TOKEN=1
// to fetch the token with /cgi-bin/stable_token. Without credentials it runs
// against an in-process fake WeChat (wechattest); get and delete then start from
// the menu in -file, so there is something to show.
package main

import (
	"context"
	_ "embed"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/wxkit/wechat/examples/internal/settings"
	"github.com/wxkit/wechat/menu"
	"github.com/wxkit/wechat/officialaccount"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	settings.Exit("menu", err)
}

// sample is menu.json, built in: the menu -file defaults to.
//
//go:embed menu.json
var sample []byte

const sampleName = "menu.json"

const usage = `menu creates, shows or deletes the account's custom menu (自定义菜单), kept in a
JSON file in WeChat's own format ({"button":[…]}).`

// run is the whole program: args without the program name, getenv for the
// settings, the menu JSON (get) on stdout, messages on stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("menu", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("file", "", "the menu `file` to create from (default: the sample menu.json built in)")
	action := fs.String("action", "get", "what to do: create, get or delete")
	if err := settings.Parse(fs, args, usage, settings.AccountVars); err != nil {
		return err
	}
	switch *action {
	case "create", "get", "delete":
	default:
		return fmt.Errorf("-action must be create, get or delete, not %q", *action)
	}
	oa, st, err := account(getenv)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := menu.New(oa)
	if st.Fake != nil {
		fmt.Fprintln(stderr, "menu: WECHAT_APPID is not set; using an in-process fake WeChat")
		if *action != "create" { // a fresh fake has no menu: start from the file
			if err := create(ctx, svc, *file, io.Discard); err != nil {
				return err
			}
		}
	}
	switch *action {
	case "create":
		return create(ctx, svc, *file, stderr)
	case "delete":
		if err := svc.Delete(ctx); err != nil {
			return err
		}
		fmt.Fprintln(stderr, "menu: deleted the default menu and every personalized menu")
		return nil
	}
	got, err := svc.Get(ctx)
	if err != nil {
		return err
	}
	if n := len(got.Conditional); n > 0 {
		fmt.Fprintf(stderr, "menu: %d personalized menus exist; showing the default menu\n", n)
	}
	return got.WriteJSON(stdout)
}

// create publishes the menu in path, or the built-in sample for "".
func create(ctx context.Context, svc *menu.Service, path string, stderr io.Writer) error {
	data, name := sample, sampleName
	if path != "" {
		var err error
		if data, err = os.ReadFile(path); err != nil {
			return err
		}
		name = path
	}
	m, err := menu.Parse(data)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	path = name
	if err := svc.Create(ctx, m); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintf(stderr, "menu: created the menu in %s (%d top-level buttons)\n", path, len(m.Buttons))
	return nil
}

// account builds the shared context from the environment, or from an in-process
// fake platform (st.Fake, closed by st.Close) when no credentials are set.
func account(getenv func(string) string) (*officialaccount.OfficialAccount, *settings.Settings, error) {
	st, err := settings.Load(getenv)
	if err != nil {
		return nil, nil, err
	}
	if err := st.RequireSecret(); err != nil {
		st.Close()
		return nil, nil, err
	}
	oa, err := st.Account(st.Manager(nil), nil)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return oa, st, nil
}
