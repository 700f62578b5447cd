package credential

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/patrickmn/go-cache"
)

// MemoryStore is the embedded Store: tokens in memory (go-cache), a lock per key,
// and optionally a snapshot file so that a restarted process reuses a still-valid
// token instead of fetching a new one (which would knock out the old one after
// WeChat's 5-minute grace). It only coordinates the Managers of one process; share a
// redisstore.Store among servers.
type MemoryStore struct {
	tokens *cache.Cache
	path   string     // snapshot file; "" for none
	fileMu sync.Mutex // serializes snapshot writes

	mu    sync.Mutex
	locks map[string]*memLock
}

type memLock struct {
	released chan struct{}
	timer    *time.Timer
}

// StoreOption configures a MemoryStore.
type StoreOption func(*MemoryStore)

// WithSnapshot keeps a copy of the tokens in the file at path (written with mode
// 0600, replaced atomically on every change) and loads the still-valid ones from it
// at start. The file holds live tokens: keep it where only this service can read it.
func WithSnapshot(path string) StoreOption { return func(s *MemoryStore) { s.path = path } }

// NewMemoryStore returns an empty store, or one loaded from its snapshot file. A
// snapshot that cannot be read is ignored (the token is fetched again); use
// LoadMemoryStore to see that error.
func NewMemoryStore(opts ...StoreOption) *MemoryStore {
	s, _ := LoadMemoryStore(opts...)
	return s
}

// LoadMemoryStore is NewMemoryStore that also reports a snapshot it could not read.
// The store it returns is usable either way.
func LoadMemoryStore(opts ...StoreOption) (*MemoryStore, error) {
	// Tokens never expire in the cache (the Manager checks expiry on its own
	// clock), so no janitor goroutine is started.
	s := &MemoryStore{tokens: cache.New(cache.NoExpiration, 0), locks: map[string]*memLock{}}
	for _, o := range opts {
		o(s)
	}
	if s.path == "" {
		return s, nil
	}
	raw, err := os.ReadFile(s.path)
	if os.IsNotExist(err) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("credential: reading snapshot: %w", err)
	}
	var saved map[string]Token
	if err := json.Unmarshal(raw, &saved); err != nil {
		return s, fmt.Errorf("credential: snapshot %s is not valid JSON: %w", s.path, err)
	}
	now := time.Now()
	for k, t := range saved {
		if t.Valid(now) {
			s.tokens.Set(k, t, cache.NoExpiration)
		}
	}
	return s, nil
}

// Get returns the token under key, or ErrNotFound. It does not check expiry: the
// Manager measures it with its own clock.
func (s *MemoryStore) Get(_ context.Context, key string) (Token, error) {
	if v, ok := s.tokens.Get(key); ok {
		return v.(Token), nil
	}
	return Token{}, ErrNotFound
}

// Set stores t under key and, with a snapshot file, writes the file.
func (s *MemoryStore) Set(_ context.Context, key string, t Token) error {
	s.tokens.Set(key, t, cache.NoExpiration)
	if s.path == "" {
		return nil
	}
	return s.snapshot()
}

func (s *MemoryStore) snapshot() error {
	s.fileMu.Lock()
	defer s.fileMu.Unlock()
	all := map[string]Token{}
	for k, it := range s.tokens.Items() {
		all[k] = it.Object.(Token)
	}
	raw, err := json.Marshal(all)
	if err != nil {
		return fmt.Errorf("credential: encoding snapshot: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.path), ".wxkit-snapshot-*")
	if err != nil {
		return fmt.Errorf("credential: writing snapshot: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err = tmp.Write(raw); err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), s.path)
	}
	if err != nil {
		return fmt.Errorf("credential: writing snapshot: %w", err)
	}
	return nil
}

// Lock takes key's lock, waiting until it is free or ctx ends. The lock is released
// by unlock or, should its holder never call it, after ttl.
func (s *MemoryStore) Lock(ctx context.Context, key string, ttl time.Duration) (func(), error) {
	for {
		s.mu.Lock()
		held, busy := s.locks[key]
		if !busy {
			l := &memLock{released: make(chan struct{})}
			s.locks[key] = l
			if ttl > 0 {
				l.timer = time.AfterFunc(ttl, func() { s.release(key, l) })
			}
			s.mu.Unlock()
			var once sync.Once
			return func() { once.Do(func() { s.release(key, l) }) }, nil
		}
		s.mu.Unlock()
		select {
		case <-held.released:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// release frees key's lock if l still holds it.
func (s *MemoryStore) release(key string, l *memLock) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.locks[key] != l {
		return
	}
	delete(s.locks, key)
	if l.timer != nil {
		l.timer.Stop()
	}
	close(l.released)
}
