package officialaccount

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/wxkit/wechat/internal/wxhttp"
)

// Download is what a download call received: either a file, written to the
// caller's writer, or a JSON reply (JSON set, nothing written).
type Download struct {
	// Filename is the name in the reply's Content-Disposition, "" when there is
	// none.
	Filename string
	// ContentType is the reply's Content-Type as WeChat sent it.
	ContentType string
	// Size is how many bytes were written.
	Size int64
	// JSON is the reply when WeChat answered with a JSON object that is not an
	// error instead of a file: a video's {"video_url": …}, news material.
	JSON []byte
}

// Download calls path with query and the access_token and streams the file
// WeChat answers into w, never holding it in memory. A nil body is a GET;
// otherwise body is POSTed as JSON, as PostJSON does (get_material takes
// {"media_id": …}).
//
// WeChat answers some downloads with JSON instead of a file. A JSON error body
// is not written to w: it is returned as a *wechat.Error, and 40001, 40014 and
// 42001 get GetJSON's one refresh and resend. Any other JSON object is returned
// in Download.JSON. JSON is recognised by a Content-Type naming json, or, since
// WeChat's headers are not documented for every case, by a body starting with
// "{" under any type that is not image, audio or video.
//
// A failure while the file is being written leaves w with part of it. A
// webhook-only account gets ErrNoCredential.
func (oa *OfficialAccount) Download(ctx context.Context, path string, query url.Values, body any, w io.Writer) (*Download, error) {
	method, payload := http.MethodGet, []byte(nil)
	if body != nil {
		var err error
		if payload, err = encodeJSON(body); err != nil {
			return nil, fmt.Errorf("wechat: %s: encoding request: %w", path, err)
		}
		method = http.MethodPost
	}
	return withToken(ctx, oa, path, func(token string) (*Download, error) {
		req, err := oa.newRequest(ctx, path, query, token, jsonRequest(method, payload))
		if err != nil {
			return nil, err
		}
		return oa.download(req, path, w)
	})
}

func (oa *OfficialAccount) download(req *http.Request, path string, w io.Writer) (*Download, error) {
	resp, err := wxhttp.Open(oa.client, req, path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	d := &Download{ContentType: resp.Header.Get("Content-Type")}
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil {
		d.Filename = params["filename"]
	}
	br := bufio.NewReader(resp.Body)
	if looksJSON(d.ContentType, br) {
		if d.JSON, err = wxhttp.ReadJSON(br, path); err != nil {
			return nil, err
		}
		return d, nil
	}
	if d.Size, err = br.WriteTo(w); err != nil {
		return nil, fmt.Errorf("wechat: %s: writing the file after %d bytes: %w", path, d.Size, err)
	}
	return d, nil
}

// looksJSON tells a JSON reply from a file: a json Content-Type, or a body whose
// first non-space byte is "{" under a type that is not a media type.
func looksJSON(contentType string, br *bufio.Reader) bool {
	ct, _, _ := mime.ParseMediaType(contentType)
	if strings.Contains(ct, "json") {
		return true
	}
	if strings.HasPrefix(ct, "image/") || strings.HasPrefix(ct, "audio/") || strings.HasPrefix(ct, "video/") {
		return false
	}
	peek, _ := br.Peek(64) // fewer bytes at the end of a short body; that is fine
	trimmed := bytes.TrimLeft(peek, " \t\r\n")
	return len(trimmed) > 0 && trimmed[0] == '{'
}
