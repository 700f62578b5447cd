// Command publish turns a Markdown file into a WeChat article: it converts the
// Markdown to the HTML WeChat accepts (inline styles only, since the editor
// strips <style>), uploads each image once with uploadimg and the cover as
// permanent material, creates the draft, and with -publish publishes it and
// waits for the outcome.
//
//	go run ./examples/publish [flags] FILE.md
//
//	-title TITLE     the title; default: the first level-1 heading, which then
//	                 leaves the body (neither is an error)
//	-cover FILE      the cover image; default: the first image, as it is
//	-author NAME     the author
//	-publish         publish the draft and wait for the outcome
//	-preview OPENID  send the draft to OPENID as a preview instead
//
// Image paths are relative to the Markdown file's folder; remote images are
// downloaded and uploaded again, since WeChat shows only its own. A missing or
// rejected image stops the run before any draft is created.
//
// On success it exits 0 and its last line of standard output is the article's
// URL (with -publish) or the draft's media_id; progress and messages go to
// standard error. On failure it says what failed and exits 1 (2 for bad
// usage); -help lists the flags and the environment and exits 0.
//
// Settings come from the environment: WECHAT_APPID, WECHAT_APPSECRET,
// WECHAT_API_BASE_URL (default https://api.weixin.qq.com) and
// WECHAT_STABLE_TOKEN=1. Without credentials it runs against an in-process
// fake WeChat, which renders the article at a local URL; on a terminal the
// command then keeps the fake running until Ctrl-C, so the page can be opened
// in a browser.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"golang.org/x/term"

	"github.com/wxkit/wechat/draft"
	"github.com/wxkit/wechat/examples/internal/settings"
	"github.com/wxkit/wechat/mass"
	"github.com/wxkit/wechat/media"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/publish"
	"github.com/wxkit/wechat/wechattest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	c := &command{getenv: os.Getenv, stdout: os.Stdout, stderr: os.Stderr, terminal: term.IsTerminal(int(os.Stderr.Fd()))}
	err := c.run(ctx, os.Args[1:])
	stop()
	settings.Exit("publish", err)
}

// command is one run of the program.
type command struct {
	getenv         func(string) string
	stdout, stderr io.Writer
	// terminal: stderr is a terminal. Progress is a bar, and in sandbox mode
	// the fake keeps serving the article until ctx ends.
	terminal bool
	// sandboxDone, when set, sees the fake before sandbox mode closes it.
	sandboxDone func(*wechattest.Server)
}

type options struct {
	title, cover, author, preview string
	publish                       bool
	file                          string
}

const usage = `publish turns a Markdown file into a WeChat article (草稿, and with -publish
发布): go run ./examples/publish [flags] FILE.md`

func (c *command) parse(args []string) (*options, error) {
	fs := flag.NewFlagSet("publish", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	var o options
	fs.StringVar(&o.title, "title", "", "the article's `title` (default: the first level-1 heading)")
	fs.StringVar(&o.cover, "cover", "", "the cover image `file` (default: the first image)")
	fs.StringVar(&o.author, "author", "", "the author's `name`")
	fs.BoolVar(&o.publish, "publish", false, "publish the draft and wait for the outcome")
	fs.StringVar(&o.preview, "preview", "", "send a preview to `OPENID` instead of publishing")
	err := settings.ParseArgs(fs, args, func(rest []string) error {
		switch {
		case len(rest) != 1:
			return fmt.Errorf("want one Markdown file, got %d arguments", len(rest))
		case o.publish && o.preview != "":
			return errors.New("-publish and -preview exclude each other: a preview is sent instead of publishing")
		}
		o.file = rest[0]
		return nil
	}, usage, settings.AccountVars)
	if err != nil {
		return nil, err
	}
	return &o, nil
}

func (c *command) run(ctx context.Context, args []string) error {
	o, err := c.parse(args)
	if err != nil {
		return err
	}
	source, err := os.ReadFile(o.file)
	if err != nil {
		return err
	}
	art, err := parseArticle(source, o.title)
	if err != nil {
		return fmt.Errorf("%s: %w", o.file, err)
	}

	st, err := settings.Load(c.getenv)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.RequireSecret(); err != nil {
		return err
	}
	if st.Fake != nil {
		fmt.Fprintf(c.stderr, "publish: WECHAT_APPID is not set; using an in-process fake WeChat at %s\n", st.Fake.URL())
		if o.preview != "" {
			st.Fake.AddFollower(wechattest.Follower{OpenID: o.preview})
		}
	}
	oa, err := st.Account(st.Manager(nil), nil)
	if err != nil {
		return err
	}
	last, err := c.publish(ctx, oa, art, o, filepath.Dir(o.file))
	if err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, last)
	if st.Fake != nil {
		c.sandbox(ctx, st.Fake)
	}
	return nil
}

// publish does the work and returns the last line of output: the article URL
// or the draft's media_id.
func (c *command) publish(ctx context.Context, oa *officialaccount.OfficialAccount, art *article, o *options, dir string) (string, error) {
	imgs, err := findImages(ctx, &http.Client{Timeout: time.Minute}, dir, art.images)
	if err != nil {
		return "", fmt.Errorf("no draft created: %w", err)
	}
	var cover *picture
	switch {
	case o.cover != "":
		if cover, err = coverFile(o.cover); err != nil {
			return "", fmt.Errorf("no draft created: %w", err)
		}
	case len(imgs) > 0:
		cover = imgs[0]
	default:
		return "", errors.New("no draft created: no cover: give -cover FILE or put an image in the article")
	}

	prog := newProgress(c.stderr, c.terminal, len(imgs)+1)
	urls, coverID, err := uploadAll(ctx, media.New(oa), imgs, cover, prog)
	prog.done()
	if err != nil {
		return "", fmt.Errorf("no draft created: %w", err)
	}
	for _, dest := range art.images {
		if urls[dest] == "" {
			urls[dest] = dest // already on WeChat (mmbiz.qpic.cn)
		}
	}
	content, err := art.render(urls)
	if err != nil {
		return "", err
	}
	drafts := draft.New(oa)
	mediaID, err := drafts.Add(ctx, draft.Article{Title: art.title, Author: o.author, Content: content, ThumbMediaID: coverID})
	if err != nil {
		return "", fmt.Errorf("creating the draft: %w", err)
	}
	fmt.Fprintf(c.stderr, "draft created: %s\n", mediaID)
	if got, err := drafts.Get(ctx, mediaID); err == nil && len(got) > 0 && got[0].URL != "" {
		fmt.Fprintf(c.stderr, "preview link: %s\n", got[0].URL)
	}

	switch {
	case o.preview != "":
		if _, err := mass.New(oa).Preview(ctx, o.preview, mass.MPNews(mediaID)); err != nil {
			return "", fmt.Errorf("sending the preview to %s (the draft %s was created): %w", o.preview, mediaID, err)
		}
		fmt.Fprintf(c.stderr, "preview sent to %s\n", o.preview)
	case o.publish:
		return c.publishDraft(ctx, publish.New(oa), mediaID)
	}
	return mediaID, nil
}

func (c *command) publishDraft(ctx context.Context, svc *publish.Service, mediaID string) (string, error) {
	job, err := svc.Submit(ctx, mediaID)
	if err != nil {
		return "", fmt.Errorf("publishing the draft %s: %w", mediaID, err)
	}
	fmt.Fprintf(c.stderr, "publishing (job %s)…\n", job.PublishID)
	res, err := svc.Wait(ctx, job.PublishID)
	if err != nil {
		return "", fmt.Errorf("publishing the draft %s: %w", mediaID, err)
	}
	if len(res.Articles) == 0 {
		return "", fmt.Errorf("published (article_id %s), but WeChat gave no article URL", res.ArticleID)
	}
	fmt.Fprintf(c.stderr, "published: article_id %s\n", res.ArticleID)
	return res.Articles[0].URL, nil
}

// sandbox keeps the fake serving the article while a person looks at it.
func (c *command) sandbox(ctx context.Context, fake *wechattest.Server) {
	if c.sandboxDone != nil {
		c.sandboxDone(fake)
	}
	if !c.terminal {
		return
	}
	fmt.Fprintln(c.stderr, "sandbox: open the link above in a browser; the fake WeChat serves it until you press Ctrl-C")
	<-ctx.Done()
}
