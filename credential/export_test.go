package credential

// SetBeforeLoad makes f run first in every load m starts, on the load's
// goroutine: tests hold a load there to look at what is counted.
func SetBeforeLoad(m *Manager, f func()) { m.core.beforeLoad = f }
