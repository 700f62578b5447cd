package customerservice_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"strings"
	"testing"

	"github.com/wxkit/wechat"
	"github.com/wxkit/wechat/customerservice"
)

func TestServiceAccounts(t *testing.T) {
	t.Parallel()
	fake, svc := newService(t)
	ctx := t.Context()
	if err := svc.AddAccount(ctx, "kf1@test", "客服1"); err != nil {
		t.Fatalf("AddAccount: %v", err)
	}
	if err := svc.AddAccount(ctx, "kf_2@test", "客服2"); err != nil {
		t.Fatalf("AddAccount: %v", err)
	}
	if err := svc.UpdateAccount(ctx, "kf1@test", "小王"); err != nil {
		t.Fatalf("UpdateAccount: %v", err)
	}
	if err := svc.DeleteAccount(ctx, "kf_2@test"); err != nil {
		t.Fatalf("DeleteAccount: %v", err)
	}
	list, err := svc.Accounts(ctx)
	if err != nil {
		t.Fatalf("Accounts: %v", err)
	}
	if len(list) != 1 || list[0].Account != "kf1@test" || list[0].Nickname != "小王" || list[0].ID == "" {
		t.Fatalf("Accounts = %+v, want kf1@test named 小王 with an id", list)
	}

	online, err := svc.OnlineAccounts(ctx)
	if err != nil || len(online) != 0 {
		t.Fatalf("OnlineAccounts = %+v (err %v), want none", online, err)
	}
	fake.SetKfOnline("kf1@test", true)
	online, err = svc.OnlineAccounts(ctx)
	if err != nil || len(online) != 1 || online[0].Account != "kf1@test" || online[0].Status != 1 || online[0].ID != list[0].ID {
		t.Errorf("OnlineAccounts = %+v (err %v), want kf1@test with status 1", online, err)
	}
}

func TestServiceAccountErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		call     func(ctx context.Context, svc *customerservice.Service) error
		wantCode int
		errHas   string // for local errors
	}{
		{"add existing", func(ctx context.Context, s *customerservice.Service) error {
			return s.AddAccount(ctx, "kf1@test", "again")
		}, wechat.CodeKfAccountExists, ""},
		{"update unknown", func(ctx context.Context, s *customerservice.Service) error {
			return s.UpdateAccount(ctx, "ghost@test", "x")
		}, wechat.CodeInvalidKfAccount, ""},
		{"delete unknown", func(ctx context.Context, s *customerservice.Service) error { return s.DeleteAccount(ctx, "ghost@test") }, wechat.CodeInvalidKfAccount, ""},
		{"nickname of 17 characters", func(ctx context.Context, s *customerservice.Service) error {
			return s.AddAccount(ctx, "kf2@test", strings.Repeat("客", 17))
		}, wechat.CodeNotWeChat, "nickname is 17 characters"},
		{"empty nickname", func(ctx context.Context, s *customerservice.Service) error { return s.AddAccount(ctx, "kf2@test", "") }, wechat.CodeNotWeChat, "nickname"},
		{"no @", func(ctx context.Context, s *customerservice.Service) error { return s.AddAccount(ctx, "kf2", "x") }, wechat.CodeNotWeChat, "prefix@"},
		{"prefix of 11", func(ctx context.Context, s *customerservice.Service) error {
			return s.AddAccount(ctx, "abcdefghijk@test", "x")
		}, wechat.CodeNotWeChat, "before @"},
		{"prefix with a dash", func(ctx context.Context, s *customerservice.Service) error {
			return s.AddAccount(ctx, "kf-2@test", "x")
		}, wechat.CodeNotWeChat, "before @"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake, svc := newService(t)
			if err := svc.AddAccount(t.Context(), "kf1@test", "客服1"); err != nil {
				t.Fatal(err)
			}
			before := fake.Calls("/customservice/kfaccount/add")
			err := tt.call(t.Context(), svc)
			if code := wechat.Code(err); code != tt.wantCode {
				t.Fatalf("errcode = %d, want %d (err: %v)", code, tt.wantCode, err)
			}
			if tt.errHas != "" {
				if !strings.Contains(err.Error(), tt.errHas) {
					t.Errorf("err = %v, want it to mention %q", err, tt.errHas)
				}
				if n := fake.Calls("/customservice/kfaccount/add") - before; n != 0 {
					t.Errorf("a local error sent %d requests", n)
				}
			}
		})
	}
}

func TestFakeAccountChecks(t *testing.T) {
	t.Parallel()
	fake, svc := newService(t)
	oa := fake.Account(t)
	add := func(account, nick string) error {
		return oa.PostJSON(t.Context(), "/customservice/kfaccount/add", nil, map[string]string{"kf_account": account, "nickname": nick}, nil)
	}
	if code := wechat.Code(add("bad-prefix@test", "x")); code != wechat.CodeIllegalKfAccount {
		t.Errorf("illegal account errcode = %d, want %d", code, wechat.CodeIllegalKfAccount)
	}
	if code := wechat.Code(add("kf@test", strings.Repeat("客", 17))); code != wechat.CodeIllegalKfNickname {
		t.Errorf("illegal nickname errcode = %d, want %d", code, wechat.CodeIllegalKfNickname)
	}
	for i := range customerservice.MaxAccounts {
		if err := svc.AddAccount(t.Context(), fmt.Sprintf("kf%d@test", i), "客服"); err != nil {
			t.Fatalf("AddAccount #%d: %v", i+1, err)
		}
	}
	if code := wechat.Code(svc.AddAccount(t.Context(), "kf_more@test", "客服")); code != wechat.CodeKfAccountLimit {
		t.Errorf("101st account errcode = %d, want %d", code, wechat.CodeKfAccountLimit)
	}
}

func TestServiceUploadAvatar(t *testing.T) {
	t.Parallel()
	const path = "/customservice/kfaccount/uploadheadimg"
	png := []byte("\x89PNG\r\n\x1a\n fake image bytes")
	tests := []struct {
		name, account, filename string
		img                     io.Reader
		revoke                  bool // the token dies first: one refresh, one resend
		wantCode                int
		wantSent                int
	}{
		{"ok", "kf1@test", "avatar.png", bytes.NewReader(png), false, 0, 1},
		{"after the token died", "kf1@test", "avatar.png", bytes.NewReader(png), true, 0, 2},
		{"unknown account", "ghost@test", "avatar.png", bytes.NewReader(png), false, wechat.CodeInvalidKfAccount, 1},
		{"empty image", "kf1@test", "avatar.png", strings.NewReader(""), false, wechat.CodeNotWeChat, 0},
		{"no file name", "kf1@test", "", bytes.NewReader(png), false, wechat.CodeNotWeChat, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake, svc := newService(t)
			if err := svc.AddAccount(t.Context(), "kf1@test", "客服1"); err != nil {
				t.Fatal(err)
			}
			if tt.revoke {
				fake.RevokeTokens()
			}
			err := svc.UploadAvatar(t.Context(), tt.account, tt.filename, tt.img)
			if code := wechat.Code(err); code != tt.wantCode {
				t.Fatalf("UploadAvatar errcode = %d, want %d (err: %v)", code, tt.wantCode, err)
			}
			reqs := fake.Requests(path)
			if len(reqs) != tt.wantSent {
				t.Fatalf("UploadAvatar sent %d requests, want %d", len(reqs), tt.wantSent)
			}
			if err != nil {
				return
			}
			for _, r := range reqs {
				if got := r.Query.Get("kf_account"); got != tt.account {
					t.Errorf("kf_account = %q, want %q", got, tt.account)
				}
				if name, content := mediaPart(t, r.Body); name != tt.filename || !bytes.Equal(content, png) {
					t.Errorf("media part = %q with %d bytes, want %q with the image", name, len(content), tt.filename)
				}
			}
			if len(reqs) == 2 && !bytes.Equal(reqs[0].Body, reqs[1].Body) {
				t.Error("the resend after a refresh did not carry the same body")
			}
			list, _ := svc.Accounts(t.Context())
			if len(list) != 1 || list[0].HeadImgURL == "" {
				t.Errorf("Accounts after upload = %+v, want a head image URL", list)
			}
		})
	}
}

// mediaPart returns the file name and content of the "media" field of a
// multipart body whose boundary is on its first line.
func mediaPart(t *testing.T, body []byte) (string, []byte) {
	t.Helper()
	first, _, _ := bytes.Cut(body, []byte("\r\n"))
	mr := multipart.NewReader(bytes.NewReader(body), string(bytes.TrimPrefix(first, []byte("--"))))
	for {
		p, err := mr.NextPart()
		if err != nil {
			t.Fatalf("no media part: %v", err)
		}
		if p.FormName() == "media" {
			_, params, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
			content, err := io.ReadAll(p)
			if err != nil {
				t.Fatal(err)
			}
			return params["filename"], content
		}
	}
}
