package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/credential/redisstore"
	"github.com/wxkit/wechat/internal/redistest"
	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/wechattest"
)

const pathToken = "/cgi-bin/token"

// cluster is n Managers of one account, each with its own Redis client, as n
// servers behind a load balancer would be, logging into one buffer.
type cluster struct {
	fake     *wechattest.Server
	redis    *redistest.Server
	managers []*credential.Manager
	logs     *syncBuffer
}

func newCluster(t *testing.T, n int, opts ...credential.Option) *cluster {
	t.Helper()
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	c := &cluster{fake: fake, redis: redistest.Start(t), logs: &syncBuffer{}}
	logger := slog.New(slog.NewTextHandler(c.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	for range n {
		st := redisstore.New(c.redis.Client(t))
		all := append(fake.CredentialOptions(), credential.WithStore(st), credential.WithLogger(logger))
		m := credential.New(fake.AppID(), fake.AppSecret(), append(all, opts...)...)
		testutil.Shutdown(t, m)
		c.managers = append(c.managers, m)
	}
	return c
}

// assertLogsClean fails t if the logs hold the AppSecret or any of tokens.
func (c *cluster) assertLogsClean(t *testing.T, tokens map[string]bool) {
	t.Helper()
	logs := c.logs.String()
	if strings.Contains(logs, c.fake.AppSecret()) {
		t.Error("the AppSecret appears in the logs")
	}
	for tok := range tokens {
		if strings.Contains(logs, tok) {
			t.Errorf("a token appears in the logs")
		}
	}
}

func TestClusterColdStartFetchesOnce(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 4)
	c.fake.SetLatency(pathToken, 20*time.Millisecond) // keep the fetch open while all arrive

	const perManager = 250
	var (
		wg     sync.WaitGroup
		start  = make(chan struct{})
		tokens = make([]string, len(c.managers)*perManager)
		errs   = make([]error, len(tokens))
	)
	for i := range tokens {
		m := c.managers[i%len(c.managers)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			tokens[i], errs[i] = m.Token(t.Context())
		}()
	}
	close(start)
	wg.Wait()
	for i := range tokens {
		if errs[i] != nil {
			t.Fatalf("caller %d: Token() error = %v", i, errs[i])
		}
		if tokens[i] != tokens[0] {
			t.Fatalf("caller %d (manager %d) got a different token from caller 0", i, i%len(c.managers))
		}
	}
	if got := c.fake.Calls(pathToken); got != 1 {
		t.Errorf("upstream fetches across %d managers = %d, want 1", len(c.managers), got)
	}
	if !c.fake.ValidToken(tokens[0]) {
		t.Error("the shared token is not valid on the platform")
	}
	c.assertLogsClean(t, map[string]bool{tokens[0]: true})
}

// TestClusterExpiryUnderLoad moves the clock into the refresh margin and past
// expiry, several times, while goroutines on 4 servers call an API.
func TestClusterExpiryUnderLoad(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 4)
	var oas []*officialaccount.OfficialAccount
	for _, m := range c.managers {
		oa, err := officialaccount.New(officialaccount.Config{
			AppID: c.fake.AppID(), BaseURL: c.fake.URL(), HTTPClient: c.fake.Client(), Credential: m,
		})
		if err != nil {
			t.Fatal(err)
		}
		oas = append(oas, oa)
	}

	var (
		stop     = make(chan struct{})
		wg       sync.WaitGroup
		calls    atomic.Int64
		failures atomic.Int64
		firstErr atomic.Value
		// step counts the clock's moves; finished[i] is the step at which caller
		// i's last finished call began.
		step     atomic.Int64
		finished [4 * 25]atomic.Int64
	)
	for i := range finished {
		oa := oas[i%len(oas)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				began := step.Load()
				if err := oa.GetJSON(context.Background(), wechattest.PathAPIDomainIP, nil, nil); err != nil {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%v (the call began at step %d and ended at step %d)", err, began, step.Load()))
				}
				finished[i].Store(began)
				calls.Add(1)
			}
		}()
	}
	waitCalls := func(n int64) { // let the callers make n more calls
		t.Helper()
		target := calls.Load() + n
		waitFor(t, func() bool { return calls.Load() >= target }, "%d more API calls", n)
	}
	waitCalls(200)
	life := 7200 * time.Second
	steps := []struct {
		name    string
		advance time.Duration
	}{
		{"into the margin", life - 200*time.Second},
		{"past the old token's expiry", 300 * time.Second},
		{"into the next margin", life - 400*time.Second},
		{"far past expiry: callers wait for one fetch", 3 * life},
		{"into the margin again", life - 100*time.Second},
		{"past expiry again", 2 * life},
	}
	for _, s := range steps {
		n := step.Add(1)
		c.fake.Advance(s.advance)
		// A call survives one move of the clock (one refresh and resend), as
		// on WeChat where a call takes a second and a token two hours. On a busy
		// machine a caller can stall for many of the others' calls: before the
		// clock moves again, every caller has finished a call begun after this
		// move, so that no call spans two.
		waitFor(t, func() bool {
			for i := range finished {
				if finished[i].Load() < n {
					return false
				}
			}
			return true
		}, "every caller to finish a call begun after %q", s.name)
		waitCalls(400)
		// Every manager ends up serving a token that is valid on the platform.
		waitFor(t, func() bool {
			for _, m := range c.managers {
				if !m.Stats().ExpiresAt.After(c.fake.Now().Add(5 * time.Minute)) {
					return false
				}
			}
			return true
		}, "all managers to hold a fresh token after %q", s.name)
	}
	close(stop)
	wg.Wait()

	if n := failures.Load(); n != 0 {
		t.Errorf("%d of %d API calls failed; first: %v", n, calls.Load(), firstErr.Load())
	}
	// One fetch at the start and one per renewal or expiry, across all 4 servers.
	if got, want := c.fake.Calls(pathToken), 1+len(steps)-1; got != want {
		t.Errorf("upstream fetches = %d, want %d (one per renewal across the cluster)", got, want)
	}
	t.Logf("%d API calls, %d upstream fetches", calls.Load(), c.fake.Calls(pathToken))
}

// TestClusterLockHolderDies: the server holding the fetch lock hangs in its fetch
// and loses Redis, so it never releases the lock. Another server fetches once the
// lock's TTL has run out.
func TestClusterLockHolderDies(t *testing.T) {
	t.Parallel()
	fake := wechattest.NewServer()
	t.Cleanup(fake.Close)
	srv := redistest.Start(t)
	// The holder's lock lives on Redis's own clock, so the test waits for it in
	// real time. A fetch under the lock gets 3/4 of the TTL: the TTL is long enough
	// for the other server's fetch on a busy machine (300ms was not, with -race).
	const lockTTL = 2 * time.Second

	// The holder's fetch never reaches WeChat: its transport hangs until the test ends.
	started, dead := make(chan struct{}), make(chan struct{})
	defer close(dead)
	var once sync.Once
	hang := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		once.Do(func() { close(started) })
		select {
		case <-dead:
		case <-r.Context().Done():
		}
		return nil, errors.New("holder died")
	})}
	holderRedis := srv.Client(t)
	holder := credential.New(fake.AppID(), fake.AppSecret(),
		credential.WithBaseURL(fake.URL()), credential.WithHTTPClient(hang), credential.WithClock(fake.Now),
		credential.WithRetry(1, time.Millisecond),
		credential.WithStore(redisstore.New(holderRedis)), credential.WithLockTTL(lockTTL))
	testutil.Shutdown(t, holder)
	beforeLock := time.Now() // the lock is taken after this, so it runs out after beforeLock+lockTTL
	go func() { _, _ = holder.Token(context.Background()) }()
	<-started
	_ = holderRedis.Close() // the holder loses Redis: its unlock cannot arrive

	other := credential.New(fake.AppID(), fake.AppSecret(), append(fake.CredentialOptions(),
		credential.WithStore(redisstore.New(srv.Client(t))), credential.WithLockTTL(lockTTL))...)
	testutil.Shutdown(t, other)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	tok, err := other.Token(ctx)
	if err != nil {
		t.Fatalf("Token() on the other server: %v", err)
	}
	if waited := time.Since(beforeLock); waited < lockTTL-5*time.Millisecond { // Redis keeps TTLs in milliseconds
		t.Errorf("the other server fetched after %v, before the holder's lock (ttl %v) ran out", waited, lockTTL)
	}
	if got := fake.Calls(pathToken); got != 1 {
		t.Errorf("upstream fetches = %d, want 1 (the holder's never arrived)", got)
	}
	if !fake.ValidToken(tok) {
		t.Error("the other server's token is not valid on the platform")
	}
}

// TestClusterRedisOutage stops Redis under load while the token is due for
// renewal: callers keep getting the known token; when Redis is back, one server
// renews, the store holds the new token, and the others pick it up.
func TestClusterRedisOutage(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 4)
	first, err := c.managers[0].Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range c.managers { // every server has a local copy (from Redis)
		if tok, err := m.Token(t.Context()); err != nil || tok != first {
			t.Fatalf("manager %d: Token() = %v, want the shared token", i, err)
		}
	}

	var (
		stop     = make(chan struct{})
		wg       sync.WaitGroup
		calls    atomic.Int64
		mu       sync.Mutex
		seen     = map[string]bool{}
		failures []error
	)
	for i := range 4 * 25 {
		m := c.managers[i%len(c.managers)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				tok, err := m.Token(context.Background())
				calls.Add(1)
				mu.Lock()
				seen[tok] = true
				if err != nil {
					failures = append(failures, err)
				}
				mu.Unlock()
			}
		}()
	}
	c.redis.Stop()
	c.fake.Advance(7200*time.Second - 200*time.Second) // due for renewal, still valid
	waitFor(t, func() bool {
		for _, m := range c.managers {
			if m.Stats().StoreErrors < 3 {
				return false
			}
		}
		return true
	}, "every manager to hit the outage")
	mu.Lock()
	if len(seen) != 1 || !seen[first] {
		t.Errorf("during the outage callers got %d distinct tokens, want only the known one", len(seen))
	}
	mu.Unlock()
	if got := c.fake.Calls(pathToken); got != 1 {
		t.Errorf("upstream fetches during the outage = %d, want 1 (the first): no fetch while a valid token is known", got)
	}

	c.redis.Restart()
	check := c.redis.Client(t)
	name := "access_token:classic:" + c.fake.AppID()
	key := redisstore.DefaultPrefix + name
	var renewed credential.Token
	waitFor(t, func() bool {
		renewed, err = redisstore.New(check).Get(context.Background(), name)
		return err == nil && renewed.Value != first
	}, "the renewed token in Redis after the restart")
	waitFor(t, func() bool {
		for _, m := range c.managers {
			if got, _ := m.Token(context.Background()); got != renewed.Value {
				return false
			}
		}
		return true
	}, "every manager to serve the renewed token")
	close(stop)
	wg.Wait()

	if len(failures) != 0 {
		t.Errorf("%d of %d Token calls failed; first: %v", len(failures), calls.Load(), failures[0])
	}
	if got := c.fake.Calls(pathToken); got != 2 {
		t.Errorf("upstream fetches = %d, want 2 (the first, and one renewal after Redis came back)", got)
	}
	if ttl, err := check.PTTL(context.Background(), key).Result(); err != nil || ttl <= 0 {
		t.Errorf("PTTL(%s) = %v, %v; want the renewed token stored with a TTL", key, ttl, err)
	}
	seen[renewed.Value] = true
	c.assertLogsClean(t, seen)
	if !strings.Contains(c.logs.String(), "store") {
		t.Error("the outage was not logged")
	}
}

// BenchmarkTokenRedisStore is the hot path with the Redis store: a warm local
// copy, so no Redis round trip per call (the benchmark fails if there is one).
func BenchmarkTokenRedisStore(b *testing.B) {
	fake := wechattest.NewServer()
	defer fake.Close()
	srv := redistest.Start(b)
	rdb := srv.Client(b)
	var cmds atomic.Int64
	rdb.AddHook(countHook{&cmds})
	m := credential.New(fake.AppID(), fake.AppSecret(),
		credential.WithBaseURL(fake.URL()), credential.WithHTTPClient(fake.Client()),
		credential.WithStore(redisstore.New(rdb)))
	defer m.Shutdown(context.Background())
	ctx := b.Context()
	if _, err := m.Token(ctx); err != nil {
		b.Fatal(err)
	}
	before := cmds.Load()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := m.Token(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	if n := cmds.Load() - before; n != 0 {
		b.Errorf("%d Redis commands on the hot path, want 0", n)
	}
}

// countHook counts the commands a client sends.
type countHook struct{ n *atomic.Int64 }

func (h countHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h countHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}

func (h countHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.n.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}

type roundTripFunc = testutil.RoundTripFunc

type syncBuffer = testutil.SyncBuffer

var waitFor = testutil.WaitFor
