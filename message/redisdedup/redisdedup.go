// Package redisdedup keeps the webhook's retry window in Redis, for a webhook
// that runs on several replicas behind a load balancer: when WeChat's retry of a
// message lands on another replica, the handler still runs once, and the retry
// is answered with the first replica's reply if it is ready in time.
//
//	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
//	srv := message.NewServer(oa, mux, message.WithDedupStore(redisdedup.New(rdb)))
//
// Any redis.UniversalClient works: the store uses single-key commands only.
package redisdedup

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/wxkit/wechat/internal/redisbase"
	"github.com/wxkit/wechat/message"
)

// DefaultPrefix is put before every key the store writes, unless WithPrefix says
// otherwise. The message package's keys already start with the account's
// original id, so one Redis can serve many accounts.
const DefaultPrefix = "wxkit:dedup:"

// A key holds one state byte, then the reply: claimed and running, or finished.
const (
	statePending  = '0'
	stateFinished = '1'
)

// Store is a message.DedupStore on Redis. A claim is SET NX PX; the finished
// reply replaces it under the same key; a retry waiting for the reply polls the
// key with backoff. It is safe for concurrent use.
type Store struct{ base redisbase.Base }

// Option configures a Store.
type Option func(*Store)

// WithPrefix sets the prefix of every key (default DefaultPrefix).
func WithPrefix(p string) Option { return func(s *Store) { s.base.Prefix = p } }

// WithPoll sets how a retry polls for the first delivery's reply: first after
// first, then doubling with jitter up to max (default 10ms and 100ms). The reply
// then reaches the retry at most about max after it is finished.
func WithPoll(first, max time.Duration) Option {
	return func(s *Store) { s.base.PollFirst, s.base.PollMax = first, max }
}

// New returns a Store on rdb. The store does not own rdb: close it yourself.
func New(rdb redis.UniversalClient, opts ...Option) *Store {
	s := &Store{base: redisbase.Base{RDB: rdb, Prefix: DefaultPrefix, PollFirst: 10 * time.Millisecond, PollMax: 100 * time.Millisecond}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Claim marks key as being handled for ttl (message.DefaultDedupWindow when ttl
// <= 0), unless a replica already did; first reports whether this call claimed
// it. A Redis error is returned; the webhook then runs the handler anyway.
func (s *Store) Claim(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		ttl = message.DefaultDedupWindow
	}
	first, err := s.base.RDB.SetNX(ctx, s.base.Key(key), []byte{statePending}, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("redisdedup: claim: %w", err)
	}
	return first, nil
}

// Finish stores the reply of key for ttl, where every replica waiting on key
// finds it. It stores it even when the claim has already run out.
func (s *Store) Finish(ctx context.Context, key string, reply []byte, ttl time.Duration) error {
	if ttl <= 0 {
		ttl = message.DefaultDedupWindow
	}
	v := make([]byte, 0, 1+len(reply))
	v = append(append(v, stateFinished), reply...)
	if err := s.base.RDB.Set(ctx, s.base.Key(key), v, ttl).Err(); err != nil {
		return fmt.Errorf("redisdedup: finish: %w", err)
	}
	return nil
}

// Wait returns the reply of key once a replica has finished it, polling until
// then. It returns ctx's error if ctx ends first, message.ErrDedupGone when key is
// not claimed (or its window ran out), and a Redis error as it comes.
func (s *Store) Wait(ctx context.Context, key string) ([]byte, error) {
	var reply []byte
	err := s.base.Poll(ctx, func(ctx context.Context) (bool, error) {
		v, err := s.base.RDB.Get(ctx, s.base.Key(key)).Bytes()
		switch {
		case errors.Is(err, redis.Nil):
			return false, message.ErrDedupGone
		case err != nil && ctx.Err() != nil:
			return false, ctx.Err()
		case err != nil:
			return false, fmt.Errorf("redisdedup: wait: %w", err)
		case len(v) > 0 && v[0] == stateFinished:
			reply = v[1:]
			return true, nil
		}
		return false, nil
	})
	return reply, err
}

var _ message.DedupStore = (*Store)(nil)
