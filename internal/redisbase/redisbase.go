// Package redisbase is the scaffolding wxkit's Redis stores share
// (credential/redisstore and message/redisdedup): the client and key prefix, a
// poll with backoff for waiting on a key, and go-redis's own logger routed to
// slog.
package redisbase

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/wxkit/wechat/internal/backoff"
)

// Base is embedded in a store: its client, the prefix of every key it writes,
// and how it polls. It is safe for concurrent use.
type Base struct {
	RDB       redis.UniversalClient
	Prefix    string
	PollFirst time.Duration // first wait between two looks at a key
	PollMax   time.Duration // the wait doubles, with jitter, up to this
}

// Key is the Redis key of the store's key k.
func (b *Base) Key(k string) string { return b.Prefix + k }

// Poll calls try until it reports done or fails, waiting between calls from
// PollFirst, doubling with jitter up to PollMax. try's error is returned as it
// is; when ctx ends during a wait, ctx.Err() itself is returned, so a caller
// tells the two apart with err == ctx.Err().
func (b *Base) Poll(ctx context.Context, try func(ctx context.Context) (done bool, err error)) error {
	poll := backoff.NewPoll(b.PollFirst, b.PollMax)
	for {
		done, err := try(ctx)
		if done || err != nil {
			return err
		}
		if err := poll.Wait(ctx); err != nil {
			return err
		}
	}
}

// Logger routes go-redis's own log lines (failed dials, pool errors) to an
// slog.Logger, at Warn level: redis.SetLogger(redisbase.Logger{L: logger}).
type Logger struct{ L *slog.Logger }

// Printf logs one go-redis line.
func (l Logger) Printf(ctx context.Context, format string, v ...any) {
	l.L.WarnContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}
