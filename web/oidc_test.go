package web

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/oauth2-proxy/mockoidc"

	"junheng/usecase"
	"junheng/vocab"
)

// TestUnifiedSignIn runs the authorization code flow against an in-process provider: a provider's user with an
// account is signed in to it (a first password of ours, never used, is not asked for), one without is refused
// by name, an answer whose state is not this browser's is refused, and the sign-in page offers the button.
func TestUnifiedSignIn(t *testing.T) {
	provider, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = provider.Shutdown() })
	db := seededStore(t)
	cli := usecase.Actor{Name: "test", Role: vocab.RoleSystem}
	req := usecase.AccountRequest{Login: "13800000001", Name: "张三", Role: vocab.RoleDistrict, District: "370211"}
	if _, err := usecase.CreateAccount(context.Background(), db, cli, req); err != nil {
		t.Fatal(err)
	}
	srv, c, _ := newSite(t, Options{Store: db, OIDC: &OIDC{Issuer: provider.Issuer(), ClientID: provider.ClientID,
		ClientSecret: provider.ClientSecret, Claim: "preferred_username"}})

	if _, page := fetch(t, c, "GET", srv.URL+"/login?next=/ledger", nil); !strings.Contains(page,
		`href="/login/oidc?next=%2fledger"`) {
		t.Fatalf("the sign-in page offers no unified sign-in:\n%s", page)
	}
	provider.QueueUser(&mockoidc.MockUser{Subject: "u1", PreferredUsername: "13800000001"})
	// The callback's page moves on to next itself: a redirect started on the provider's site would not carry the
	// SameSite=Strict session cookie.
	resp, page := fetch(t, c, "GET", srv.URL+"/login/oidc?next=/ledger", nil)
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != oidcCallback ||
		!strings.Contains(page, `<meta http-equiv="refresh" content="0;url=/ledger">`) {
		t.Fatalf("after the unified sign-in: %d %s\n%s", resp.StatusCode, resp.Request.URL, page)
	}
	if resp, page := fetch(t, c, "GET", srv.URL+"/ledger", nil); resp.StatusCode != http.StatusOK ||
		!strings.Contains(page, "张三") {
		t.Fatalf("the ledger after the unified sign-in: %d", resp.StatusCode)
	}
	jar, _ := cookiejar.New(nil)
	c2 := &http.Client{Jar: jar}
	provider.QueueUser(&mockoidc.MockUser{Subject: "u2", PreferredUsername: "13900000009"})
	resp, page = fetch(t, c2, "GET", srv.URL+"/login/oidc", nil)
	if resp.StatusCode != http.StatusUnauthorized ||
		!strings.Contains(page, "统一身份认证用户 13900000009 在本系统中没有账户") {
		t.Errorf("a provider's user without an account: %d", resp.StatusCode)
	}

	// An answer sent to another browser (a forged or replayed callback) has no state of its own there.
	jar, _ = cookiejar.New(nil)
	resp, _ = fetch(t, &http.Client{Jar: jar}, "GET", srv.URL+oidcCallback+"?"+url.Values{
		"code": {"x"}, "state": {"y"}}.Encode(), nil)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a callback without this browser's state: %d", resp.StatusCode)
	}
}
