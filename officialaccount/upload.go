package officialaccount

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/wxkit/wechat/internal/wxhttp"
)

// DefaultMaxUpload is the size limit of an upload whose File.MaxSize is 0: 10 MiB,
// the largest file any WeChat upload takes (images and videos).
const DefaultMaxUpload = 10 << 20

// ErrFileTooLarge is returned, before anything is sent, for a file larger than
// its upload's limit. The error names the file, its size and the limit.
var ErrFileTooLarge = errors.New("officialaccount: file too large")

// File is a file to upload in a multipart/form-data request (上传素材).
type File struct {
	// Name is the file name sent to WeChat, such as "photo.jpg". WeChat tells
	// the file's type by its extension: a name without one fails with 40113.
	Name string
	// Reader is the content. An io.ReadSeeker (an *os.File, a *bytes.Reader) is
	// streamed from its current position, never held in memory, and rewound for
	// the one resend after a token refresh. Any other reader is read into memory
	// first, up to MaxSize.
	Reader io.Reader
	// MaxSize is the largest content accepted, in bytes; 0 means
	// DefaultMaxUpload. A larger file fails with ErrFileTooLarge before any byte
	// is sent.
	MaxSize int64
	// Field is the form field of the file; "" means "media", the one WeChat's
	// uploads use.
	Field string
	// Params are extra form fields, sent before the file in key order, such as
	// add_material's "description" of a video.
	Params map[string]string
}

// Upload posts f to path (relative, such as "/cgi-bin/media/upload") as
// multipart/form-data, with query and the access_token, and decodes the JSON
// reply into out (nil to discard it) as GetJSON does. Token handling is
// GetJSON's: on 40001, 40014 or 42001 the token is refreshed once and the same
// bytes sent once more. A file refused locally (no name or extension, empty,
// over MaxSize) is reported before anything is sent, and a webhook-only account
// gets ErrNoCredential.
//
// Memory stays small for an io.ReadSeeker whatever its size: the request body
// is the multipart header, the reader itself and the closing boundary, with a
// Content-Length. Upload returns only after the HTTP client has closed the body,
// so the caller may close or reuse f.Reader at once.
func (oa *OfficialAccount) Upload(ctx context.Context, path string, query url.Values, f File, out any) error {
	body, err := newMultipartBody(f)
	if err != nil {
		return err
	}
	raw, err := oa.do(ctx, path, query, func(ctx context.Context, u string) (*http.Request, error) {
		rc, err := body.open(ctx)
		if err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, rc)
		if err != nil {
			rc.Close()
			return nil, err
		}
		req.ContentLength = body.length()
		req.Header.Set("Content-Type", body.contentType)
		return req, nil
	}, false) // wxhttp.Decode validates the reply
	if werr := body.wait(ctx); err == nil && werr != nil {
		err = fmt.Errorf("wechat: %s: %w", path, werr)
	}
	return wxhttp.Decode(path, raw, err, out)
}

// multipartBody is a multipart/form-data body computed around a seekable
// reader: head (the parameters and the file part's header), size bytes of
// content from start, then tail (the closing boundary).
type multipartBody struct {
	head, tail  []byte
	content     io.ReadSeeker
	start, size int64
	contentType string

	last *closeSignal // the body of the latest attempt
}

func newMultipartBody(f File) (*multipartBody, error) {
	if err := checkFileName(f.Name); err != nil {
		return nil, err
	}
	if f.Reader == nil {
		return nil, fmt.Errorf("officialaccount: file %q: nil Reader", f.Name)
	}
	limit := f.MaxSize
	if limit <= 0 {
		limit = DefaultMaxUpload
	}
	b := &multipartBody{}
	var (
		seekable bool
		err      error
	)
	if b.content, b.start, b.size, seekable, err = sized(f.Reader, limit); err != nil {
		return nil, fmt.Errorf("officialaccount: file %q: %w", f.Name, err)
	}
	switch {
	case b.size == 0:
		return nil, fmt.Errorf("officialaccount: file %q is empty", f.Name)
	case b.size > limit && seekable:
		return nil, fmt.Errorf("%w: %q is %d bytes, the limit is %d", ErrFileTooLarge, f.Name, b.size, limit)
	case b.size > limit:
		return nil, fmt.Errorf("%w: %q: the limit is %d bytes, and the stream goes past it", ErrFileTooLarge, f.Name, limit)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, k := range slices.Sorted(maps.Keys(f.Params)) {
		if err := mw.WriteField(k, f.Params[k]); err != nil {
			return nil, err
		}
	}
	field := f.Field
	if field == "" {
		field = "media"
	}
	h := make(map[string][]string, 2)
	h["Content-Disposition"] = []string{fmt.Sprintf(`form-data; name="%s"; filename="%s"`, quoteEscaper.Replace(field), quoteEscaper.Replace(f.Name))}
	h["Content-Type"] = []string{contentTypeOf(f.Name)}
	if _, err := mw.CreatePart(h); err != nil {
		return nil, err
	}
	n := buf.Len()
	if err := mw.Close(); err != nil { // writes the closing boundary after the head
		return nil, err
	}
	all := buf.Bytes()
	b.head, b.tail = all[:n:n], all[n:]
	b.contentType = mw.FormDataContentType()
	return b, nil
}

// sized returns r as a ReadSeeker with its start offset and the size of what is
// left, and whether r itself could seek. A reader that cannot seek is read into
// memory, up to limit+1 bytes (so a size above limit says "too large" without
// reading it all).
func sized(r io.Reader, limit int64) (rs io.ReadSeeker, start, size int64, seekable bool, err error) {
	if rs, ok := r.(io.ReadSeeker); ok {
		if start, err := rs.Seek(0, io.SeekCurrent); err == nil {
			end, err := rs.Seek(0, io.SeekEnd)
			if err == nil {
				_, err = rs.Seek(start, io.SeekStart)
			}
			return rs, start, end - start, true, err
		}
		// Not really seekable (a pipe behind an *os.File): read it as a stream.
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, 0, 0, false, fmt.Errorf("reading: %w", err)
	}
	return bytes.NewReader(data), 0, int64(len(data)), false, nil
}

func (b *multipartBody) length() int64 { return int64(len(b.head)) + b.size + int64(len(b.tail)) }

// open returns the body for one attempt, the content rewound to its start. It
// first waits until the HTTP client has closed the previous attempt's body: a
// transport may still be reading it after the reply arrived.
func (b *multipartBody) open(ctx context.Context) (io.ReadCloser, error) {
	if err := b.wait(ctx); err != nil {
		return nil, err
	}
	if _, err := b.content.Seek(b.start, io.SeekStart); err != nil {
		return nil, fmt.Errorf("rewinding the file: %w", err)
	}
	b.last = &closeSignal{
		Reader: io.MultiReader(bytes.NewReader(b.head), io.LimitReader(b.content, b.size), bytes.NewReader(b.tail)),
		closed: make(chan struct{}),
	}
	return b.last, nil
}

// wait returns once the latest attempt's body is closed, or ctx ends.
func (b *multipartBody) wait(ctx context.Context) error {
	if b.last == nil {
		return nil
	}
	select {
	case <-b.last.closed:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// closeSignal is a request body that says when the HTTP client closed it.
type closeSignal struct {
	io.Reader
	once   sync.Once
	closed chan struct{}
}

func (c *closeSignal) Close() error {
	c.once.Do(func() { close(c.closed) })
	return nil
}

// checkFileName refuses names WeChat cannot judge (no extension) and names that
// would break the part's header.
func checkFileName(name string) error {
	switch {
	case name == "":
		return errors.New("officialaccount: file name is empty")
	case strings.ContainsAny(name, "\r\n\x00"):
		return fmt.Errorf("officialaccount: file name %q has a control character", name)
	case len(filepath.Ext(name)) < 2:
		return fmt.Errorf("officialaccount: file name %q has no extension; WeChat tells the type by it (40113 without one)", name)
	}
	return nil
}

var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// contentTypes are the part types of the files WeChat takes. A fixed table, not
// mime.TypeByExtension, so the bytes sent do not depend on the machine's
// mime.types.
var contentTypes = map[string]string{
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif", ".bmp": "image/bmp",
	".mp3": "audio/mpeg", ".amr": "audio/amr", ".wma": "audio/x-ms-wma", ".wav": "audio/wav",
	".mp4": "video/mp4",
}

func contentTypeOf(name string) string {
	if ct, ok := contentTypes[strings.ToLower(filepath.Ext(name))]; ok {
		return ct
	}
	return "application/octet-stream"
}
