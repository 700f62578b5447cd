package message

import (
	"context"
	"sync"
	"time"
)

// MemoryDedupStore is the DedupStore of a single server: the retry window in
// this process, bounded by entries and bytes, with no goroutine of its own.
//
// Each message costs about dedupEntryCost bytes (160) plus its key (about 40)
// and its reply (the plaintext reply XML, empty for "success"), for as long as it
// is remembered (see WithDedupWindow and WithTimestampSkew: 5 minutes by
// default). When a bound is reached the oldest messages are forgotten first; a
// retry or replay of a forgotten message runs its handler again. The default
// bounds, 200,000 messages and 64 MiB, hold the default window of a steady 600
// messages a second with short replies; a busier account, or several replicas,
// want a shared store (message/redisdedup) or larger bounds.
//
// The hand-written store, rather than a cache library, is for what a library
// does not give together: a cap in bytes as well as entries, a TTL per entry,
// Wait on an entry not yet finished, no janitor goroutine, and a small,
// predictable cost per entry.
type MemoryDedupStore struct {
	maxEntries int
	maxBytes   int64
	now        func() time.Time // tests move it

	mu      sync.Mutex
	entries map[string]*dedupEntry
	queue   []*dedupEntry // in claim order, oldest at head; removed entries stay until popped
	head    int
	bytes   int64
}

// dedupEntryCost is what an entry costs besides its key and reply: the entry,
// its map slot and its queue slot, rounded up.
const dedupEntryCost = 160

// The default bounds of a MemoryDedupStore.
const (
	DefaultDedupMaxEntries = 200_000
	DefaultDedupMaxBytes   = 64 << 20
)

// dedupEntry is one claimed key. Its channel is made only when someone waits,
// which keeps the common case (no retry) to one allocation. Fields other than
// key are guarded by the store's mutex.
type dedupEntry struct {
	key     string
	expires int64 // Unix nanoseconds
	reply   []byte
	wake    chan struct{}
	done    bool
	gone    bool // removed from the map (and from the byte count)
}

func (e *dedupEntry) cost() int64 { return dedupEntryCost + int64(len(e.key)+cap(e.reply)) }

// MemoryDedupOption configures a MemoryDedupStore.
type MemoryDedupOption func(*MemoryDedupStore)

// WithMaxEntries sets how many messages the store remembers at most (default
// 200,000); n < 1 means the default.
func WithMaxEntries(n int) MemoryDedupOption {
	return func(s *MemoryDedupStore) { s.maxEntries = n }
}

// WithMaxBytes sets how many bytes of keys, replies and bookkeeping the store
// holds at most (default 64 MiB); n < 1 means the default. A reply larger than
// this is not kept.
func WithMaxBytes(n int64) MemoryDedupOption {
	return func(s *MemoryDedupStore) { s.maxBytes = n }
}

// NewMemoryDedupStore returns an empty in-process store.
func NewMemoryDedupStore(opts ...MemoryDedupOption) *MemoryDedupStore {
	s := &MemoryDedupStore{now: time.Now, entries: map[string]*dedupEntry{}}
	for _, o := range opts {
		o(s)
	}
	if s.maxEntries < 1 {
		s.maxEntries = DefaultDedupMaxEntries
	}
	if s.maxBytes < 1 {
		s.maxBytes = DefaultDedupMaxBytes
	}
	return s
}

// Claim implements DedupStore.
func (s *MemoryDedupStore) Claim(_ context.Context, key string, ttl time.Duration) (bool, error) {
	now := s.now().UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.entries[key]; ok && e.expires > now {
		return false, nil
	}
	s.add(&dedupEntry{key: key, expires: now + int64(ttl)}, now)
	return true, nil
}

// Finish implements DedupStore.
func (s *MemoryDedupStore) Finish(_ context.Context, key string, reply []byte, ttl time.Duration) error {
	now := s.now().UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[key]
	if !ok || e.expires <= now { // the claim ran out while the handler ran: remember the answer anyway
		s.add(&dedupEntry{key: key, expires: now + int64(ttl), reply: reply, done: true}, now)
		return nil
	}
	s.bytes += int64(cap(reply) - cap(e.reply))
	e.done, e.reply = true, reply
	e.expires = now + int64(ttl) // a claim lives only until its deadline; an answer, the whole window
	if e.wake != nil {
		close(e.wake)
		e.wake = nil
	}
	s.trim(now)
	return nil
}

// Wait implements DedupStore.
func (s *MemoryDedupStore) Wait(ctx context.Context, key string) ([]byte, error) {
	now := s.now().UnixNano()
	s.mu.Lock()
	e, ok := s.entries[key]
	if !ok || e.expires <= now {
		s.mu.Unlock()
		return nil, ErrDedupGone
	}
	if e.done {
		s.mu.Unlock()
		return e.reply, nil
	}
	if e.wake == nil {
		e.wake = make(chan struct{})
	}
	wake := e.wake
	s.mu.Unlock()
	select {
	case <-wake:
		s.mu.Lock()
		defer s.mu.Unlock()
		if !e.done { // forgotten before it was finished: the bounds were reached
			return nil, ErrDedupGone
		}
		return e.reply, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Len returns how many messages the store remembers and the bytes they cost.
func (s *MemoryDedupStore) Len() (entries int, bytes int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries), s.bytes
}

// add stores e under its key, replacing an expired entry, then trims.
func (s *MemoryDedupStore) add(e *dedupEntry, now int64) {
	if old, ok := s.entries[e.key]; ok {
		s.remove(old)
	}
	s.entries[e.key] = e
	s.bytes += e.cost()
	s.queue = append(s.queue, e)
	s.trim(now)
}

// remove forgets e; its queue slot is dropped when it reaches the head.
func (s *MemoryDedupStore) remove(e *dedupEntry) {
	if e.gone {
		return
	}
	e.gone = true
	delete(s.entries, e.key)
	s.bytes -= e.cost()
	if e.wake != nil { // waiters find the key gone
		close(e.wake)
		e.wake = nil
	}
}

// trim forgets the oldest entries while they have expired or a bound is
// exceeded. Entries expire in about the order they were claimed, so looking at
// the head is enough; one that outlives those behind it delays their removal,
// never past the bounds.
func (s *MemoryDedupStore) trim(now int64) {
	for s.head < len(s.queue) {
		e := s.queue[s.head]
		if !e.gone && e.expires > now && len(s.entries) <= s.maxEntries && s.bytes <= s.maxBytes {
			break
		}
		s.remove(e)
		s.queue[s.head] = nil
		s.head++
	}
	if s.head > 64 && s.head*2 >= len(s.queue) { // reuse the space of the popped head
		n := copy(s.queue, s.queue[s.head:])
		clear(s.queue[n:])
		s.queue = s.queue[:n]
		s.head = 0
	}
}

var _ DedupStore = (*MemoryDedupStore)(nil)
