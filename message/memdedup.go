package message

import (
	"bytes"
	"context"
	"hash/maphash"
	"sync"
	"time"
)

// MemoryDedupStore is the DedupStore of a single server: the retry window in
// this process, bounded by entries and bytes, with no goroutine of its own.
//
// It keeps two things apart, for as long as each is of use:
//
//   - The reply, for the reply window (WithReplyWindow, default 20 s, counted
//     from Finish). WeChat tries a push three times, 5 s apart, so a retry
//     comes within about 15 s; the reply is kept at its exact size, in
//     chunks of 16 KiB that replies share (see copyReply).
//   - The message's key, for the TTL the Server asks: the dedup window (1
//     minute), and with the timestamp check on, until the push's timestamp
//     leaves the 5-minute window. It is kept as a 64-bit hash (seeded at random
//     per store) in a fixed-size slot.
//
// A retry or replay inside the reply window is answered the same reply. One
// that comes after the reply went, while the key is kept, is answered
// "success" (an empty reply), which tells WeChat there is nothing to show: the
// handler is not run again. One after that is refused by the timestamp check.
// Two distinct keys share a hash with odds of about one in 2⁶⁴ per pair: at the
// default bounds, a new message is mistaken for a retry less than once in 10¹³.
//
// What a message costs: 90 to 130 bytes of live heap for its key (its slot
// and its index entry, with the spare room their growth leaves), plus its reply
// (the plaintext reply XML, nothing for "success") while the reply is kept.
// Len counts dedupEntryCost bytes a message, plus its reply.
//
// The default bounds, 200,000 messages and 64 MiB, hold a steady 650 new
// messages a second over the 5-minute timestamp window, in 18 to 26 MB of keys
// plus the last 20 s of replies (13,000 replies of 300 bytes: 4 MB). A flood
// costs no more than the bounds: past 200,000 messages, or 64 MiB, the oldest
// replies go first, then the oldest keys; a retry or replay of a message whose
// key was forgotten runs its handler again. A busier account, or several
// replicas, want a shared store (message/redisdedup) or larger bounds.
//
// The hand-written store, rather than a cache library, is for what a library
// does not give together: a cap in bytes as well as entries, a TTL per entry,
// a reply dropped before its key, Wait on an entry not yet finished, no janitor
// goroutine, and a small, predictable cost per entry.
type MemoryDedupStore struct {
	maxEntries int
	maxBytes   int64
	replyFor   time.Duration
	now        func() time.Time // nil: the real clock; tests set one they move
	seed       maphash.Seed

	mu    sync.Mutex
	index map[uint64]uint64 // key hash → sequence number of its slot
	// slots is a ring of power-of-two length holding the slots in claim order:
	// slot seq is slots[seq&(len-1)], for first ≤ seq < next.
	slots   []dedupSlot
	first   uint64
	next    uint64
	replies uint64 // every slot before this one has dropped its reply
	bytes   int64
	wake    map[uint64]chan struct{} // keys a Wait waits on; made on demand
	chunk   []byte                   // where the next replies are copied (see copyReply)
}

// dedupSlot is one claimed key. A slot replaced by a newer one of the same key
// has expires 0 and no longer counts.
type dedupSlot struct {
	hash    uint64
	expires int64  // Unix nanoseconds; the key is forgotten then
	until   int64  // Unix nanoseconds; the reply is dropped then. 0 while the handler runs
	reply   []byte // nil for "success", and once dropped
}

// dedupEntryCost is what Len counts for a message besides its reply: its slot
// and its index entry.
const dedupEntryCost = 80

// The default bounds of a MemoryDedupStore, and how long it keeps a reply.
const (
	DefaultDedupMaxEntries  = 200_000
	DefaultDedupMaxBytes    = 64 << 20
	DefaultDedupReplyWindow = 20 * time.Second // WeChat's three tries span about 15 s
)

// minSlots is the ring's smallest length; it shrinks no further.
const minSlots = 64

// MemoryDedupOption configures a MemoryDedupStore.
type MemoryDedupOption func(*MemoryDedupStore)

// WithMaxEntries sets how many messages the store remembers at most (default
// 200,000); n < 1 means the default.
func WithMaxEntries(n int) MemoryDedupOption {
	return func(s *MemoryDedupStore) { s.maxEntries = n }
}

// WithMaxBytes sets how many bytes of replies and bookkeeping the store holds
// at most (default 64 MiB); n < 1 means the default. Over it, the oldest
// replies are dropped first, then the oldest messages. A reply larger than
// this is not kept. Replies share chunks of memory, whose unused ends can
// add up to a fifteenth more (see replyChunk).
func WithMaxBytes(n int64) MemoryDedupOption {
	return func(s *MemoryDedupStore) { s.maxBytes = n }
}

// WithReplyWindow sets how long after Finish a reply is kept (default 20 s, past
// WeChat's three tries); the key stays for its own TTL, and a retry after the
// reply went is answered "success". d < 1 means the default. A window longer
// than the key's TTL keeps the reply as long as the key.
func WithReplyWindow(d time.Duration) MemoryDedupOption {
	return func(s *MemoryDedupStore) { s.replyFor = d }
}

// NewMemoryDedupStore returns an empty in-process store.
func NewMemoryDedupStore(opts ...MemoryDedupOption) *MemoryDedupStore {
	// Sequence numbers start at 1: 0 means none (see claimed).
	s := &MemoryDedupStore{seed: maphash.MakeSeed(), index: map[uint64]uint64{}, first: 1, next: 1, replies: 1}
	for _, o := range opts {
		o(s)
	}
	if s.maxEntries < 1 {
		s.maxEntries = DefaultDedupMaxEntries
	}
	if s.maxBytes < 1 {
		s.maxBytes = DefaultDedupMaxBytes
	}
	if s.replyFor < 1 {
		s.replyFor = DefaultDedupReplyWindow
	}
	return s
}

// Claim implements DedupStore.
func (s *MemoryDedupStore) Claim(_ context.Context, key string, ttl time.Duration) (bool, error) {
	first, _ := s.claim(maphash.String(s.seed, key), ttl, s.clock())
	return first, nil
}

// hash is the hash the store keeps of key, as the Server calls it: a key
// built in a buffer needs no string.
func (s *MemoryDedupStore) hash(key []byte) uint64 { return maphash.Bytes(s.seed, key) }

// clock is the store's time in Unix nanoseconds.
func (s *MemoryDedupStore) clock() int64 {
	if s.now == nil {
		return time.Now().UnixNano()
	}
	return s.now().UnixNano()
}

// claim and finish take the time from their caller: a Server on the real
// clock hands over what it read at the push's arrival, which saves a clock
// read each (a clock read costs as much as a map lookup).
//
// claim returns the claim's sequence number too, which finish takes as a hint:
// the slot is found without a second look in the index.
func (s *MemoryDedupStore) claim(h uint64, ttl time.Duration, now int64) (bool, uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq, ok := s.index[h]; ok {
		if s.slot(seq).expires > now {
			return false, 0
		}
		s.forget(seq)
	}
	return true, s.push(dedupSlot{hash: h, expires: now + int64(ttl)}, now)
}

// Finish implements DedupStore. The reply is copied at its exact size.
func (s *MemoryDedupStore) Finish(_ context.Context, key string, reply []byte, ttl time.Duration) error {
	s.finish(maphash.String(s.seed, key), 0, reply, ttl, s.clock())
	return nil
}

// finish stores the reply of h, whose claim was seq when seq is not 0.
func (s *MemoryDedupStore) finish(h, seq uint64, reply []byte, ttl time.Duration, now int64) {
	chunked := len(reply) <= maxChunkedReply
	switch {
	case len(reply) == 0 || int64(len(reply)) > s.maxBytes:
		reply = nil
	case !chunked:
		reply = bytes.Clone(reply) // an allocation of its own, made before the lock
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if reply != nil && chunked {
		reply = s.copyReply(reply)
	}
	done := dedupSlot{hash: h, expires: now + int64(ttl), until: now + int64(s.replyFor), reply: reply}
	sl := s.claimed(h, seq, now)
	if sl == nil { // the claim ran out while the handler ran: remember the answer anyway
		s.add(done, now)
		return
	}
	// A claim lives only until its deadline; an answer, the whole window.
	s.bytes += int64(cap(reply) - cap(sl.reply))
	*sl = done
	s.wakeWaiters(h)
	s.trim(now)
}

// copyReply returns a copy of reply, at its exact size, in the current chunk,
// or a new one when it does not fit there. s.mu is held.
func (s *MemoryDedupStore) copyReply(reply []byte) []byte {
	if cap(s.chunk)-len(s.chunk) < len(reply) {
		s.chunk = make([]byte, 0, replyChunk)
	}
	start := len(s.chunk)
	s.chunk = append(s.chunk, reply...)
	return s.chunk[start:len(s.chunk):len(s.chunk)]
}

// replyChunk is the size of the chunks replies of up to maxChunkedReply bytes
// are copied into: an allocation per chunk rather than per reply; a longer
// reply gets one of its own. A chunk lives as long as any reply in it; every
// reply has the same window, counted from Finish, and fills the chunks in
// that order, so they leave in turn. A chunk's unused end is shorter than
// the reply that did not fit, so the store holds at most a fifteenth more
// than the replies it counts against WithMaxBytes, and one chunk.
const (
	replyChunk      = 16 << 10
	maxChunkedReply = replyChunk / 16
)

// Wait implements DedupStore. A message whose reply was dropped (past the
// reply window) has an empty reply: "success".
func (s *MemoryDedupStore) Wait(ctx context.Context, key string) ([]byte, error) {
	return s.wait(ctx, maphash.String(s.seed, key))
}

func (s *MemoryDedupStore) wait(ctx context.Context, h uint64) ([]byte, error) {
	s.mu.Lock()
	now := s.clock()
	sl, seq := s.lookup(h, now)
	if sl == nil {
		s.mu.Unlock()
		return nil, ErrDedupGone
	}
	if sl.until != 0 {
		reply := sl.replyAt(now)
		s.mu.Unlock()
		return reply, nil
	}
	if s.wake == nil {
		s.wake = map[uint64]chan struct{}{}
	}
	wake := s.wake[h]
	if wake == nil {
		wake = make(chan struct{})
		s.wake[h] = wake
	}
	s.mu.Unlock()
	select {
	case <-wake:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now = s.clock()
	sl, again := s.lookup(h, now)
	if sl == nil || again != seq || sl.until == 0 { // forgotten before it was finished: the bounds were reached
		return nil, ErrDedupGone
	}
	return sl.replyAt(now), nil
}

// Len returns how many messages the store remembers and the bytes it counts
// for them.
func (s *MemoryDedupStore) Len() (entries int, bytes int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.index), s.bytes
}

// lookup returns the live slot of hash h and its sequence number, or nil.
func (s *MemoryDedupStore) lookup(h uint64, now int64) (*dedupSlot, uint64) {
	seq, ok := s.index[h]
	if !ok {
		return nil, 0
	}
	sl := s.slot(seq)
	if sl.expires <= now {
		return nil, 0
	}
	return sl, seq
}

// claimed returns the live slot of h, looking first at the slot seq, its claim
// (0: not known).
func (s *MemoryDedupStore) claimed(h, seq uint64, now int64) *dedupSlot {
	if seq != 0 && seq >= s.first && seq < s.next {
		if sl := s.slot(seq); sl.hash == h && sl.expires > now {
			return sl
		}
	}
	sl, _ := s.lookup(h, now)
	return sl
}

func (s *MemoryDedupStore) slot(seq uint64) *dedupSlot { return &s.slots[seq&uint64(len(s.slots)-1)] }

// replyAt returns the reply of a finished slot at now: nil once its window
// has passed, whether or not trim has dropped it yet.
func (sl *dedupSlot) replyAt(now int64) []byte {
	if sl.until <= now {
		return nil
	}
	return sl.reply
}

func (sl *dedupSlot) cost() int64 { return dedupEntryCost + int64(cap(sl.reply)) }

// add stores sl as the newest slot, replacing an expired one of its key, then
// trims.
func (s *MemoryDedupStore) add(sl dedupSlot, now int64) {
	if seq, ok := s.index[sl.hash]; ok {
		s.forget(seq)
	}
	s.push(sl, now)
}

// push stores sl, whose key has no slot in the index, as the newest slot, then
// trims; it returns its sequence number.
func (s *MemoryDedupStore) push(sl dedupSlot, now int64) uint64 {
	if s.next-s.first == uint64(len(s.slots)) {
		s.resize(max(2*len(s.slots), minSlots))
	}
	seq := s.next
	*s.slot(seq) = sl
	s.index[sl.hash] = seq
	s.next++
	s.bytes += sl.cost()
	s.trim(now)
	return seq
}

// forget uncounts the slot seq and wakes its waiters, who find it gone; the
// slot itself leaves the ring when it reaches the head.
func (s *MemoryDedupStore) forget(seq uint64) {
	sl := s.slot(seq)
	if sl.expires == 0 {
		return
	}
	s.bytes -= sl.cost()
	if cur, ok := s.index[sl.hash]; ok && cur == seq {
		delete(s.index, sl.hash)
	}
	s.wakeWaiters(sl.hash)
	*sl = dedupSlot{hash: sl.hash}
}

func (s *MemoryDedupStore) wakeWaiters(h uint64) {
	if wake, ok := s.wake[h]; ok {
		close(wake)
		delete(s.wake, h)
	}
}

// trim drops the replies past their window, or all the oldest while over the
// byte bound, then forgets the oldest messages while they have expired or a
// bound is exceeded. Slots are in claim order, which is about the order of
// their replies' windows and their keys' expiry, so looking at the oldest is
// enough: a slot that outlives those behind it (a handler still running, an
// older timestamp) delays them, never past the bounds.
func (s *MemoryDedupStore) trim(now int64) {
	for ; s.replies < s.next; s.replies++ {
		sl := s.slot(s.replies)
		if sl.expires > now && (sl.until == 0 || sl.until > now && s.bytes <= s.maxBytes) {
			break
		}
		s.bytes -= int64(cap(sl.reply))
		sl.reply = nil
	}
	for ; s.first < s.next; s.first++ {
		sl := s.slot(s.first)
		if sl.expires > now && len(s.index) <= s.maxEntries && s.bytes <= s.maxBytes {
			break
		}
		s.forget(s.first)
		*sl = dedupSlot{}
	}
	s.replies = max(s.replies, s.first)
	if n := len(s.slots); n > minSlots && s.next-s.first <= uint64(n/4) {
		s.resize(n / 2)
	}
}

// resize moves the ring to n slots (a power of two, room for all).
func (s *MemoryDedupStore) resize(n int) {
	slots := make([]dedupSlot, n)
	for seq := s.first; seq < s.next; seq++ {
		slots[seq&uint64(n-1)] = *s.slot(seq)
	}
	s.slots = slots
}

var _ DedupStore = (*MemoryDedupStore)(nil)
