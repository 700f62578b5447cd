package credential

// AppID returns the AppID whose credential m renews: the account's for New, the
// ticket's account for NewTicket, and "" for a Fetcher of NewWithFetcher that
// does not say. jssdk.New reads it, since wx.config needs the AppID beside the
// ticket's signature.
func (m *Manager) AppID() string {
	switch f := m.fetcher.(type) {
	case *tokenFetcher:
		return f.appID
	case *ticketFetcher:
		return f.appID
	}
	return ""
}
