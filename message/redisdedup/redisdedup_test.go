package redisdedup_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/wxkit/wechat/internal/redistest"
	"github.com/wxkit/wechat/message"
	"github.com/wxkit/wechat/message/redisdedup"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

func TestMain(m *testing.M) {
	redis.SetLogger(quiet{}) // the outage test makes go-redis print every refused dial
	os.Exit(m.Run())
}

func TestStore(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	a, b := redisdedup.New(srv.Client(t)), redisdedup.New(srv.Client(t))
	ctx := t.Context()

	t.Run("claim once, wait for the reply", func(t *testing.T) {
		t.Parallel()
		if first, err := a.Claim(ctx, "k1", time.Minute); !first || err != nil {
			t.Fatalf("a.Claim = %v, %v; want first", first, err)
		}
		if first, err := b.Claim(ctx, "k1", time.Minute); first || err != nil {
			t.Fatalf("b.Claim of a claimed key = %v, %v; want not first", first, err)
		}
		got := make(chan []byte, 1)
		go func() {
			reply, err := b.Wait(ctx, "k1")
			if err != nil {
				t.Errorf("b.Wait: %v", err)
			}
			got <- reply
		}()
		select {
		case <-got:
			t.Fatal("Wait returned before Finish")
		case <-time.After(30 * time.Millisecond):
		}
		if err := a.Finish(ctx, "k1", []byte("<xml>r</xml>"), time.Minute); err != nil {
			t.Fatal(err)
		}
		select {
		case reply := <-got:
			if string(reply) != "<xml>r</xml>" {
				t.Errorf("Wait = %q, want the finished reply", reply)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Wait still waiting 5s after Finish")
		}
		if reply, err := a.Wait(ctx, "k1"); err != nil || string(reply) != "<xml>r</xml>" {
			t.Errorf("Wait after Finish = %q, %v", reply, err)
		}
	})

	t.Run("empty reply means success", func(t *testing.T) {
		t.Parallel()
		_, _ = a.Claim(ctx, "k2", time.Minute)
		_ = a.Finish(ctx, "k2", nil, time.Minute)
		if reply, err := b.Wait(ctx, "k2"); err != nil || len(reply) != 0 {
			t.Errorf("Wait = %q, %v; want an empty reply", reply, err)
		}
	})

	t.Run("unclaimed or expired key is gone", func(t *testing.T) {
		t.Parallel()
		if _, err := b.Wait(ctx, "never"); !errors.Is(err, message.ErrDedupGone) {
			t.Errorf("Wait(unclaimed) = %v, want ErrDedupGone", err)
		}
		_, _ = a.Claim(ctx, "k3", 30*time.Millisecond)
		if _, err := b.Wait(ctx, "k3"); !errors.Is(err, message.ErrDedupGone) {
			t.Errorf("Wait past the window = %v, want ErrDedupGone", err)
		}
	})

	t.Run("wait ends with ctx", func(t *testing.T) {
		t.Parallel()
		_, _ = a.Claim(ctx, "k4", time.Minute)
		wctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		if _, err := b.Wait(wctx, "k4"); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Wait = %v, want context.DeadlineExceeded", err)
		}
	})

	t.Run("finish after the window still answers later retries", func(t *testing.T) {
		t.Parallel()
		_, _ = a.Claim(ctx, "k5", 10*time.Millisecond)
		time.Sleep(30 * time.Millisecond)
		_ = a.Finish(ctx, "k5", []byte("late"), time.Minute)
		if reply, err := b.Wait(ctx, "k5"); err != nil || string(reply) != "late" {
			t.Errorf("Wait = %q, %v", reply, err)
		}
	})
}

// replica is one webhook replica: its own Redis client, one shared handler.
func replica(t *testing.T, fake *wechattest.Server, rdb redis.UniversalClient, h message.Handler) *message.Server {
	t.Helper()
	oa, err := officialaccount.New(fake.Config())
	if err != nil {
		t.Fatal(err)
	}
	return message.NewServer(oa, h, message.WithDedupStore(redisdedup.New(rdb)),
		message.WithLogger(slog.New(slog.DiscardHandler)), message.WithAllowPlaintext()) // all three modes
}

func deliver(t *testing.T, c *wechattest.WebhookClient, srv *message.Server, msg []byte) *wechattest.WebhookReply {
	t.Helper()
	req, err := c.NewRequest(context.Background(), msg)
	if err != nil {
		t.Error(err)
		return nil
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	reply, err := c.DecodeReply(rec.Code, rec.Body.Bytes())
	if err != nil {
		t.Error(err)
		return nil
	}
	return reply
}

// TestTwoReplicas delivers the same message to two replicas sharing Redis at the
// same moment, in each mode: the handler runs once and both answer its reply.
func TestTwoReplicas(t *testing.T) {
	t.Parallel()
	rds := redistest.Start(t)
	for _, mode := range []wechattest.Mode{wechattest.ModePlaintext, wechattest.ModeCompatible, wechattest.ModeSafe} {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel()
			fake := wechattest.NewServer()
			t.Cleanup(fake.Close)
			var runs atomic.Int32
			h := message.HandlerFunc(func(_ context.Context, m *message.Message) message.Reply {
				n := runs.Add(1)
				time.Sleep(30 * time.Millisecond) // the other delivery arrives meanwhile
				return message.Text("run " + string(rune('0'+n)) + ": " + m.Content)
			})
			replicas := []*message.Server{replica(t, fake, rds.Client(t), h), replica(t, fake, rds.Client(t), h)}
			c := fake.WebhookClient("http://webhook.test/wechat", mode)
			msg := c.Text("o1", "hello")

			var wg sync.WaitGroup
			start := make(chan struct{})
			replies := make([]*wechattest.WebhookReply, len(replicas))
			for i, srv := range replicas {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					replies[i] = deliver(t, c, srv, msg)
				}()
			}
			close(start)
			wg.Wait()
			if n := runs.Load(); n != 1 {
				t.Errorf("handler ran %d times, want 1", n)
			}
			for i, r := range replies {
				if r == nil || r.Success || r.Message.Content != "run 1: hello" {
					t.Errorf("replica %d answered %+v, want the one run's reply", i, r)
				}
			}
			// A later retry on either replica gets the stored reply, no new run.
			if r := deliver(t, c, replicas[1], msg); r == nil || r.Message.Content != "run 1: hello" || runs.Load() != 1 {
				t.Errorf("late retry answered %+v after %d runs", r, runs.Load())
			}
		})
	}
}

// TestRedisDown: with the store away, a delivery is still handled (better
// twice than never).
func TestRedisDown(t *testing.T) {
	t.Parallel()
	rds := redistest.Start(t)
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	var runs atomic.Int32
	srv := replica(t, fake, rds.Client(t), message.HandlerFunc(func(_ context.Context, m *message.Message) message.Reply {
		runs.Add(1)
		return message.Text("echo: " + m.Content)
	}))
	rds.Stop()
	c := fake.WebhookClient("http://webhook.test/wechat", wechattest.ModePlaintext)
	if r := deliver(t, c, srv, c.Text("o1", "hi")); r == nil || !strings.HasPrefix(r.Message.Content, "echo: hi") {
		t.Errorf("reply with Redis down = %+v, want the handler's", r)
	}
	if runs.Load() != 1 {
		t.Errorf("handler ran %d times, want 1", runs.Load())
	}
}

// diesBeforeFinish is the store of a replica that crashes after claiming a
// message: its Finish never reaches Redis.
type diesBeforeFinish struct{ *redisdedup.Store }

func (diesBeforeFinish) Finish(context.Context, string, []byte, time.Duration) error {
	return errors.New("replica died")
}

// TestRetryAfterReplicaDied: replica A claims a message and dies before
// answering. WeChat got no answer, so it retries on replica B about 5 s later;
// B waits for A's claim to run out (A's deadline plus a grace) and handles the
// message itself rather than losing it.
func TestRetryAfterReplicaDied(t *testing.T) {
	t.Parallel()
	rds := redistest.Start(t)
	fake, oa := wechattest.Start(t)
	var runs atomic.Int32
	h := message.HandlerFunc(func(_ context.Context, m *message.Message) message.Reply {
		runs.Add(1)
		return message.Text("handled: " + m.Content)
	})
	quietLog := message.WithLogger(slog.New(slog.DiscardHandler))
	a := message.NewServer(oa, h, quietLog, message.WithDeadline(50*time.Millisecond),
		message.WithDedupStore(diesBeforeFinish{redisdedup.New(rds.Client(t))}))
	b := message.NewServer(oa, h, quietLog, message.WithDeadline(5*time.Second),
		message.WithDedupStore(redisdedup.New(rds.Client(t))))

	c := fake.WebhookClient("http://webhook.test/wechat", wechattest.ModeSafe)
	msg := c.Text("o1", "do not lose me")
	deliver(t, c, a, msg) // A's answer never reaches WeChat: it died
	got := deliver(t, c, b, msg)
	if got == nil || got.Message.Content != "handled: do not lose me" {
		t.Fatalf("retry on B = %+v, want the handler's reply", got)
	}
	if n := runs.Load(); n != 2 {
		t.Errorf("handler runs = %d, want 2 (A before it died, then B)", n)
	}
}
