package credential

import (
	"sync/atomic"
	"time"
)

type counters struct {
	fetches, failures, passive, refused, storeErrors, waits atomic.Uint64
}

// Stats are a Manager's counters, for logs and metrics.
type Stats struct {
	Fetches          uint64    // upstream fetch attempts, retries included
	Failures         uint64    // fetches that failed after their retries
	PassiveRefreshes uint64    // calls to Refresh
	RefusedRefreshes uint64    // passive fetches refused by the rate limit
	StoreErrors      uint64    // store reads, writes or locks that failed
	Waits            uint64    // Token calls that waited for a fetch because no valid token was known
	LastError        string    // the last fetch failure, "" if none (never holds a secret)
	LastErrorAt      time.Time // when it happened
	ExpiresAt        time.Time // expiry of the token served now; zero when none
}

// Stats returns a snapshot of the counters.
func (m *Manager) Stats() Stats {
	s := Stats{
		Fetches:          m.st.fetches.Load(),
		Failures:         m.st.failures.Load(),
		PassiveRefreshes: m.st.passive.Load(),
		RefusedRefreshes: m.st.refused.Load(),
		StoreErrors:      m.st.storeErrors.Load(),
		Waits:            m.st.waits.Load(),
	}
	m.mu.Lock()
	if m.lastErr != nil {
		s.LastError, s.LastErrorAt = m.lastErr.Error(), m.lastErrAt
	}
	m.mu.Unlock()
	if e := m.cur.Load(); e != nil {
		s.ExpiresAt = e.tok.ExpiresAt
	}
	return s
}
