// Command followers exports every follower of an Official Account, with their
// information, as CSV: one /cgi-bin/user/get call per 10,000 followers, then
// /cgi-bin/user/info/batchget in groups of 100, with a progress bar on stderr.
//
//	WECHAT_APPID=wx… WECHAT_APPSECRET=… go run ./examples/followers -o followers.csv
//
// Settings come from the environment: WECHAT_APPID, WECHAT_APPSECRET,
// WECHAT_API_BASE_URL (default https://api.weixin.qq.com) and WECHAT_STABLE_TOKEN=1
// to fetch the token with /cgi-bin/stable_token. Without credentials it runs
// against an in-process fake WeChat (wechattest) seeded with 2,500 followers.
package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/wxkit/wechat/examples/internal/settings"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/user"
)

// fakeFollowers is how many followers the fake account has when no credentials
// are given.
const fakeFollowers = 2500

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	settings.Exit("followers", err)
}

const usage = `followers exports every follower of the account, with their information, as CSV.
Progress goes to stderr: a bar on a terminal, plain lines otherwise.`

// run is the whole program: args without the program name, getenv for the
// settings, the CSV on stdout (or the -o file), messages and progress on stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("followers", flag.ContinueOnError)
	fs.SetOutput(stderr)
	outPath := fs.String("o", "", "write the CSV to `file` instead of stdout")
	lang := fs.String("lang", "", "language of region names: zh_CN, zh_TW or en")
	if err := settings.Parse(fs, args, usage, settings.AccountVars); err != nil {
		return err
	}
	oa, cleanup, err := account(getenv, stderr)
	if err != nil {
		return err
	}
	defer cleanup()

	var opts []user.InfoOption
	if *lang != "" {
		opts = append(opts, user.WithLang(user.Lang(*lang)))
	}
	if *outPath == "" {
		return export(ctx, user.New(oa), stdout, stderr, opts)
	}
	f, err := os.Create(*outPath)
	if err != nil {
		return err
	}
	if err := export(ctx, user.New(oa), f, stderr, opts); err != nil {
		f.Close()
		return err
	}
	return f.Close() // a write error can surface only here
}

// account builds the shared context from the environment, or from an in-process
// fake platform with fakeFollowers followers when no credentials are set. cleanup
// stops the fake.
func account(getenv func(string) string, stderr io.Writer) (*officialaccount.OfficialAccount, func(), error) {
	st, err := settings.Load(getenv)
	if err != nil {
		return nil, nil, err
	}
	if err := st.RequireSecret(); err != nil {
		st.Close()
		return nil, nil, err
	}
	if st.Fake != nil {
		st.Fake.AddFollowers(fakeFollowers)
		fmt.Fprintf(stderr, "followers: WECHAT_APPID is not set; using an in-process fake WeChat with %d followers\n", fakeFollowers)
	}
	oa, err := st.Account(st.Manager(nil), nil)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return oa, st.Close, nil
}

// header is the CSV's first row.
var header = []string{"openid", "subscribed", "subscribe_time", "subscribe_scene", "qr_scene", "qr_scene_str", "remark", "tagid_list", "unionid", "language"}

// export lists every follower, then writes their information to out as CSV, 100
// at a time, drawing progress on progress.
func export(ctx context.Context, svc *user.Service, out, progress io.Writer, opts []user.InfoOption) error {
	var ids []string
	for id, err := range svc.All(ctx) {
		if err != nil {
			return fmt.Errorf("listing followers: %w", err)
		}
		ids = append(ids, id)
	}
	w := csv.NewWriter(out)
	if err := w.Write(header); err != nil {
		return err
	}
	bar := newBar(progress, len(ids))
	for start := 0; start < len(ids); start += user.MaxBatchInfo {
		chunk := ids[start:min(start+user.MaxBatchInfo, len(ids))]
		infos, err := svc.BatchInfo(ctx, chunk, opts...)
		if err != nil {
			bar.done()
			return fmt.Errorf("fetching followers %d to %d: %w", start+1, start+len(chunk), err)
		}
		for _, in := range infos {
			if err := w.Write(row(in)); err != nil {
				return err
			}
		}
		bar.set(start + len(chunk))
	}
	bar.done()
	w.Flush()
	return w.Error()
}

func row(in user.Info) []string {
	var when string
	if !in.SubscribeTime.IsZero() {
		when = in.SubscribeTime.UTC().Format(time.RFC3339)
	}
	tags := make([]string, len(in.TagIDs))
	for i, id := range in.TagIDs {
		tags[i] = strconv.Itoa(id)
	}
	return []string{
		in.OpenID, strconv.FormatBool(in.Subscribed), when, string(in.SubscribeScene),
		strconv.Itoa(in.QRScene), in.QRSceneStr, in.Remark, strings.Join(tags, ";"), in.UnionID, in.Language,
	}
}

// progress shows how many followers are exported: a bar that fits the terminal
// when stderr is one, plain lines at every tenth otherwise (a log file, a CI job),
// where a redrawn bar would be noise.
type progress interface {
	set(n int)
	done()
}

func newBar(w io.Writer, total int) progress {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar := progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("followers"),
			progressbar.OptionFullWidth(),
			progressbar.OptionShowCount(),
			progressbar.OptionThrottle(100*time.Millisecond),
		)
		return barProgress{bar, w}
	}
	l := &lineProgress{w: w, total: total}
	l.set(0)
	return l
}

type barProgress struct {
	bar *progressbar.ProgressBar
	w   io.Writer
}

func (b barProgress) set(n int) { _ = b.bar.Set(n) }
func (b barProgress) done()     { _ = b.bar.Finish(); fmt.Fprintln(b.w) }

// lineProgress prints "followers: 1200/2500 (48%)" when a new tenth is reached.
type lineProgress struct {
	w            io.Writer
	total, tenth int
	printed      bool
}

func (l *lineProgress) set(n int) {
	tenth := 10
	if l.total > 0 {
		tenth = 10 * n / l.total
	}
	if l.printed && tenth == l.tenth {
		return
	}
	l.tenth, l.printed = tenth, true
	pct := 100
	if l.total > 0 {
		pct = 100 * n / l.total
	}
	fmt.Fprintf(l.w, "followers: %d/%d (%d%%)\n", n, l.total, pct)
}

func (l *lineProgress) done() {}
