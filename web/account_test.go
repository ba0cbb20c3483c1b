package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"junheng/store"
	"junheng/usecase"
	"junheng/vocab"
)

// TestPasswordSignInAndFirstChange: a person signs in with login name and password; a wrong password is refused
// with the core's words; with a first password every page leads to the change form until it is changed, the new
// password must be typed twice alike, and afterwards the workspace opens and the old password no longer works.
func TestPasswordSignInAndFirstChange(t *testing.T) {
	db := seededStore(t)
	ctx := context.Background()
	acc, err := usecase.CreateAccount(ctx, db, usecase.Actor{Name: "test", Role: vocab.RoleSystem},
		usecase.AccountRequest{Login: "13800000001", Name: "张三", Role: vocab.RoleDistrict, District: "370211"})
	if err != nil {
		t.Fatal(err)
	}
	srv, c, _ := newSite(t, Options{Store: db})
	noFollow := &http.Client{Jar: c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	resp, page := fetch(t, c, "POST", srv.URL+"/login", url.Values{"login": {"13800000001"}, "password": {"x"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "登录名或密码错误") {
		t.Fatalf("a wrong password: %d", resp.StatusCode)
	}
	resp, _ = fetch(t, noFollow, "POST", srv.URL+"/login",
		url.Values{"login": {"13800000001"}, "password": {acc.Password}, "next": {"/ledger"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", resp.StatusCode)
	}
	for _, path := range []string{"/ledger", "/district?year=2025"} {
		if resp, _ := fetch(t, noFollow, "GET", srv.URL+path, nil); resp.Header.Get("Location") != "/account/password" {
			t.Errorf("%s with a first password: %d %s", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	_, page = fetch(t, c, "GET", srv.URL+"/account/password", nil)
	csrf := csrfOf(t, page)
	_, page = fetch(t, c, "POST", srv.URL+"/account/password", url.Values{"csrf": {csrf},
		"current": {acc.Password}, "password": {"Strong-Pass-2026"}, "confirm": {"Strong-Pass-2027"}})
	if !strings.Contains(page, "两次输入的新密码不一致") {
		t.Fatalf("differing new passwords:\n%s", page)
	}
	_, page = fetch(t, c, "POST", srv.URL+"/account/password", url.Values{"csrf": {csrf},
		"current": {acc.Password}, "password": {"weak"}, "confirm": {"weak"}})
	if !strings.Contains(page, `<span class="field-error">密码长度须为 10 至 128 个字符</span>`) {
		t.Fatalf("a weak password's error is not at its field:\n%s", page)
	}
	_, page = fetch(t, c, "POST", srv.URL+"/account/password", url.Values{"csrf": {csrf},
		"current": {acc.Password}, "password": {"Strong-Pass-2026"}, "confirm": {"Strong-Pass-2026"}})
	if !strings.Contains(page, "密码已修改") {
		t.Fatalf("after the change:\n%s", page)
	}
	if resp, page := fetch(t, c, "GET", srv.URL+"/district?year=2025", nil); resp.StatusCode != http.StatusOK ||
		!strings.Contains(page, "张三") {
		t.Errorf("the workspace after the change: %d", resp.StatusCode)
	}
	evs, err := db.Audit(ctx, store.AuditFilter{Action: "change_password", Outcome: "ok"})
	if err != nil || len(evs) != 1 || evs[0].Actor != "张三" || evs[0].DistrictCode != "370211" {
		t.Errorf("the change's audit entry: %+v %v", evs, err)
	}
	resp, _ = fetch(t, c, "POST", srv.URL+"/login", url.Values{"login": {"13800000001"}, "password": {acc.Password}})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the first password still signs in: %d", resp.StatusCode)
	}
}
