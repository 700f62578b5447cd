package credential

import "context"

type Manager struct{}

func New(appID, appSecret string, opts ...Option) *Manager                   { return &Manager{} }
func (m *Manager) Token(ctx context.Context) (string, error)                 { return "", nil }
func (m *Manager) Refresh(ctx context.Context, stale string) (string, error) { return "", nil }
