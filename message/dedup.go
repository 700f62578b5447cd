package message

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// DedupStore is the retry window: it makes sure a message WeChat delivers more
// than once runs its handler once, and that every delivery gets the same
// answer. The default is a [MemoryDedupStore]; a store shared by several servers
// (Redis) lets a retry land on any of them. Implementations must be safe for
// concurrent use.
//
// A key is claimed once, then finished once with the reply; replies are the
// plaintext reply XML, empty for "success". A store may keep a reply for less
// than the key's TTL, as long as WeChat's retries need it (about 15 s), and
// answer a later Wait with an empty reply ("success"): the message is still
// not handled twice. [MemoryDedupStore] keeps replies 20 s.
type DedupStore interface {
	// Claim marks key as being handled, for ttl, unless it already is. It reports
	// whether this call claimed it: true means run the handler. The Server claims
	// for its deadline plus a grace, and finishes within it; a claim that runs out
	// unfinished means the claimant died, and a retry may claim the key again.
	Claim(ctx context.Context, key string, ttl time.Duration) (first bool, err error)
	// Finish stores the reply for a claimed key, keeping the key for ttl, and
	// wakes every Wait on key. It must not keep reply past its return (the
	// Server reuses the buffer): a store copies what it keeps.
	Finish(ctx context.Context, key string, reply []byte, ttl time.Duration) error
	// Wait returns the reply of key once it is finished. It returns ctx's error if
	// ctx ends first, and ErrDedupGone if key is not (or no longer) claimed.
	Wait(ctx context.Context, key string) ([]byte, error)
}

// ErrDedupGone is returned by [DedupStore.Wait] for a key that is not claimed,
// for example because its window expired.
var ErrDedupGone = errors.New("message: dedup key is not claimed")

// appendDedupKey appends to b the key that names m's delivery. Follower
// messages carry a MsgId; events do not, so they are named by sender, time,
// event and key, as the spec suggests, plus the job id of job events
// (MASSSENDJOBFINISH's MsgID, PUBLISHJOBFINISH's publish_id,
// subscribe_msg_sent_event's MsgIDs). The account's id comes first so that one
// shared store serves many accounts.
func appendDedupKey(b []byte, m *Message) []byte {
	b = append(b, m.ToUserName...)
	if m.MsgType != MsgTypeEvent && m.MsgID != 0 {
		b = append(b, "|m|"...)
		return strconv.AppendInt(b, m.MsgID, 10)
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
	return b
}

// claimGrace is how long a claim outlives the deadline. A live first delivery
// always finishes by its deadline (a handler still running then is answered
// "success" by the watchdog and goes on, on the request's goroutine), so a
// claim still pending past it
// belongs to a server that died before answering. WeChat retries exactly then,
// because it got no answer; the retry that finds the claim gone handles the
// message itself instead of losing it.
const claimGrace = 2 * time.Second

// claimShare is the part of the deadline a Claim may take on a store that can
// block (Redis): past it the message is handled without the claim.
const claimShare = 4

// dispatch answers a message once per retry window: the first delivery runs
// the handler; a retry waits for the first one's reply, up to its own deadline,
// and takes the message over if the first one's server died. claimed says that
// this delivery ran the handler: its reply must then be finished (see finish)
// once it is sent.
//
// The store is never allowed to cost the answer: Claim gets a quarter of the
// deadline, and a store that fails or does not answer in time lets the handler
// run: better twice than never.
func (srv *Server) dispatch(ctx context.Context, in *inbound, w http.ResponseWriter) (reply []byte, claimed bool) {
	var buf [160]byte
	key := appendDedupKey(buf[:0], in.msg)
	if srv.mem != nil {
		in.hash = srv.mem.hash(key) // the memory store keeps only the hash: no string needed
	} else {
		in.key = string(key)
	}
	for range 2 {
		first, err := srv.claim(ctx, in)
		if err != nil {
			srv.storeTrouble(ctx, "message: dedup store claim failed; handling anyway", err)
			first = true
		}
		if first {
			return srv.run(ctx, in, w), true
		}
		wctx, cancel := context.WithDeadline(ctx, in.arrived.Add(srv.deadline))
		reply, err := srv.wait(wctx, in)
		werr := wctx.Err()
		cancel()
		switch {
		case err == nil:
			return reply, false
		case errors.Is(err, ErrDedupGone):
			srv.storeTrouble(ctx, "message: the first delivery's claim ran out unanswered; handling the retry", nil)
		case werr != nil || ctx.Err() != nil:
			return nil, false // the first delivery is still running at our deadline: "success"
		default:
			srv.storeTrouble(ctx, "message: dedup store wait failed; handling the retry", err)
			return srv.run(ctx, in, w), true
		}
	}
	return nil, false
}

// storeTrouble logs a dedup store's failure at Warn, sampled: a store that is
// down (Redis unreachable) fails every push, and one line a second with the
// count held back says as much as one a push.
func (srv *Server) storeTrouble(ctx context.Context, msg string, err error) {
	ok, suppressed := srv.storeLog.Allow(srv.now())
	if !ok {
		return
	}
	attrs := []slog.Attr{slog.Int64("suppressed", suppressed)}
	if err != nil {
		attrs = append(attrs, slog.String("err", err.Error()))
	}
	srv.logger.LogAttrs(ctx, slog.LevelWarn, msg, attrs...)
}

// claim claims in's key, within a share of the deadline on a store that can block.
func (srv *Server) claim(ctx context.Context, in *inbound) (bool, error) {
	if srv.mem != nil {
		first, seq := srv.mem.claim(in.hash, srv.deadline+claimGrace, srv.memNow(&in.dedupRef, false))
		in.seq = seq
		return first, nil
	}
	cctx, cancel := context.WithDeadline(ctx, in.arrived.Add(srv.deadline/claimShare))
	defer cancel()
	return srv.dedup.Claim(cctx, in.key, srv.deadline+claimGrace)
}

// finish stores the reply of a claimed message for the retries and replays to
// come. It runs after the answer has been written. The memory store takes no
// context; a store that can block gets one of its own, bounded by the
// deadline, so that the request's end does not cut its write short.
func (srv *Server) finish(ctx context.Context, in *dedupRef, reply []byte) {
	if srv.mem != nil {
		srv.mem.finish(in.hash, in.seq, reply, srv.keepFor(in), srv.memNow(in, true))
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), srv.deadline)
	defer cancel()
	if err := srv.dedup.Finish(ctx, in.key, reply, srv.keepFor(in)); err != nil {
		srv.storeTrouble(ctx, "message: dedup store finish failed", err)
	}
}

// memNow is the memory store's time for a call about ref, in Unix
// nanoseconds. When the Server and the store both keep the real clock, it is
// the Server's reading at the push's arrival, or for a later call
// laterThan it; otherwise the store's own clock.
func (srv *Server) memNow(ref *dedupRef, later bool) int64 {
	if !srv.realClock || srv.mem.now != nil {
		return srv.mem.clock()
	}
	if later {
		return laterThan(ref.now).UnixNano()
	}
	return ref.now.UnixNano()
}

// wait waits for the reply of in's key.
func (srv *Server) wait(ctx context.Context, in *inbound) ([]byte, error) {
	if srv.mem != nil {
		return srv.mem.wait(ctx, in.hash)
	}
	return srv.dedup.Wait(ctx, in.key)
}

// keepFor is how long a finished message is remembered: the window, and with
// the timestamp check on, until the push's timestamp leaves the allowed skew, so
// that a replay of it is either answered from the store or refused.
func (srv *Server) keepFor(in *dedupRef) time.Duration {
	keep := srv.window
	if in.sent != 0 {
		if until := time.Unix(in.sent+1, 0).Add(srv.skew).Sub(in.now); until > keep {
			keep = until
		}
	}
	return keep
}
