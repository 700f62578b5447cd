package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/wxkit/wechat/customerservice"
	"github.com/wxkit/wechat/media"
	"github.com/wxkit/wechat/message"
	"github.com/wxkit/wechat/officialaccount"
)

// TestMedia checks the media store end to end: the bot downloads the
// follower's picture with its MediaId, answers with a picture it uploaded,
// which the page can load, and a reply naming media the platform does not hold
// is what WeChat would refuse.
func TestMedia(t *testing.T) {
	t.Parallel()
	var (
		oa         *officialaccount.OfficialAccount // the bot's, at the simulator
		uploaded   string                           // the bot's picture
		downloaded bytes.Buffer                     // the follower's, as the bot fetched it
		fetchErr   error
	)
	mux := message.NewMux()
	mux.HandleImage(func(ctx context.Context, m *message.Message) message.Reply {
		_, fetchErr = media.New(oa).Get(ctx, m.MediaID, &downloaded)
		return message.Image(uploaded)
	})
	mux.HandleText(func(_ context.Context, m *message.Message) message.Reply { return message.Image(m.Content) })
	mux.HandleEvent(message.EventSubscribe, func(context.Context, *message.Message) message.Reply { return message.Text("hi") })
	base, _, openID := simFor(t, startWebhook(t, mux), options{})
	oa = botAccount(t, base)
	pic := testPNG(t)
	m, err := media.New(oa).Upload(t.Context(), media.Image, "reply.png", bytes.NewReader(pic))
	if err != nil {
		t.Fatal(err)
	}
	uploaded = m.MediaID
	follow(t, base, openID)

	// The follower's picture: the bot gets it back with media/get.
	code, ex := postImage(t, base, openID, pic)
	if code != http.StatusOK || ex.Outcome != "reply" || len(ex.Bubbles) != 1 || ex.Bubbles[0].ImageURL != "/wxsim/media/"+uploaded {
		t.Fatalf("image: %d, outcome %s (%s), bubbles %+v", code, ex.Outcome, ex.Problem, ex.Bubbles)
	}
	if fetchErr != nil || !bytes.Equal(downloaded.Bytes(), pic) {
		t.Errorf("the bot's media/get of the follower's picture: %d bytes, %v", downloaded.Len(), fetchErr)
	}
	resp, err := http.Get(base + ex.Bubbles[0].ImageURL)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Header.Get("Content-Type") != "image/png" || !bytes.Equal(got, pic) {
		t.Errorf("the reply's picture: %s, %d bytes", resp.Header.Get("Content-Type"), len(got))
	}

	// A reply naming media the platform does not hold.
	ex = sendText(t, base, openID, "no-such-media-id")
	if ex.Outcome != "fallback" || verdictState(ex, "回复限制") != "fail" {
		t.Errorf("an unknown media id: outcome %s, verdicts %+v", ex.Outcome, ex.Verdicts)
	}

	// A customer-service picture is drawn too.
	events := stream(t, base)
	if err := customerservice.New(oa).Send(t.Context(), openID, customerservice.Image{MediaID: uploaded}); err != nil {
		t.Fatal(err)
	}
	events.next(t, "entry", `"imageUrl":"/wxsim/media/`+uploaded+`"`)
	if resp, err := http.Get(base + "/wxsim/media/nope"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown media id on the page: %v %v", resp.StatusCode, err)
	}
}

// postImage sends data as the follower's picture, with the form's other
// fields.
func postImage(t *testing.T, base, openID string, data []byte, fields ...string) (int, exchange) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("image", "a.png")
	fw.Write(data)
	for i := 0; i+1 < len(fields); i += 2 {
		mw.WriteField(fields[i], fields[i+1])
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, base+"/wxsim/api/followers/"+openID+"/image", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ex exchange
	_ = json.NewDecoder(resp.Body).Decode(&ex)
	return resp.StatusCode, ex
}
