package wechattest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/internal/testutil"
	"github.com/wxkit/wechat/officialaccount"
)

// TestCloseDoesNotWaitForJobs: a job due in an hour does not hold Close, and
// nothing is pushed after it.
func TestCloseDoesNotWaitForJobs(t *testing.T) {
	t.Parallel()
	fake := NewServer()
	oa := fake.Account(t)
	fake.SetWebhook("http://127.0.0.1:1/wechat", ModeSafe)
	fake.SetPublishDelay(time.Hour)
	draftID := addDraft(t, fake, oa)
	if err := oa.PostJSON(t.Context(), PathPublishSubmit, nil, map[string]string{"media_id": draftID}, nil); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		fake.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close waited for a job due in an hour")
	}
	if errs := fake.PushErrors(); len(errs) != 0 {
		t.Errorf("pushes after Close: %v", errs)
	}
}

// TestPushErrorsAreKept: a job event that cannot be delivered is recorded.
func TestPushErrorsAreKept(t *testing.T) {
	t.Parallel()
	fake := NewServer()
	t.Cleanup(fake.Close)
	oa := fake.Account(t)
	fake.SetWebhook("http://127.0.0.1:1/wechat", ModeSafe) // nothing listens there
	draftID := addDraft(t, fake, oa)
	if err := oa.PostJSON(t.Context(), PathPublishSubmit, nil, map[string]string{"media_id": draftID}, nil); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, func() bool { return len(fake.PushErrors()) > 0 }, "a push error recorded")
}

func addDraft(t *testing.T, fake *Server, oa *officialaccount.OfficialAccount) string {
	t.Helper()
	var cover struct {
		MediaID string `json:"media_id"`
	}
	err := oa.Upload(t.Context(), PathMaterialAdd, url.Values{"type": {"image"}}, officialaccount.File{Name: "c.jpg", Reader: bytes.NewReader([]byte("\xff\xd8\xff"))}, &cover)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		MediaID string `json:"media_id"`
	}
	body := map[string]any{"articles": []map[string]any{{
		"title": "T", "content": `<p>x</p><img src="https://evil.test/a.png"><script>alert(1)</script>`, "thumb_media_id": cover.MediaID,
	}}}
	if err := oa.PostJSON(t.Context(), PathDraftAdd, nil, body, &d); err != nil {
		t.Fatal(err)
	}
	return d.MediaID
}

// TestDraftContentAsWeChatKeepsIt: external images are removed; the preview page
// runs no script.
func TestDraftContentAsWeChatKeepsIt(t *testing.T) {
	t.Parallel()
	fake := NewServer()
	t.Cleanup(fake.Close)
	oa := fake.Account(t)
	id := addDraft(t, fake, oa)
	content := fake.Drafts()[id][0].Content
	if strings.Contains(content, "evil.test") {
		t.Errorf("the stored content keeps an external image: %s", content)
	}
	resp, err := fake.Client().Get(fake.URL() + "/wxkit-fake/draft/" + id + "/1")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || strings.Contains(string(page), "<script>") || resp.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("preview page %d, CSP %q: %s", resp.StatusCode, resp.Header.Get("Content-Security-Policy"), page)
	}
}

// TestUploadChecks covers what the fake refuses when a client sends it anyway.
func TestUploadChecks(t *testing.T) {
	t.Parallel()
	fake := NewServer()
	t.Cleanup(fake.Close)
	oa := fake.Account(t)
	tests := []struct {
		name, path, typ, file string
		size                  int
		want                  int
	}{
		{"unknown type", PathMediaUpload, "news", "a.jpg", 10, wechat.CodeInvalidMediaType},
		{"png as thumb", PathMediaUpload, "thumb", "a.png", 10, wechat.CodeInvalidFileType},
		{"thumb too large", PathMediaUpload, "thumb", "a.jpg", 64<<10 + 1, wechat.CodeInvalidThumbSize},
		{"voice too large", PathMaterialAdd, "voice", "a.mp3", 2<<20 + 1, wechat.CodeInvalidVoiceSize},
		{"article image of 1 MB", PathMediaUploadImg, "", "a.png", 1 << 20, wechat.CodeImageTooLarge},
		{"video without description", PathMaterialAdd, "video", "a.mp4", 10, wechat.CodeArgumentInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := url.Values{}
			if tt.typ != "" {
				q.Set("type", tt.typ)
			}
			f := officialaccount.File{Name: tt.file, Reader: bytes.NewReader(make([]byte, tt.size)), MaxSize: 16 << 20}
			if err := oa.Upload(t.Context(), tt.path, q, f, nil); wechat.Code(err) != tt.want {
				t.Errorf("errcode %d, want %d (err %v)", wechat.Code(err), tt.want, err)
			}
		})
	}
	// No multipart body at all.
	if err := oa.PostJSON(t.Context(), PathMediaUpload, url.Values{"type": {"image"}}, map[string]string{}, nil); wechat.Code(err) != wechat.CodeMediaDataMissing {
		t.Errorf("JSON instead of multipart: %v, want 41005", err)
	}
	// add_news is retired.
	if err := oa.PostJSON(t.Context(), "/cgi-bin/material/add_news", nil, map[string]any{"articles": []any{}}, nil); wechat.Code(err) != wechat.CodeAPIRetired {
		t.Errorf("add_news: %v, want 45103", err)
	}
}

// TestPlatformPushesOpenNoWindow: an event the platform pushes (here a
// subscription consent) is not a follower's message: the 48-hour
// customer-service window stays shut.
func TestPlatformPushesOpenNoWindow(t *testing.T) {
	t.Parallel()
	fake := NewServer()
	t.Cleanup(fake.Close)
	oa := fake.Account(t)
	got := make(chan struct{}, 1)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "success")
		got <- struct{}{}
	}))
	t.Cleanup(hook.Close)
	fake.SetWebhook(hook.URL, ModePlaintext)
	openID := fake.AddFollower(Follower{})
	fake.AcceptSubscription(openID, "tmpl", false)
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the consent event was not pushed")
	}
	err := oa.PostJSON(t.Context(), pathCustomSend, nil, map[string]any{"touser": openID, "msgtype": "text", "text": map[string]string{"content": "hi"}}, nil)
	if wechat.Code(err) != wechat.CodeReplyWindowExpired {
		t.Errorf("customer-service send after a platform push = %v, want 45015", err)
	}
}
