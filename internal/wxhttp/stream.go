package wxhttp

import (
	"fmt"
	"net/http"
)

// Open sends req and returns the reply for the caller to read and close: Do's
// first half, and the whole of it for downloads, which stream the body. A transport error keeps its chain with the
// URL redacted; a non-2xx status is a *StatusError (the body is closed then).
// Checking errcode is the caller's part (ReadJSON), since only it knows whether
// the body is JSON or a file.
func Open(client *http.Client, req *http.Request, api string) (*http.Response, error) {
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("wechat: %s: %w", api, RedactErr(err))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		resp.Body.Close()
		return nil, &StatusError{API: api, Status: resp.StatusCode}
	}
	return resp, nil
}
