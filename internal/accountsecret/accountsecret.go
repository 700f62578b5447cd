// Package accountsecret lets the packages of this module that must send the
// AppSecret themselves (openapi's clear_quota/v2, which works without an
// access_token) read it from the shared context, which has no public accessor
// so that the secret stays in one place.
package accountsecret

// Of returns the AppSecret of an *officialaccount.OfficialAccount, "" when it
// was built without one (a Config with only a Credential). Package
// officialaccount sets it when it is initialised; it takes any because this
// package sits below officialaccount.
var Of = func(oa any) string { return "" }
