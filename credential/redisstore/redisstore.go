// Package redisstore is a credential.Store on Redis, for an Official Account
// backend that runs on more than one server: every credential.Manager that shares
// the Redis sees the same token, and a lock in Redis makes one upstream fetch per
// refresh across all of them.
//
//	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
//	m := credential.New(appID, appSecret, credential.WithStore(redisstore.New(rdb)))
//	oa, err := officialaccount.New(officialaccount.Config{AppID: appID, Credential: m})
//
// Any redis.UniversalClient works (a single node, a cluster, a sentinel setup):
// the store uses single-key commands only.
package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/internal/redisbase"
)

// DefaultPrefix is put before every key the store writes, unless WithPrefix says
// otherwise. The Manager's keys already carry the AppID
// ("access_token:classic:wx…"), so one Redis can serve many accounts.
const DefaultPrefix = "wxkit:"

// defaultLockTTL is used when Lock is given no TTL: a lock must always expire.
const defaultLockTTL = 30 * time.Second

// Store is a credential.Store on Redis. Tokens are JSON strings under
// prefix+key; the fetch lock of a key is prefix+key+":lock". It is safe for
// concurrent use.
type Store struct{ base redisbase.Base }

// Option configures a Store.
type Option func(*Store)

// WithPrefix sets the prefix of every key (default DefaultPrefix). Give each
// environment sharing one Redis its own.
func WithPrefix(p string) Option { return func(s *Store) { s.base.Prefix = p } }

// WithLockPoll sets how a Manager that lost the race for the fetch lock polls
// for it: first after first, then doubling with jitter up to max (default 5ms and
// 250ms). The winner's fetch usually takes tens of milliseconds.
func WithLockPoll(first, max time.Duration) Option {
	return func(s *Store) { s.base.PollFirst, s.base.PollMax = first, max }
}

// New returns a Store on rdb. The store does not own rdb: close it yourself.
func New(rdb redis.UniversalClient, opts ...Option) *Store {
	s := &Store{base: redisbase.Base{RDB: rdb, Prefix: DefaultPrefix, PollFirst: 5 * time.Millisecond, PollMax: 250 * time.Millisecond}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Get returns the token under key, or credential.ErrNotFound. Like every Store it
// does not judge expiry: the Manager does, on its own clock.
func (s *Store) Get(ctx context.Context, key string) (credential.Token, error) {
	raw, err := s.base.RDB.Get(ctx, s.base.Key(key)).Bytes()
	if errors.Is(err, redis.Nil) {
		return credential.Token{}, credential.ErrNotFound
	}
	if err != nil {
		return credential.Token{}, fmt.Errorf("redisstore: get %s: %w", key, err)
	}
	var t credential.Token
	if err := json.Unmarshal(raw, &t); err != nil {
		// Never quote raw: it holds the token.
		return credential.Token{}, fmt.Errorf("redisstore: %s holds %d bytes that are not a stored token: %w", key, len(raw), credential.ErrNotFound)
	}
	return t, nil
}

// Set stores t under key. Redis drops the key once the token cannot be valid any
// more; the Manager still decides validity with its own clock.
//
// How long Redis keeps it: the longer of the time left until t.ExpiresAt by this
// machine's clock and the token's whole lifetime (ExpiresAt - FetchedAt). The
// second covers a Manager whose clock is behind real time (or a test clock), whose
// ExpiresAt can already be past by real time while the token still has its whole
// life ahead: Redis must not drop a token earlier than WeChat does. A key kept a
// little too long costs nothing, since the Manager checks expiry on every read. A
// token with neither any time left nor a positive lifetime is refused with an
// error: there is nothing valid to share.
func (s *Store) Set(ctx context.Context, key string, t credential.Token) error {
	ttl := time.Until(t.ExpiresAt)
	if !t.FetchedAt.IsZero() {
		ttl = max(ttl, t.ExpiresAt.Sub(t.FetchedAt))
	}
	if t.Value == "" || ttl <= 0 {
		return fmt.Errorf("redisstore: set %s: the token is empty or has no lifetime left", key)
	}
	raw, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("redisstore: set %s: %w", key, err)
	}
	if err := s.base.RDB.Set(ctx, s.base.Key(key), raw, ttl.Round(time.Millisecond)+time.Millisecond).Err(); err != nil {
		return fmt.Errorf("redisstore: set %s: %w", key, err)
	}
	return nil
}

// unlockScript deletes the lock only when it still holds our owner value, so a
// holder whose lock expired and was taken by another never frees the other's.
var unlockScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

// Lock takes the fetch lock of key with SET NX PX and a random owner value,
// polling with backoff until it is free or ctx ends. The lock expires after ttl
// (30s when ttl <= 0), so a holder that dies blocks the others that long at most.
// unlock deletes it only while it is still ours (a compare-and-delete in Lua); if
// that fails, for Redis being away, the TTL frees it.
//
// A Redis error ends the wait with that error: the Manager then serves the token
// it knows instead of waiting for Redis.
func (s *Store) Lock(ctx context.Context, key string, ttl time.Duration) (func(), error) {
	if ttl <= 0 {
		ttl = defaultLockTTL
	}
	lockKey := s.base.Key(key + ":lock")
	owner := newOwner()
	err := s.base.Poll(ctx, func(ctx context.Context) (bool, error) {
		return s.base.RDB.SetNX(ctx, lockKey, owner, ttl).Result()
	})
	switch {
	case err == nil:
		return s.unlocker(ctx, lockKey, owner), nil
	case ctx.Err() != nil: // between two tries, or during one
		return nil, fmt.Errorf("redisstore: waiting for the lock of %s: %w", key, ctx.Err())
	}
	return nil, fmt.Errorf("redisstore: lock %s: %w", key, err)
}

// unlockTimeout bounds the compare-and-delete; past it the lock's TTL frees it.
const unlockTimeout = 2 * time.Second

func (s *Store) unlocker(ctx context.Context, lockKey, owner string) func() {
	ctx = context.WithoutCancel(ctx) // the holder's values, not its cancellation
	return func() {
		uctx, cancel := context.WithTimeout(ctx, unlockTimeout)
		defer cancel()
		_ = unlockScript.Run(uctx, s.base.RDB, []string{lockKey}, owner).Err()
	}
}

// newOwner returns a random lock owner value.
func newOwner() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}
