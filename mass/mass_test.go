package mass_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/draft"
	"github.com/wxkit/wechat/mass"
	"github.com/wxkit/wechat/media"
	"github.com/wxkit/wechat/message"
	"github.com/wxkit/wechat/officialaccount"
	"github.com/wxkit/wechat/user"
	"github.com/wxkit/wechat/wechattest"
)

type fixture struct {
	fake   *wechattest.Server
	oa     *officialaccount.OfficialAccount
	svc    *mass.Service
	events chan *message.Message
	url    string
}

// newFixture starts a fake with followers and a webhook that collects events.
func newFixture(t *testing.T, followers int, opts ...wechattest.Option) (*fixture, []string) {
	t.Helper()
	fake, oa := wechattest.Start(t, opts...)
	f := &fixture{fake: fake, oa: oa, svc: mass.New(oa), events: make(chan *message.Message, 16)}
	mux := message.NewMux()
	mux.Default(func(_ context.Context, m *message.Message) message.Reply {
		f.events <- m
		return nil
	})
	srv := httptest.NewServer(message.NewServer(oa, mux, message.WithClock(fake.Now)))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	fake.SetWebhook(srv.URL, wechattest.ModeSafe)
	return f, fake.AddFollowers(followers)
}

func (f *fixture) result(t *testing.T) *mass.Result {
	t.Helper()
	select {
	case m := <-f.events:
		r, err := mass.FromEvent(m)
		if err != nil {
			t.Fatal(err)
		}
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no MASSSENDJOBFINISH within 10 s")
		return nil
	}
}

func TestSendToAllAndTag(t *testing.T) {
	t.Parallel()
	f, ids := newFixture(t, 5)
	ctx := t.Context()
	sent, err := f.svc.SendToAll(ctx, mass.Text("大家好"))
	if err != nil || sent.MsgID == 0 || sent.Duplicate {
		t.Fatalf("SendToAll = %+v, %v", sent, err)
	}
	r := f.result(t)
	if r.MsgID != sent.MsgID || !r.Succeeded() || r.Err() != nil || r.TotalCount != 5 || r.SentCount != 5 || r.ErrorCount != 0 {
		t.Errorf("MASSSENDJOBFINISH = %+v, want 5 of 5 sent", r)
	}
	if st, err := f.svc.Status(ctx, sent.MsgID); st != mass.StatusSendSuccess || err != nil {
		t.Errorf("Status = %q, %v", st, err)
	}

	users := user.New(f.oa)
	tag, err := users.CreateTag(ctx, "VIP")
	if err != nil {
		t.Fatal(err)
	}
	if err := users.BatchTag(ctx, tag.ID, ids[:2]); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SendToTag(ctx, tag.ID, mass.Text("VIP 专享")); err != nil {
		t.Fatal(err)
	}
	if r := f.result(t); r.TotalCount != 2 {
		t.Errorf("send to the tag reached %d, want 2", r.TotalCount)
	}
	sentMass := f.fake.SentMass()
	if len(sentMass) != 2 || !sentMass[0].ToAll || sentMass[1].TagID != tag.ID || len(sentMass[1].Recipients) != 2 {
		t.Errorf("SentMass = %+v", sentMass)
	}
	if _, err := f.svc.SendToTag(ctx, 9999, mass.Text("x")); wechat.Code(err) != wechat.CodeInvalidTagID {
		t.Errorf("SendToTag(unknown) = %v, want 45159", err)
	}
}

func TestSendToOpenIDs(t *testing.T) {
	t.Parallel()
	f, ids := newFixture(t, 3)
	sent, err := f.svc.Send(t.Context(), append(ids[:2:2], "not-a-follower"), mass.Text("hi"))
	if err != nil {
		t.Fatal(err)
	}
	if r := f.result(t); r.MsgID != sent.MsgID || r.TotalCount != 2 {
		t.Errorf("Send reached %d, want the 2 followers", r.TotalCount)
	}
	many := make([]string, mass.MaxOpenIDs+1)
	for i := range many {
		many[i] = "o" + strconv.Itoa(i)
	}
	for name, tt := range map[string]struct {
		ids     []string
		m       mass.Message
		wantErr string
	}{
		"one openid":     {ids[:1], mass.Text("x"), "needs 2 to 10000 OpenIDs, got 1"},
		"too many":       {many, mass.Text("x"), "at most 10000"},
		"empty openid":   {[]string{ids[0], ""}, mass.Text("x"), "openIDs[1]: mass: empty openid"},
		"empty text":     {ids, mass.Text(""), "text content is empty"},
		"nil message":    {ids, nil, "nil message"},
		"no images":      {ids, mass.Images(), "at least one media_id"},
		"empty media id": {ids, mass.MPNews(""), "mpnews media_id is empty"},
	} {
		if _, err := f.svc.Send(t.Context(), tt.ids, tt.m); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: Send = %v, want %q", name, err, tt.wantErr)
		}
	}
	if _, err := f.svc.Send(t.Context(), []string{ids[0], ""}, mass.Text("x")); !errors.Is(err, mass.ErrEmptyOpenID) {
		t.Errorf("Send with an empty OpenID = %v, want ErrEmptyOpenID", err)
	}
	if _, err := f.svc.Preview(t.Context(), "", mass.Text("x")); !errors.Is(err, mass.ErrEmptyOpenID) {
		t.Errorf("Preview(\"\") = %v, want ErrEmptyOpenID", err)
	}
	if n := f.fake.Calls(wechattest.PathMassSend); n != 1 {
		t.Errorf("%d sends reached WeChat, want 1", n)
	}
}

// TestClientMsgIDIdempotency retries a send with the same client message id, as
// a caller whose first attempt timed out would.
func TestClientMsgIDIdempotency(t *testing.T) {
	t.Parallel()
	f, _ := newFixture(t, 2)
	ctx := t.Context()
	id := mass.WithClientMsgID("order-20240101-001")
	first, err := f.svc.SendToAll(ctx, mass.Text("订单已发货"), id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SendToAll(ctx, mass.Text("订单已发货"), id); wechat.Code(err) != wechat.CodeMassRetryTooFast {
		t.Errorf("a retry within a minute = %v, want 45066", err)
	}
	f.fake.Advance(2 * time.Minute)
	again, err := f.svc.SendToAll(ctx, mass.Text("订单已发货"), id)
	if err != nil || !again.Duplicate || again.MsgID != first.MsgID {
		t.Fatalf("a retry after 2 minutes = %+v, %v; want the first send's msg_id %d, Duplicate", again, err, first.MsgID)
	}
	if n := len(f.fake.SentMass()); n != 1 {
		t.Errorf("the fake accepted %d sends, want 1", n)
	}
	f.fake.Advance(24 * time.Hour)
	later, err := f.svc.SendToAll(ctx, mass.Text("订单已发货"), id)
	if err != nil || later.Duplicate || later.MsgID == first.MsgID {
		t.Errorf("the same id a day later = %+v, %v; want a new send", later, err)
	}
	if _, err := f.svc.SendToAll(ctx, mass.Text("x"), mass.WithClientMsgID(strings.Repeat("x", 65))); err == nil || !strings.Contains(err.Error(), "65 bytes, the limit is 64") {
		t.Errorf("a 65-byte id = %v, want a local refusal", err)
	}
}

func TestMPNewsAndDelete(t *testing.T) {
	t.Parallel()
	f, _ := newFixture(t, 2)
	ctx := t.Context()
	cover, err := media.New(f.oa).Permanent().Add(ctx, media.Image, "c.jpg", strings.NewReader("\xff\xd8\xff"))
	if err != nil {
		t.Fatal(err)
	}
	d := draft.New(f.oa)
	draftID, err := d.Add(ctx,
		draft.Article{Title: "一", Content: "<p>1</p>", ThumbMediaID: cover.MediaID},
		draft.Article{Title: "二", Content: "<p>2</p>", ThumbMediaID: cover.MediaID})
	if err != nil {
		t.Fatal(err)
	}
	sent, err := f.svc.SendToAll(ctx, mass.MPNews(draftID), mass.WithIgnoreReprint())
	if err != nil || sent.MsgDataID == 0 {
		t.Fatalf("SendToAll(mpnews) = %+v, %v", sent, err)
	}
	r := f.result(t)
	if len(r.Articles) != 2 || r.Articles[1].Index != mass.OneBased(2) || r.Articles[0].URL == "" {
		t.Fatalf("article URLs = %+v", r.Articles)
	}
	if n, _ := d.Count(ctx); n != 0 {
		t.Errorf("the draft is still in the box after the mass send")
	}
	if !strings.Contains(string(f.fake.Requests(wechattest.PathMassSendAll)[0].Body), `"send_ignore_reprint":1`) {
		t.Error("WithIgnoreReprint was not sent")
	}

	if err := f.svc.DeleteArticle(ctx, sent.MsgID, mass.OneBased(0)); err == nil || !strings.Contains(err.Error(), "count from 1") {
		t.Errorf("DeleteArticle(OneBased(0)) = %v, want a local refusal", err)
	}
	if err := f.svc.DeleteArticle(ctx, sent.MsgID, mass.OneBased(2)); err != nil {
		t.Fatalf("DeleteArticle(2): %v", err)
	}
	if st, _ := f.svc.Status(ctx, sent.MsgID); st != mass.StatusSendSuccess {
		t.Errorf("status after deleting one of two = %q, want SEND_SUCCESS", st)
	}
	if err := f.svc.DeleteURL(ctx, r.Articles[0].URL); err != nil {
		t.Fatalf("DeleteURL: %v", err)
	}
	if st, _ := f.svc.Status(ctx, sent.MsgID); st != mass.StatusDeleted {
		t.Errorf("status after deleting both = %q, want DELETE", st)
	}
	if err := f.svc.Delete(ctx, 12345); wechat.Code(err) != wechat.CodeInvalidMassMsgID {
		t.Errorf("Delete(unknown) = %v, want 40059", err)
	}
	calls := f.fake.Calls(wechattest.PathMassDelete)
	if err := f.svc.DeleteArticle(ctx, 0, mass.OneBased(1)); err == nil || f.fake.Calls(wechattest.PathMassDelete) != calls {
		t.Errorf("DeleteArticle(msg_id 0) = %v, want a local refusal", err)
	}
}

func TestMonthlyLimitAndReview(t *testing.T) {
	t.Parallel()
	f, _ := newFixture(t, 3)
	for i := range 5 {
		if _, err := f.svc.SendToAll(t.Context(), mass.Text("第"+strconv.Itoa(i)+"期")); err != nil {
			t.Fatal(err)
		}
		r := f.result(t)
		want := 3
		if i == 4 { // a follower receives 4 mass sends a month
			want = 0
		}
		if r.FilterCount != want || r.SentCount != want || r.TotalCount != 3 {
			t.Errorf("send %d: %+v, want %d of 3 left after filtering", i+1, r, want)
		}
	}
	f.fake.FailNextMass("err(20013)")
	sent, err := f.svc.SendToAll(t.Context(), mass.Text("转载"))
	if err != nil {
		t.Fatal(err)
	}
	r := f.result(t)
	var je *mass.JobError
	if !errors.As(r.Err(), &je) || je.ReviewCode != 20013 || !strings.Contains(je.Error(), "copyright") {
		t.Errorf("Err() = %v, want review code 20013 explained", r.Err())
	}
	if st, _ := f.svc.Status(t.Context(), sent.MsgID); st != mass.StatusSendFail {
		t.Errorf("Status = %q, want SEND_FAIL", st)
	}
}

func TestPreview(t *testing.T) {
	t.Parallel()
	f, ids := newFixture(t, 1)
	ctx := t.Context()
	img, err := media.New(f.oa).Upload(ctx, media.Image, "a.jpg", strings.NewReader("\xff\xd8\xff"))
	if err != nil {
		t.Fatal(err)
	}
	if id, err := f.svc.Preview(ctx, ids[0], mass.Images(img.MediaID)); err != nil || id == 0 {
		t.Fatalf("Preview = %d, %v", id, err)
	}
	if _, err := f.svc.PreviewByWxName(ctx, "wxkit_dev", mass.Text("预览")); err != nil {
		t.Fatal(err)
	}
	prev := f.fake.MassPreviews()
	if len(prev) != 2 || prev[0].ToUser != ids[0] || !strings.Contains(string(prev[0].Payload), img.MediaID) || prev[1].ToWxName != "wxkit_dev" {
		t.Errorf("MassPreviews = %+v", prev)
	}
	if _, err := f.svc.Preview(ctx, ids[0], mass.Images(img.MediaID, img.MediaID)); err == nil || !strings.Contains(err.Error(), "one image") {
		t.Errorf("Preview(2 images) = %v, want a local refusal", err)
	}
	if _, err := f.svc.Preview(ctx, "stranger", mass.Text("x")); wechat.Code(err) != wechat.CodeInvalidOpenID {
		t.Errorf("Preview(not a follower) = %v, want 40003", err)
	}
}

func TestSpeedAndVideo(t *testing.T) {
	t.Parallel()
	f, _ := newFixture(t, 2)
	ctx := t.Context()
	if err := f.svc.SetSpeed(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if sp, err := f.svc.Speed(ctx); err != nil || sp.Level != 3 || sp.RealSpeed == 0 {
		t.Errorf("Speed = %+v, %v", sp, err)
	}
	if err := f.svc.SetSpeed(ctx, 5); err == nil {
		t.Error("SetSpeed(5) succeeded")
	}
	v, err := media.New(f.oa).Upload(ctx, media.Video, "v.mp4", strings.NewReader("\x00\x00\x00\x18ftyp"))
	if err != nil {
		t.Fatal(err)
	}
	up, err := f.svc.UploadVideo(ctx, v.MediaID, "视频", "简介")
	if err != nil || up.MediaID == "" {
		t.Fatalf("UploadVideo = %+v, %v", up, err)
	}
	if _, err := f.svc.SendToAll(ctx, mass.Video(up.MediaID)); err != nil {
		t.Errorf("SendToAll(video) = %v", err)
	}
	if got := f.fake.SentMass()[0].MsgType; got != "mpvideo" {
		t.Errorf("msgtype = %q, want mpvideo", got)
	}
}

func TestUnverified(t *testing.T) {
	t.Parallel()
	f, _ := newFixture(t, 2, wechattest.WithUnverifiedAccount())
	_, err := f.svc.SendToAll(t.Context(), mass.Text("x"))
	if !errors.Is(err, mass.ErrUnverified) || wechat.Code(err) != wechat.CodeAPIUnauthorized {
		t.Errorf("SendToAll = %v, want ErrUnverified with 48001", err)
	}
}

// TestFromEventSample maps the spec's MASSSENDJOBFINISH sample, pushed as
// WeChat would.
func TestFromEventSample(t *testing.T) {
	t.Parallel()
	f, _ := newFixture(t, 0)
	sample := `<xml><ToUserName><![CDATA[gh_796313d723bb]]></ToUserName><FromUserName><![CDATA[oDfOv1VV2t0MvjIXRO906uPhyw-I]]></FromUserName><CreateTime>` +
		strconv.FormatInt(f.fake.Now().Unix(), 10) + `</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[MASSSENDJOBFINISH]]></Event><MsgID>3147483661</MsgID><Status><![CDATA[send success]]></Status><TotalCount>8</TotalCount><FilterCount>8</FilterCount><SentCount>8</SentCount><ErrorCount>0</ErrorCount><CopyrightCheckResult><Count>0</Count><ResultList></ResultList><CheckState>1</CheckState></CopyrightCheckResult><ArticleUrlResult><Count>1</Count><ResultList><item><ArticleIdx>1</ArticleIdx><ArticleUrl><![CDATA[http://mp.weixin.qq.com/s/VgyFDJOHQCyBecF4PYqLjA]]></ArticleUrl></item></ResultList></ArticleUrlResult></xml>`
	if _, err := f.fake.WebhookClient(f.url, wechattest.ModeSafe).Send(t.Context(), []byte(sample)); err != nil {
		t.Fatal(err)
	}
	r := f.result(t)
	if r.MsgID != 3147483661 || !r.Succeeded() || r.TotalCount != 8 || r.SentCount != 8 || r.Copyright.CheckState != 1 ||
		len(r.Articles) != 1 || r.Articles[0].Index.Int() != 1 || r.Articles[0].URL != "http://mp.weixin.qq.com/s/VgyFDJOHQCyBecF4PYqLjA" {
		t.Errorf("FromEvent(sample) = %+v", r)
	}
	if _, err := mass.FromEvent(&message.Message{Event: message.EventPublishJobFinish}); err == nil {
		t.Error("FromEvent(PUBLISHJOBFINISH) succeeded")
	}
}

// Every msgtype is a message.MsgType, as for customerservice's messages.
func TestMsgTypes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		m    mass.Message
		want message.MsgType
	}{
		{mass.MPNews("m"), message.MsgTypeMPNews},
		{mass.Text("t"), message.MsgTypeText},
		{mass.Voice("v"), message.MsgTypeVoice},
		{mass.Images("i"), message.MsgTypeImage},
		{mass.Video("v"), message.MsgType("mpvideo")},
		{mass.Card("c"), message.MsgTypeWxCard},
	} {
		if got := tt.m.MsgType(); got != tt.want {
			t.Errorf("%T.MsgType() = %q, want %q", tt.m, got, tt.want)
		}
	}
}

// A send stays SENDING until the fake's mass delay has passed on its clock, then
// ends and pushes MASSSENDJOBFINISH.
func TestStatusSending(t *testing.T) {
	t.Parallel()
	f, _ := newFixture(t, 3)
	f.fake.SetMassDelay(time.Hour)
	ctx := t.Context()
	sent, err := f.svc.SendToAll(ctx, mass.Text("稍后送达"))
	if err != nil {
		t.Fatal(err)
	}
	if st, err := f.svc.Status(ctx, sent.MsgID); st != mass.StatusSending || err != nil {
		t.Errorf("Status before the delay = %q, %v, want SENDING", st, err)
	}
	f.fake.Advance(time.Hour)
	if st, err := f.svc.Status(ctx, sent.MsgID); st != mass.StatusSendSuccess || err != nil {
		t.Errorf("Status after the delay = %q, %v, want SEND_SUCCESS", st, err)
	}
	if r := f.result(t); r.MsgID != sent.MsgID || !r.Succeeded() {
		t.Errorf("MASSSENDJOBFINISH = %+v", r)
	}
}

// Advance moves a send along by itself: MASSSENDJOBFINISH is pushed once the
// fake's clock passes the send's end, with no call to look at it.
func TestAdvanceFinishesSend(t *testing.T) {
	t.Parallel()
	f, _ := newFixture(t, 2)
	f.fake.SetMassDelay(time.Hour)
	sent, err := f.svc.SendToAll(t.Context(), mass.Text("一小时后"))
	if err != nil {
		t.Fatal(err)
	}
	f.fake.Advance(time.Hour)
	if r := f.result(t); r.MsgID != sent.MsgID || !r.Succeeded() {
		t.Errorf("MASSSENDJOBFINISH = %+v", r)
	}
}
