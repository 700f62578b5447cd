package redisbase

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestPoll(t *testing.T) {
	t.Parallel()
	b := &Base{PollFirst: time.Millisecond, PollMax: 2 * time.Millisecond}
	tries := 0
	if err := b.Poll(t.Context(), func(context.Context) (bool, error) { tries++; return tries == 3, nil }); err != nil || tries != 3 {
		t.Errorf("Poll until the third try = %v after %d tries", err, tries)
	}
	boom := errors.New("boom")
	if err := b.Poll(t.Context(), func(context.Context) (bool, error) { return false, boom }); err != boom {
		t.Errorf("Poll with a failing try = %v, want its error as it is", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	err := b.Poll(ctx, func(context.Context) (bool, error) { return false, nil })
	if err == nil || err != ctx.Err() {
		t.Errorf("Poll past ctx = %v, want ctx.Err() itself", err)
	}
}

func TestLogger(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	Logger{L: slog.New(slog.NewTextHandler(&buf, nil))}.Printf(t.Context(), "dial tcp %s: refused", "127.0.0.1:1")
	if got := buf.String(); !strings.Contains(got, "level=WARN") || !strings.Contains(got, "redis: dial tcp 127.0.0.1:1: refused") {
		t.Errorf("logged %q", got)
	}
}
