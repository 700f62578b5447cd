package credential

import (
	"errors"
	"fmt"
	"time"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/internal/backoff"
)

// After a failed fetch no new one is made for a while, doubling per consecutive
// failure: a broken secret or IP allow-list must not burn the 2000-a-day quota
// through a loop of callers. Problems only a person can fix wait longer.
const (
	retryFirst       = time.Second
	retryCap         = time.Minute
	operatorFirst    = 30 * time.Second
	operatorRetryCap = 10 * time.Minute
)

// failed records a failed fetch and when the next one may be made.
func (m *Manager) failed(err error) {
	first, limit := retryFirst, retryCap
	if wechat.IsOperatorAction(err) || errors.Is(err, ErrBadCredentials) || wechat.Code(err) == wechat.CodeDailyQuotaLimit {
		first, limit = operatorFirst, operatorRetryCap
	}
	next := m.recordFailure(err, func(failures int) time.Duration {
		return backoff.Doubled(first, limit, failures)
	})
	m.st.failures.Add(1)
	m.logger.Error("credential: fetch failed", "credential", m.key, "err", err, "next_attempt", next)
}

// BackoffError is returned while a Manager or Remote waits after a failure instead
// of trying again. Err is the failure that started the wait (a *wechat.Error for
// WeChat's answers: errors.As reaches it).
type BackoffError struct {
	Err   error
	Until time.Time
}

func (e *BackoffError) Error() string {
	return fmt.Sprintf("credential: not fetching again before %s after: %v", e.Until.Format(time.RFC3339), e.Err)
}

func (e *BackoffError) Unwrap() error { return e.Err }

// storeFailed counts and logs a failed store operation; what happens next is
// the caller's to log.
func (m *Manager) storeFailed(op string, err error) {
	m.st.storeErrors.Add(1)
	m.logger.Warn("credential: store "+op+" failed", "credential", m.key, "err", err)
}
