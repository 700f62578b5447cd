package message

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/patrickmn/go-cache"
)

// DedupStore is the retry window: it makes sure a message WeChat delivers more
// than once runs its handler once, and that every delivery gets the same
// answer. The default is a [MemoryDedupStore]; a store shared by several servers
// (Redis) lets a retry land on any of them. Implementations must be safe for
// concurrent use.
//
// A key is claimed once, then finished once with the reply; replies are the
// plaintext reply XML, empty for "success".
type DedupStore interface {
	// Claim marks key as being handled, for ttl, unless it already is. It reports
	// whether this call claimed it: true means run the handler. The Server claims
	// for its deadline plus a grace, and finishes within it; a claim that runs out
	// unfinished means the claimant died, and a retry may claim the key again.
	Claim(ctx context.Context, key string, ttl time.Duration) (first bool, err error)
	// Finish stores the reply for a claimed key, keeping it for ttl, and wakes
	// every Wait on key.
	Finish(ctx context.Context, key string, reply []byte, ttl time.Duration) error
	// Wait returns the reply of key once it is finished. It returns ctx's error if
	// ctx ends first, and ErrDedupGone if key is not (or no longer) claimed.
	Wait(ctx context.Context, key string) ([]byte, error)
}

// ErrDedupGone is returned by [DedupStore.Wait] for a key that is not claimed,
// for example because its window expired.
var ErrDedupGone = errors.New("message: dedup key is not claimed")

// MemoryDedupStore is a DedupStore in this process, on go-cache.
type MemoryDedupStore struct{ c *cache.Cache }

// NewMemoryDedupStore returns an empty in-process store.
func NewMemoryDedupStore() *MemoryDedupStore {
	return &MemoryDedupStore{c: cache.New(DefaultDedupWindow, DefaultDedupWindow)}
}

// dedupEntry is one claimed key. Its channel is made only when someone waits,
// which keeps the common case (no retry) to one allocation.
type dedupEntry struct {
	mu    sync.Mutex
	done  bool
	reply []byte
	wake  chan struct{}
}

// Claim implements DedupStore.
func (s *MemoryDedupStore) Claim(_ context.Context, key string, ttl time.Duration) (bool, error) {
	return s.c.Add(key, &dedupEntry{}, ttl) == nil, nil
}

// Finish implements DedupStore.
func (s *MemoryDedupStore) Finish(_ context.Context, key string, reply []byte, ttl time.Duration) error {
	v, ok := s.c.Get(key)
	if !ok { // the window ran out while the handler ran: remember the answer anyway
		s.c.Set(key, &dedupEntry{done: true, reply: reply}, ttl)
		return nil
	}
	e := v.(*dedupEntry)
	e.mu.Lock()
	e.done, e.reply = true, reply
	if e.wake != nil {
		close(e.wake)
	}
	e.mu.Unlock()
	s.c.Set(key, e, ttl) // a claim lives only until its deadline; an answer, the whole window
	return nil
}

// Wait implements DedupStore.
func (s *MemoryDedupStore) Wait(ctx context.Context, key string) ([]byte, error) {
	v, ok := s.c.Get(key)
	if !ok {
		return nil, ErrDedupGone
	}
	e := v.(*dedupEntry)
	e.mu.Lock()
	if e.done {
		e.mu.Unlock()
		return e.reply, nil
	}
	if e.wake == nil {
		e.wake = make(chan struct{})
	}
	wake := e.wake
	e.mu.Unlock()
	select {
	case <-wake:
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.reply, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// dedupKey names a delivery. Follower messages carry a MsgId; events do not, so
// they are named by sender, time, event and key, as the spec suggests, plus the
// job id of job events (MASSSENDJOBFINISH's MsgID, PUBLISHJOBFINISH's
// publish_id, subscribe_msg_sent_event's MsgIDs). The account's id comes first
// so that one shared store serves many accounts.
func dedupKey(m *Message) string {
	var buf [160]byte
	b := append(buf[:0], m.ToUserName...)
	if m.MsgType != MsgTypeEvent && m.MsgID != 0 {
		b = append(b, "|m|"...)
		b = strconv.AppendInt(b, m.MsgID, 10)
		return string(b)
	}
	b = append(b, "|e|"...)
	b = append(b, m.FromUserName...)
	b = append(b, '|')
	b = strconv.AppendInt(b, m.CreateTime, 10)
	b = append(b, '|')
	b = append(b, m.MsgType...)
	b = append(b, '|')
	b = append(b, m.Event...)
	b = append(b, '|')
	b = append(b, m.EventKey...)
	// Job events of one sender can share a second: their job ids tell them apart.
	if m.MsgID != 0 {
		b = append(b, '|')
		b = strconv.AppendInt(b, m.MsgID, 10)
	}
	if id := m.PublishEventInfo.PublishID; id != "" {
		b = append(b, '|')
		b = append(b, id...)
	}
	for _, sm := range m.SubscribeMsgs { // subscribe_msg_sent_event
		if sm.MsgID != 0 {
			b = append(b, '|')
			b = strconv.AppendInt(b, sm.MsgID, 10)
		}
	}
	return string(b)
}

// claimGrace is how long a claim outlives the deadline. A live first delivery
// always finishes by its deadline (a handler still running then is answered
// "success" and goes on in the background), so a claim still pending past it
// belongs to a server that died before answering. WeChat retries exactly then,
// because it got no answer; the retry that finds the claim gone handles the
// message itself instead of losing it.
const claimGrace = 2 * time.Second

// dispatch answers a message once per retry window: the first delivery runs
// the handler; a retry waits for the first one's reply, up to its own deadline,
// and takes the message over if the first one's server died. A store error lets
// the handler run: better twice than never.
func (srv *Server) dispatch(ctx context.Context, in *inbound) []byte {
	key := dedupKey(in.msg)
	for range 2 {
		first, err := srv.dedup.Claim(ctx, key, srv.deadline+claimGrace)
		if err != nil {
			srv.logger.WarnContext(ctx, "message: dedup store claim failed; handling anyway", "err", err)
			first = true
		}
		if first {
			reply := srv.run(ctx, in)
			if err := srv.dedup.Finish(context.WithoutCancel(ctx), key, reply, srv.window); err != nil {
				srv.logger.WarnContext(ctx, "message: dedup store finish failed", "err", err)
			}
			return reply
		}
		wctx, cancel := context.WithDeadline(ctx, in.arrived.Add(srv.deadline))
		reply, err := srv.dedup.Wait(wctx, key)
		cancel()
		if !errors.Is(err, ErrDedupGone) {
			return reply // nil on a timeout or store error: "success"
		}
		srv.logger.WarnContext(ctx, "message: the first delivery's claim ran out unanswered; handling the retry")
	}
	return nil
}
