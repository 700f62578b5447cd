package redisstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wxkit/wechat/credential"
	"github.com/wxkit/wechat/credential/redisstore"
	"github.com/wxkit/wechat/internal/redistest"
)

func TestStoreGetSet(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	ctx := t.Context()
	now := time.Now()
	hour := time.Hour

	tests := []struct {
		name    string
		tok     credential.Token
		wantErr bool
		minTTL  time.Duration // Redis keeps the key at least this long
		maxTTL  time.Duration
	}{
		{"fresh token lives until ExpiresAt",
			credential.Token{Value: "t1", FetchedAt: now, ExpiresAt: now.Add(2 * hour)}, false, 2*hour - time.Minute, 2*hour + time.Second},
		{"clock ahead of real time: until ExpiresAt by real time",
			credential.Token{Value: "t2", FetchedAt: now.Add(3 * hour), ExpiresAt: now.Add(5 * hour)}, false, 5*hour - time.Minute, 5*hour + time.Second},
		{"clock behind real time: the token's whole lifetime",
			credential.Token{Value: "t3", FetchedAt: now.Add(-3 * hour), ExpiresAt: now.Add(-hour)}, false, 2*hour - time.Minute, 2*hour + time.Second},
		{"no lifetime left and no FetchedAt", credential.Token{Value: "t4", ExpiresAt: now.Add(-time.Second)}, true, 0, 0},
		{"empty value", credential.Token{FetchedAt: now, ExpiresAt: now.Add(hour)}, true, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := redisstore.New(rdb, redisstore.WithPrefix("test:"+t.Name()+":"))
			err := st.Set(ctx, "access_token:classic:wx1", tt.tok)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Set(%+v) error = %v, want error %v", tt.tok, err, tt.wantErr)
			}
			if tt.wantErr {
				if _, err := st.Get(ctx, "access_token:classic:wx1"); !errors.Is(err, credential.ErrNotFound) {
					t.Errorf("Get after refused Set: err = %v, want ErrNotFound", err)
				}
				return
			}
			ttl, err := rdb.PTTL(ctx, "test:"+t.Name()+":access_token:classic:wx1").Result()
			if err != nil || ttl < tt.minTTL || ttl > tt.maxTTL {
				t.Errorf("PTTL = %v (err %v), want between %v and %v", ttl, err, tt.minTTL, tt.maxTTL)
			}
			got, err := st.Get(ctx, "access_token:classic:wx1")
			if err != nil || got.Value != tt.tok.Value || !got.ExpiresAt.Equal(tt.tok.ExpiresAt) || !got.FetchedAt.Equal(tt.tok.FetchedAt) {
				t.Errorf("Get = %+v, %v; want %+v", got, err, tt.tok)
			}
		})
	}
}

func TestStoreGetMissingAndCorrupt(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	st := redisstore.New(rdb) // default prefix
	ctx := t.Context()

	if _, err := st.Get(ctx, "nothing"); !errors.Is(err, credential.ErrNotFound) {
		t.Errorf("Get(missing) err = %v, want ErrNotFound", err)
	}
	rdb.Set(ctx, redisstore.DefaultPrefix+"bad", "not json SECRETISH", 0)
	_, err := st.Get(ctx, "bad")
	if !errors.Is(err, credential.ErrNotFound) {
		t.Errorf("Get(corrupt) err = %v, want ErrNotFound (the Manager then fetches and overwrites)", err)
	}
	if err != nil && strings.Contains(err.Error(), "SECRETISH") {
		t.Errorf("Get(corrupt) error quotes the stored value: %v", err)
	}
}

func TestStoreLock(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	ctx := t.Context()

	t.Run("a second locker waits for unlock", func(t *testing.T) {
		t.Parallel()
		a, b := redisstore.New(srv.Client(t)), redisstore.New(srv.Client(t))
		unlock, err := a.Lock(ctx, "k1", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		got := make(chan error, 1)
		go func() {
			u, err := b.Lock(ctx, "k1", time.Minute)
			if err == nil {
				u()
			}
			got <- err
		}()
		select {
		case err := <-got:
			t.Fatalf("second Lock returned (%v) while the first holds the lock", err)
		case <-time.After(50 * time.Millisecond):
		}
		unlock()
		select {
		case err := <-got:
			if err != nil {
				t.Fatalf("second Lock after unlock: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("second Lock still waiting 5s after unlock")
		}
	})

	t.Run("a holder that never unlocks blocks for its ttl only", func(t *testing.T) {
		t.Parallel()
		a, b := redisstore.New(srv.Client(t)), redisstore.New(srv.Client(t))
		start := time.Now() // a's lock is set after this, so it runs out after start+ttl
		const ttl = 200 * time.Millisecond
		if _, err := a.Lock(ctx, "k2", ttl); err != nil { // never released
			t.Fatal(err)
		}
		unlock, err := b.Lock(ctx, "k2", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		defer unlock()
		// At least the ttl (Redis keeps it in milliseconds); far less than b's own
		// minute, with room for a busy machine.
		if waited := time.Since(start); waited < ttl-5*time.Millisecond || waited > 20*time.Second {
			t.Errorf("Lock waited %v for a dead holder with a %v ttl", waited, ttl)
		}
	})

	t.Run("an expired holder's unlock does not free the next owner's lock", func(t *testing.T) {
		t.Parallel()
		a, b, c := redisstore.New(srv.Client(t)), redisstore.New(srv.Client(t)), redisstore.New(srv.Client(t))
		late, err := a.Lock(ctx, "k3", 50*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		unlockB, err := b.Lock(ctx, "k3", time.Minute) // after a's ttl ran out
		if err != nil {
			t.Fatal(err)
		}
		late() // a wakes up and unlocks: must not delete b's lock
		cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		if _, err := c.Lock(cctx, "k3", time.Minute); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("third Lock while b holds it: err = %v, want context.DeadlineExceeded", err)
		}
		unlockB()
		if u, err := c.Lock(ctx, "k3", time.Minute); err != nil {
			t.Fatalf("third Lock after b's unlock: %v", err)
		} else {
			u()
		}
	})

	t.Run("Redis down is an error, not a wait", func(t *testing.T) {
		t.Parallel()
		down := redistest.Start(t)
		st := redisstore.New(down.Client(t))
		down.Stop()
		start := time.Now()
		if _, err := st.Lock(ctx, "k4", time.Minute); err == nil {
			t.Fatal("Lock with Redis down succeeded")
		}
		if err := st.Set(ctx, "k4", credential.Token{Value: "v", FetchedAt: start, ExpiresAt: start.Add(time.Hour)}); err == nil {
			t.Error("Set with Redis down succeeded")
		}
		if _, err := st.Get(ctx, "k4"); err == nil || errors.Is(err, credential.ErrNotFound) {
			t.Errorf("Get with Redis down: err = %v, want a Redis error (not ErrNotFound)", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("three calls with Redis down took %v", d)
		}
	})
}
