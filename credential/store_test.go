package credential_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/internal/testutil"
)

// countingStore counts the calls made of a Store and records, for the lock,
// when it was taken and what the calls under it were allowed.
type countingStore struct {
	credential.Store
	gets, locks, sets atomic.Int32

	mu       sync.Mutex
	lockedAt time.Time // when the last Lock returned
	ttl      time.Duration
	setBy    time.Time // the deadline of the last Set's context
}

func (s *countingStore) Get(ctx context.Context, key string) (credential.Token, error) {
	s.gets.Add(1)
	return s.Store.Get(ctx, key)
}

func (s *countingStore) Set(ctx context.Context, key string, t credential.Token) error {
	s.sets.Add(1)
	d, _ := ctx.Deadline()
	s.mu.Lock()
	s.setBy = d
	s.mu.Unlock()
	return s.Store.Set(ctx, key, t)
}

func (s *countingStore) Lock(ctx context.Context, key string, ttl time.Duration) (func(), error) {
	s.locks.Add(1)
	unlock, err := s.Store.Lock(ctx, key, ttl)
	s.mu.Lock()
	s.lockedAt, s.ttl = time.Now(), ttl
	s.mu.Unlock()
	return unlock, err
}

// TestColdStampedeFetchesOnce: 1000 callers with no token: one flight in the
// process (one Store.Lock), one fetch, and every caller waited for it.
func TestColdStampedeFetchesOnce(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	store := &countingStore{Store: credential.NewMemoryStore()}
	m := newManager(t, fake, credential.WithStore(store))
	resume := fake.Pause(pathToken) // the flight stays open until every caller has joined it
	t.Cleanup(resume)
	const n = 1000
	var wg sync.WaitGroup
	tokens, errs := make([]string, n), make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tokens[i], errs[i] = m.Token(t.Context())
		}()
	}
	waitFor(t, func() bool { return m.Stats().Waits == n }, "all %d callers to wait", n)
	resume()
	wg.Wait()
	for i := range n {
		if errs[i] != nil || tokens[i] != tokens[0] {
			t.Fatalf("caller %d: %v (same token %v)", i, errs[i], tokens[i] == tokens[0])
		}
	}
	if got := store.locks.Load(); got != 1 {
		t.Errorf("Store.Lock calls = %d, want 1: one flight for the process", got)
	}
	if got := fake.Calls(pathToken); got != 1 {
		t.Errorf("upstream fetches = %d, want 1", got)
	}
}

// TestSharedStoreFetchesOnce: two Managers (two servers) on one store, both
// cold. The first holds the lock while it fetches; the second waits for the
// lock, then finds the token in the store (the second look) instead of fetching.
// Without the lock, or without the second look, the second fetches too.
func TestSharedStoreFetchesOnce(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	store := &countingStore{Store: credential.NewMemoryStore()}
	a := newManager(t, fake, credential.WithStore(store))
	b := newManager(t, fake, credential.WithStore(store))
	resume := fake.Pause(pathToken)
	t.Cleanup(resume)
	results := make(chan string, 2)
	get := func(m *credential.Manager) {
		tok, err := m.Token(t.Context())
		if err != nil {
			t.Error(err)
		}
		results <- tok
	}
	go get(a)
	waitFor(t, func() bool { return fake.Calls(pathToken) == 1 }, "the first server to fetch, holding the lock")
	go get(b)
	// b waits at the lock or, were there none, fetches too.
	waitFor(t, func() bool { return store.locks.Load() == 2 || fake.Calls(pathToken) == 2 }, "the second server")
	resume()
	ta, tb := <-results, <-results
	if ta != tb {
		t.Error("the two servers hold different tokens")
	}
	if got := fake.Calls(pathToken); got != 1 {
		t.Errorf("upstream fetches = %d, want 1 across both servers", got)
	}
}

// downStore is a store that is down: every call fails, and Set also hangs
// until released.
type downStore struct {
	gets, locks, sets atomic.Int32
	setting, release  chan struct{}
	once              sync.Once
}

var errDown = errors.New("store: connection refused")

func (s *downStore) Get(context.Context, string) (credential.Token, error) {
	s.gets.Add(1)
	return credential.Token{}, errDown
}

func (s *downStore) Lock(context.Context, string, time.Duration) (func(), error) {
	s.locks.Add(1)
	return nil, errDown
}

func (s *downStore) Set(ctx context.Context, _ string, _ credential.Token) error {
	s.sets.Add(1)
	s.once.Do(func() { close(s.setting) })
	select {
	case <-s.release:
	case <-ctx.Done():
	}
	return errDown
}

// TestStoreDownColdStart: with the store down and no token, the Manager fetches
// without the lock, and without a second look at the store or waiting for the
// store to take the token: callers get it at once.
func TestStoreDownColdStart(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	store := &downStore{setting: make(chan struct{}), release: make(chan struct{})}
	m := newManager(t, fake, credential.WithStore(store))
	ctx, cancel := context.WithTimeout(t.Context(), testutil.WaitTimeout)
	defer cancel()
	tok, err := m.Token(ctx) // Set hangs until the test releases it
	if err != nil || !fake.ValidToken(tok) {
		t.Fatalf("Token() with the store down = %v; want a token without waiting for the store", err)
	}
	if n := store.gets.Load(); n != 1 {
		t.Errorf("store reads = %d, want 1: no second look once the lock failed", n)
	}
	<-store.setting // the write is still attempted, in the background
	close(store.release)
	if got, err := m.Token(t.Context()); err != nil || got != tok {
		t.Errorf("next Token() = same %v, %v", got == tok, err)
	}
}

// TestFetchEndsInsideTheLock: a fetch under the store's lock, retries and
// backoffs included, ends before the lock can run out, and the token is stored
// before it does; a lock too short for the fetch budget is logged.
func TestFetchEndsInsideTheLock(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	// Short enough to be logged as shorter than the fetch budget; long enough
	// that its three-quarters hold three attempts under -race on a busy machine.
	const ttl = 2 * time.Second
	var (
		mu        sync.Mutex
		deadlines []time.Time
	)
	inner := fake.Client().Transport
	client := &http.Client{Transport: testutil.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
		d, ok := r.Context().Deadline()
		if !ok {
			d = time.Now().Add(time.Hour)
		}
		mu.Lock()
		deadlines = append(deadlines, d)
		mu.Unlock()
		return inner.RoundTrip(r)
	})}
	fake.FailNextHTTP(pathToken, 2, http.StatusBadGateway) // three attempts
	store := &countingStore{Store: credential.NewMemoryStore()}
	logger, logs := testutil.Logger()
	m := newManager(t, fake, credential.WithStore(store), credential.WithHTTPClient(client),
		credential.WithLockTTL(ttl), credential.WithLogger(logger))
	if _, err := m.Token(t.Context()); err != nil {
		t.Fatal(err)
	}
	store.mu.Lock()
	defer store.mu.Unlock()
	expires := store.lockedAt.Add(store.ttl)
	mu.Lock()
	defer mu.Unlock()
	if len(deadlines) != 3 {
		t.Fatalf("attempts = %d, want 3", len(deadlines))
	}
	for i, d := range deadlines {
		if d.After(expires) {
			t.Errorf("attempt %d may run until %v after the lock expires", i+1, d.Sub(expires))
		}
	}
	if store.setBy.IsZero() || store.setBy.After(expires) {
		t.Errorf("the store write may run past the lock (deadline %v)", store.setBy)
	}
	if !strings.Contains(logs.String(), "WithLockTTL leaves less time") {
		t.Errorf("a lock TTL shorter than the fetch budget was not logged: %s", logs)
	}
}

// TestSnapshotFileMode: the snapshot holds live tokens: only its owner may read it.
func TestSnapshotFileMode(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "tokens.json")
	s := credential.NewMemoryStore(credential.WithSnapshot(path))
	if err := s.Set(t.Context(), "k", credential.Token{Value: "v", ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("snapshot mode = %v, want 0600", mode)
	}
}
