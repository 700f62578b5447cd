// Package account lets package officialaccount hand what it keeps out of its
// public API to wxkit's own packages: the decoded EncodingAESKey the webhook
// decrypts with, and the AppSecret (for the few calls other than the token fetch
// that need it). Users cannot import it, so these stay inside the module.
package account

// Private is the part of an OfficialAccount that has no public accessor. Callers
// must not modify AESKey.
type Private struct {
	AESKey    []byte // the 32-byte key decoded from EncodingAESKey; nil when not configured
	AppSecret string // "" when not configured (an account on a credential.Remote, or webhook-only)
}

// Of returns the private part of oa, an *officialaccount.OfficialAccount. Package
// officialaccount sets it when it is initialized, which happens before any
// package that imports officialaccount can call it.
var Of func(oa any) Private
