package web

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

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
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "登录名、密码或动态验证码错误") {
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

// TestSecondFactorPages: the page shows a QR code and the key; a code from it turns the second factor on, and
// then signing in needs the app's code as well.
func TestSecondFactorPages(t *testing.T) {
	db := seededStore(t)
	srv, c, _ := newSite(t, Options{Store: db})
	signedInAs(t, db, srv.URL, c, usecase.AccountRequest{Login: "office01", Name: "李四", Role: vocab.RoleOffice})

	_, page := fetch(t, c, "GET", srv.URL+"/account/totp", nil)
	m := regexp.MustCompile(`<code id="totp-secret">([A-Z2-7]+)</code>`).FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, `<img src="data:image/png;base64,`) {
		t.Fatalf("no key or QR code:\n%s", page)
	}
	code, err := totp.GenerateCode(m[1], time.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, page = fetch(t, c, "POST", srv.URL+"/account/totp", url.Values{"csrf": {csrfOf(t, page)},
		"secret": {m[1]}, "code": {code}})
	if !strings.Contains(page, "双重验证已开启: 今后登录须输入应用显示的动态验证码") ||
		!strings.Contains(page, `id="totp-off"`) {
		t.Fatalf("after turning it on:\n%s", page)
	}

	jar, _ := cookiejar.New(nil)
	other := &http.Client{Jar: jar}
	if resp, _ := fetch(t, other, "POST", srv.URL+"/login", url.Values{"login": {"office01"},
		"password": {"Strong-Pass-2026"}}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a sign-in without the code: %d", resp.StatusCode)
	}
	next, err := totp.GenerateCode(m[1], time.Now().Add(30*time.Second)) // the code of the next step
	if err != nil {
		t.Fatal(err)
	}
	if resp, page := fetch(t, other, "POST", srv.URL+"/login", url.Values{"login": {"office01"},
		"password": {"Strong-Pass-2026"}, "code": {next}}); resp.StatusCode != http.StatusOK ||
		!strings.Contains(page, "李四") {
		t.Errorf("a sign-in with the code: %d", resp.StatusCode)
	}
}

// TestOwnTokensPage: a token made on the page is in that answer only (not in a stored outcome), signs in to the
// API's face as the person, and is revoked from the page.
func TestOwnTokensPage(t *testing.T) {
	db := seededStore(t)
	ctx := context.Background()
	srv, c, _ := newSite(t, Options{Store: db})
	signedInAs(t, db, srv.URL, c, usecase.AccountRequest{Login: "13800000001", Name: "张三",
		Role: vocab.RoleDistrict, District: "370211"})
	_, page := fetch(t, c, "GET", srv.URL+"/account/tokens", nil)
	resp, page := fetch(t, c, "POST", srv.URL+"/account/tokens", url.Values{"csrf": {csrfOf(t, page)},
		"name": {"数据对接"}})
	m := regexp.MustCompile(`<code id="new-token">(jh_[^<]+)</code>`).FindStringSubmatch(page)
	if resp.StatusCode != http.StatusCreated || m == nil {
		t.Fatalf("the new token is not shown: %d\n%s", resp.StatusCode, page)
	}
	a, err := newCore(t, db, &fakeAPI{}).SignIn(ctx, m[1])
	if err != nil || a.Name != "张三 · 数据对接" {
		t.Fatalf("the token signs in as %+v %v", a, err)
	}
	if _, page = fetch(t, c, "GET", srv.URL+"/account/tokens", nil); strings.Contains(page, m[1]) {
		t.Error("the token is shown again")
	}
	_, page = fetch(t, c, "POST", srv.URL+"/account/tokens/revoke", url.Values{"csrf": {csrfOf(t, page)},
		"id": {strconv.FormatInt(a.TokenID, 10)}})
	if !strings.Contains(page, "令牌已吊销") {
		t.Fatalf("after revoking:\n%s", page)
	}
	if _, err := newCore(t, db, &fakeAPI{}).SignIn(ctx, m[1]); err == nil {
		t.Error("a revoked token signs in")
	}
}

// TestAccountsPage: an administrator creates an account (its first password in that answer only), resets it
// and disables it; nobody else reaches the page; an administrator cannot disable their own account.
func TestAccountsPage(t *testing.T) {
	db := seededStore(t)
	ctx := context.Background()
	srv, c, _ := newSite(t, Options{Store: db})
	signedInAs(t, db, srv.URL, c, usecase.AccountRequest{Login: "clerk01", Name: "clerk01",
		Role: vocab.RoleDistrict, District: "370211"})
	if resp, _ := fetch(t, c, "GET", srv.URL+"/admin/accounts", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a district's person opens the accounts page: %d", resp.StatusCode)
	}
	jar, _ := cookiejar.New(nil)
	admin := &http.Client{Jar: jar}
	signedInAs(t, db, srv.URL, admin, usecase.AccountRequest{Login: "admin01", Name: "admin01",
		Role: vocab.RoleAdmin})
	_, page := fetch(t, admin, "GET", srv.URL+"/admin/accounts", nil)
	resp, page := fetch(t, admin, "POST", srv.URL+"/admin/accounts", url.Values{"csrf": {csrfOf(t, page)},
		"login": {"13800000009"}, "name": {"王五"}, "role": {"district"}, "unit": {"370211"}})
	first := regexp.MustCompile(`<code id="first-password">([^<]+)</code>`).FindStringSubmatch(page)
	if resp.StatusCode != http.StatusCreated || first == nil || !strings.Contains(page, `data-login="13800000009"`) {
		t.Fatalf("after creating: %d\n%s", resp.StatusCode, page)
	}
	if _, err := newCore(t, db, &fakeAPI{}).PasswordSignIn(ctx, "13800000009", first[1], ""); err != nil {
		t.Errorf("the shown first password: %v", err)
	}
	_, page = fetch(t, admin, "POST", srv.URL+"/admin/accounts", url.Values{"csrf": {csrfOf(t, page)},
		"login": {"13800000009"}, "name": {"王五"}, "role": {"district"}, "unit": {"370211"}})
	if !strings.Contains(page, "该登录名已被使用") {
		t.Errorf("a taken login is not refused at its field:\n%s", page)
	}
	_, page = fetch(t, admin, "POST", srv.URL+"/admin/accounts/reset", url.Values{"csrf": {csrfOf(t, page)},
		"login": {"13800000009"}})
	if again := regexp.MustCompile(`<code id="first-password">([^<]+)</code>`).FindStringSubmatch(page); again ==
		nil || again[1] == first[1] {
		t.Errorf("the reset shows no new password:\n%s", page)
	}
	_, page = fetch(t, admin, "POST", srv.URL+"/admin/accounts/disable", url.Values{"csrf": {csrfOf(t, page)},
		"login": {"13800000009"}, "disabled": {"true"}})
	if !strings.Contains(page, "账户已停用") {
		t.Errorf("after disabling:\n%s", page)
	}
	_, page = fetch(t, admin, "POST", srv.URL+"/admin/accounts/disable", url.Values{"csrf": {csrfOf(t, page)},
		"login": {"admin01"}, "disabled": {"true"}})
	if !strings.Contains(page, "不能停用自己的账户") {
		t.Errorf("an administrator disables their own account:\n%s", page)
	}
}

// signedInAs creates the account of req and signs c in to it, its first password changed to Strong-Pass-2026.
func signedInAs(t *testing.T, db *store.Store, site string, c *http.Client, req usecase.AccountRequest) {
	t.Helper()
	acc, err := usecase.CreateAccount(context.Background(), db, usecase.Actor{Name: "test", Role: vocab.RoleSystem},
		req)
	if err != nil {
		t.Fatal(err)
	}
	fetch(t, c, "POST", site+"/login", url.Values{"login": {req.Login}, "password": {acc.Password}})
	_, page := fetch(t, c, "GET", site+"/account/password", nil)
	fetch(t, c, "POST", site+"/account/password", url.Values{"csrf": {csrfOf(t, page)},
		"current": {acc.Password}, "password": {"Strong-Pass-2026"}, "confirm": {"Strong-Pass-2026"}})
}
