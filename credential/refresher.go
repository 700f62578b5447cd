package credential

import (
	"context"
	"errors"
	"fmt"

	"github.com/robfig/cron/v3"
)

// Start runs the background refresher: on the schedule set by WithSchedule
// (default every minute) it renews the token once it is inside the refresh margin,
// and fetches one if there is none, so that callers never wait. It checks once
// right away. Start returns an error for a bad schedule or a second Start.
func (m *Manager) Start() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stopped {
		return errors.New("credential: Start after Stop")
	}
	if m.cron != nil {
		return errors.New("credential: already started")
	}
	c := cron.New()
	if _, err := c.AddFunc(m.s.schedule, m.tick); err != nil {
		return fmt.Errorf("credential: schedule %q: %w", m.s.schedule, err)
	}
	m.cron = c
	c.Start()
	m.bg.Add(1)
	go func() {
		defer m.bg.Done()
		m.tick()
	}()
	return nil
}

// Stop ends the refresher and waits for any renewal under way. Token and Refresh
// keep working afterwards, fetching on demand. Stop is safe to call more than once.
func (m *Manager) Stop() {
	m.mu.Lock()
	c := m.cron
	m.cron, m.stopped = nil, true
	m.mu.Unlock()
	if c != nil {
		<-c.Stop().Done()
	}
	m.bg.Wait()
}

// tick renews the token if it is missing or due.
func (m *Manager) tick() {
	stale, why := "", cold
	if e := m.cur.Load(); e != nil {
		now := m.s.now()
		if now.Before(e.refreshAt) {
			return
		}
		if now.Before(e.tok.ExpiresAt) {
			stale, why = e.tok.Value, renew
		}
	}
	if m.backingOff() != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), m.s.fetchBudget+m.s.lockTTL)
	defer cancel()
	if _, err := m.obtain(ctx, stale, why); err != nil {
		m.s.logger.Warn("credential: scheduled renewal failed", "credential", m.key, "err", err)
	}
}

// renewInBackground starts one renewal of stale unless one is under way, the
// Manager is stopped, or a failed fetch's backoff lasts.
func (m *Manager) renewInBackground(stale string) {
	if !m.renewal.CompareAndSwap(false, true) {
		return
	}
	m.mu.Lock()
	if m.stopped || (m.failures > 0 && m.s.now().Before(m.retryAt)) {
		m.mu.Unlock()
		m.renewal.Store(false)
		return
	}
	m.bg.Add(1)
	m.mu.Unlock()
	go func() {
		defer m.bg.Done()
		defer m.renewal.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), m.s.fetchBudget+m.s.lockTTL)
		defer cancel()
		if _, err := m.obtain(ctx, stale, renew); err != nil {
			m.s.logger.Warn("credential: background renewal failed; serving the current token", "credential", m.key, "err", err)
		}
	}()
}
