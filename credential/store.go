package credential

import (
	"context"
	"errors"
	"time"
)

// Store keeps tokens where every Manager that shares it can see them, and owns the
// lock that makes one fetch per refresh across all of them. The in-memory
// [MemoryStore] is the default; credential/redisstore shares one Redis among many
// servers. Implementations must be safe for concurrent use.
type Store interface {
	// Get returns the token stored under key, or ErrNotFound.
	Get(ctx context.Context, key string) (Token, error)
	// Set stores t under key until t.ExpiresAt.
	Set(ctx context.Context, key string, t Token) error
	// Lock takes the fetch lock of key, waiting until it is free or ctx ends. The
	// lock expires by itself after ttl, so a holder that dies never blocks the
	// others for longer. unlock releases it only if it is still ours.
	Lock(ctx context.Context, key string, ttl time.Duration) (unlock func(), err error)
}

// ErrNotFound is returned by [Store.Get] when no token is stored under the key.
var ErrNotFound = errors.New("credential: no token in store")
