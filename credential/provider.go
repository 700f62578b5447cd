package credential

import (
	"context"
	"time"
)

// Provider hands out the access_token. Every API call in wxkit goes through one.
// *Manager (fetches and stores the token itself) and *Remote (asks a central token
// server) implement it.
type Provider interface {
	// Token returns a token that is valid now. It does not wait while a valid
	// token is known, even when a refresh is under way.
	Token(ctx context.Context) (string, error)
	// Refresh reports that stale was rejected by WeChat (40001, 40014, 42001) and
	// returns a good token. When the current token already differs from stale,
	// someone else refreshed: that token is returned without a fetch.
	Refresh(ctx context.Context, stale string) (string, error)
}

// Token is a credential (an access_token or a ticket) and its lifetime.
type Token struct {
	Value     string    `json:"value"`
	FetchedAt time.Time `json:"fetched_at"` // when WeChat issued it to us
	ExpiresAt time.Time `json:"expires_at"` // FetchedAt + expires_in
}

// Valid reports whether t has a value and has not expired at now.
func (t Token) Valid(now time.Time) bool {
	return t.Value != "" && now.Before(t.ExpiresAt)
}

// refreshAt is when t should be renewed: margin before expiry, but never earlier
// than half its lifetime, so that a lifetime shorter than the margin does not cause
// a fetch on every call.
func (t Token) refreshAt(margin time.Duration) time.Time {
	if half := t.ExpiresAt.Sub(t.FetchedAt) / 2; margin > half {
		margin = half
	}
	return t.ExpiresAt.Add(-margin)
}
