package settings

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// Var is an environment variable a program reads, for its -help.
type Var struct{ Name, Help string }

// The variables the programs share.
var (
	AccountVars = []Var{
		{"WECHAT_APPID", "the account's AppID (开发者ID); unset: sandbox mode against an in-process fake WeChat"},
		{"WECHAT_APPSECRET", "the AppSecret (开发者密码), for API calls"},
		{"WECHAT_API_BASE_URL", "the API host (default https://api.weixin.qq.com)"},
		{"WECHAT_STABLE_TOKEN", "1: fetch the token with /cgi-bin/stable_token instead of /cgi-bin/token"},
	}
	WebhookVars = []Var{
		{"WECHAT_TOKEN", "the webhook Token (令牌, 基本配置 → 服务器配置); required outside sandbox mode"},
		{"WECHAT_ENCODING_AES_KEY", "the EncodingAESKey (消息加解密密钥), 43 characters, for compatible and safe mode; with it plaintext pushes are refused"},
		{"WECHAT_ALLOW_PLAINTEXT", "1: accept plaintext pushes although WECHAT_ENCODING_AES_KEY is set, for the minutes of a console switch from 明文 to 安全 mode"},
		{"WECHAT_TIMESTAMP_SKEW", "how far a push's timestamp may be from this clock, a Go duration (default 5m); 0 turns the check off"},
	}
)

// ErrUsage is wrapped by Parse's error for a bad command line, which the flag
// package has already printed with the usage.
var ErrUsage = errors.New("usage")

// Parse parses args with fs. Its usage, printed by -help (or -h) and after a bad
// flag, is doc, the flags, and vars. -help returns flag.ErrHelp; a bad flag or an
// extra argument returns an error wrapping ErrUsage. Exit turns both into the
// right exit code without printing them again.
func Parse(fs *flag.FlagSet, args []string, doc string, vars ...[]Var) error {
	return ParseArgs(fs, args, func(rest []string) error {
		if len(rest) > 0 {
			return fmt.Errorf("unexpected arguments %q", rest)
		}
		return nil
	}, doc, vars...)
}

// ParseArgs is Parse for a program that takes arguments after its flags: check
// judges them (and the flags, which fs holds by then), and its error is a
// mistake in the command line, printed with the usage and wrapping ErrUsage.
func ParseArgs(fs *flag.FlagSet, args []string, check func(rest []string) error, doc string, vars ...[]Var) error {
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage of %s:\n%s\n\nFlags:\n", fs.Name(), strings.TrimSpace(doc))
		fs.PrintDefaults()
		fmt.Fprintln(w, "\nEnvironment:")
		for _, group := range vars {
			for _, v := range group {
				fmt.Fprintf(w, "  %s\n    \t%s\n", v.Name, v.Help)
			}
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if err := check(fs.Args()); err != nil {
		fmt.Fprintln(fs.Output(), err)
		fs.Usage()
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	return nil
}

// Exit ends a program's main with err: status 0 for nil and -help, 2 for a bad
// command line (already printed), 1 for anything else, printed once on stderr
// after the program's name.
func Exit(name string, err error) {
	os.Exit(exitCode(os.Stderr, name, err))
}

func exitCode(stderr io.Writer, name string, err error) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, ErrUsage):
		return 2
	}
	fmt.Fprintf(stderr, "%s: %v\n", name, err)
	return 1
}

// RequireToken returns an error naming WECHAT_TOKEN when a webhook program runs
// for a real account without one: every push would be refused.
func (s *Settings) RequireToken() error {
	if s.Fake == nil && s.Token == "" {
		return errors.New("WECHAT_TOKEN is required with WECHAT_APPID: set it to the Token (令牌) of 基本配置 → 服务器配置 in the console; without it every push is refused")
	}
	return nil
}
