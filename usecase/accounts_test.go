package usecase

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"junheng/store"
	"junheng/store/storetest"
	"junheng/vocab"
)

var cli = Actor{Name: "命令行 command line (test)", Role: vocab.RoleSystem}

// TestPasswordHash: a hash is argon2id in PHC form, salted (two hashes of one password differ), and verifies only
// its password; a hash made with other parameters (a later release's) still verifies.
func TestPasswordHash(t *testing.T) {
	h1, h2 := hashPassword("Correct-Horse-9"), hashPassword("Correct-Horse-9")
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=19456,t=2,p=1$") || h1 == h2 {
		t.Fatalf("hashes %q %q", h1, h2)
	}
	if !passwordMatches(h1, "Correct-Horse-9") || passwordMatches(h1, "Correct-Horse-8") {
		t.Error("a hash verifies the wrong passwords")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=x$AAAA$AAAA"} {
		if passwordMatches(bad, "") {
			t.Errorf("%q verifies", bad)
		}
	}
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("pw"), salt, 3, 8*1024, 2, 32)
	b64 := base64.RawStdEncoding.EncodeToString
	other := fmt.Sprintf("$argon2id$v=19$m=8192,t=3,p=2$%s$%s", b64(salt), b64(key))
	if !passwordMatches(other, "pw") {
		t.Error("a hash with other parameters does not verify")
	}
}

// TestPasswordRules: length, three kinds of characters, no login inside; the first passwords meet them.
func TestPasswordRules(t *testing.T) {
	for pw, ok := range map[string]bool{
		"Short-1": false, "alllowercaseletters": false, "lowerUPPERonly": false, "lower-and-digits-1": true,
		"Zhang13800000001x": false, "Strong-Pass-2026": true, strings.Repeat("Aa1", 43): false,
	} {
		var f Fields
		checkPassword(&f, "password", "13800000001", pw)
		if (f.Err() == nil) != ok {
			t.Errorf("%q: %v", pw, f.Err())
		}
	}
	for range 20 {
		var f Fields
		if checkPassword(&f, "password", "", firstPassword()); f.Err() != nil {
			t.Fatal(f.Err())
		}
	}
}

// TestAccountLifecycle, on both databases: a created account signs in with its first password and must change it
// first; a wrong login and a wrong password answer the same; five wrong passwords lock the account, even against
// the right one, until an administrator resets it; a disabled account neither signs in nor keeps its sessions;
// every change is in the audit trail with the person and their unit.
func TestAccountLifecycle(t *testing.T) {
	ctx := context.Background()
	for dialect, db := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			if err := db.CreateDistrict(ctx, &store.District{Code: "370211", Name: "黄岛区"}); err != nil {
				t.Fatal(err)
			}
			c := New(Deps{Store: db, Location: time.UTC})
			req := AccountRequest{Login: "13800000001", Name: "张三", Role: vocab.RoleDistrict, District: "370211"}
			created, err := CreateAccount(ctx, db, cli, req)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := CreateAccount(ctx, db, cli, req); !hasField(err, "login") {
				t.Errorf("a second account with the login: %v", err)
			}
			if _, err := CreateAccount(ctx, db, cli, AccountRequest{Login: "x", Name: "x",
				Role: vocab.RoleDistrict}); !hasField(err, "unit") {
				t.Errorf("a district account without its district: %v", err)
			}

			a, err := c.PasswordSignIn(ctx, " 13800000001 ", created.Password, "")
			if err != nil || a.AccountID != created.ID || a.Name != "张三" || a.District() != "370211" {
				t.Fatalf("first sign-in: %+v %v", a, err)
			}
			if err := c.Live(ctx, a); !errors.Is(err, ErrPasswordChange) {
				t.Fatalf("a first password is not changed first: %v", err)
			}
			if err := c.ChangePassword(ctx, a, "wrong", "Strong-Pass-2026"); !hasField(err, "current") {
				t.Errorf("a change with the wrong current password: %v", err)
			}
			if err := c.ChangePassword(ctx, a, created.Password, "weakpassword"); !hasField(err, "password") {
				t.Errorf("a weak new password: %v", err)
			}
			if err := c.ChangePassword(ctx, a, created.Password, "Strong-Pass-2026"); err != nil {
				t.Fatal(err)
			}
			if err := c.Live(ctx, a); err != nil {
				t.Fatalf("after the change: %v", err)
			}

			if _, err := c.PasswordSignIn(ctx, "nobody", "Strong-Pass-2026", ""); err != ErrSignInFailed {
				t.Errorf("an unknown login: %v", err)
			}
			for i := range lockAfter {
				_, err := c.PasswordSignIn(ctx, "13800000001", "Wrong-Pass-2026", "")
				if i < lockAfter-1 && err != ErrSignInFailed {
					t.Fatalf("wrong password %d: %v", i+1, err)
				}
				if i == lockAfter-1 && (kindOf(err) != Unauthenticated || !strings.Contains(err.Error(), "locked")) {
					t.Fatalf("wrong password %d does not lock: %v", i+1, err)
				}
			}
			if _, err := c.PasswordSignIn(ctx, "13800000001", "Strong-Pass-2026", ""); !strings.Contains(
				fmt.Sprint(err), "locked") {
				t.Fatalf("a locked account takes its right password: %v", err)
			}
			reset, err := ResetPassword(ctx, db, cli, "13800000001")
			if err != nil {
				t.Fatal(err)
			}
			if a, err = c.PasswordSignIn(ctx, "13800000001", reset.Password, ""); err != nil {
				t.Fatalf("after the reset: %v", err)
			}
			if err := c.Live(ctx, a); !errors.Is(err, ErrPasswordChange) {
				t.Errorf("a reset password is not changed first: %v", err)
			}

			if err := SetDisabled(ctx, db, cli, "13800000001", true); err != nil {
				t.Fatal(err)
			}
			if err := c.Live(ctx, a); !errors.Is(err, ErrNotFound) {
				t.Errorf("a disabled account's session lives on: %v", err)
			}
			if _, err := c.PasswordSignIn(ctx, "13800000001", reset.Password, ""); err != errDisabled {
				t.Errorf("a disabled account signs in: %v", err)
			}

			evs, err := db.Audit(ctx, store.AuditFilter{Target: accountTarget(created.ID)})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range evs {
				got = append([]string{e.Action + ":" + e.Outcome + ":" + e.Actor + ":" + e.DistrictCode}, got...)
			}
			want := []string{"create_account:ok:" + cli.Name + ":370211", "sign_in:ok:张三:370211",
				"change_password:invalid:张三:370211", "change_password:invalid:张三:370211",
				"change_password:ok:张三:370211", "lock_account:locked:张三:370211",
				"reset_password:ok:" + cli.Name + ":370211", "sign_in:ok:张三:370211",
				"disable_account:ok:" + cli.Name + ":370211"}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("audit trail of the account:\n got %v\nwant %v", got, want)
			}
		})
	}
}

func hasField(err error, field string) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// TestUpdateIDsApart: two people, or a person and a token with the same number, sending the same form key act
// in Update IDs of their own.
func TestUpdateIDsApart(t *testing.T) {
	ids := map[string]bool{}
	for _, a := range []Actor{{AccountID: 1}, {AccountID: 2}, {TokenID: 1}, {TokenID: 2}} {
		ids[updateID(a, "k")] = true
	}
	if len(ids) != 4 || updateID(Actor{TokenID: 7}, "k") != "7:k" {
		t.Errorf("update IDs %v; a token's must stay <token ID>:<key> for the Updates already sent", ids)
	}
}

// TestOwnTokens: a person makes a token for an integration; it acts with the person's role and district under
// the person's name; another person cannot revoke it; it stops when the account is disabled, and revoking ends it.
func TestOwnTokens(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	if err := db.CreateDistrict(ctx, &store.District{Code: "370211", Name: "黄岛区"}); err != nil {
		t.Fatal(err)
	}
	c := New(Deps{Store: db, Location: time.UTC})
	person := func(login string) Actor {
		acc, err := CreateAccount(ctx, db, cli, AccountRequest{Login: login, Name: "张三", Role: vocab.RoleDistrict,
			District: "370211"})
		if err != nil {
			t.Fatal(err)
		}
		return Actor{AccountID: acc.ID, Name: "张三", Role: vocab.RoleDistrict, Unit: "370211"}
	}
	zhang, other := person("13800000001"), person("13800000002")
	if _, err := c.IssueOwnToken(ctx, zhang, " "); !hasField(err, "name") {
		t.Errorf("a token without its purpose: %v", err)
	}
	issued, err := c.IssueOwnToken(ctx, zhang, "数据对接")
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.SignIn(ctx, issued.Token)
	if err != nil || a.Role != vocab.RoleDistrict || a.District() != "370211" || a.Name != "张三 · 数据对接" {
		t.Fatalf("the token acts as %+v %v", a, err)
	}
	if ts, _ := c.OwnTokens(ctx, other); len(ts) != 0 {
		t.Errorf("another person sees %+v", ts)
	}
	if err := c.RevokeOwnToken(ctx, other, issued.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("another person revokes it: %v", err)
	}
	if err := SetDisabled(ctx, db, cli, "13800000001", true); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SignIn(ctx, issued.Token); !errors.Is(err, ErrNotFound) {
		t.Errorf("the token of a disabled account: %v", err)
	}
	if err := c.Live(ctx, a); !errors.Is(err, ErrNotFound) {
		t.Errorf("a session of the token of a disabled account: %v", err)
	}
	if err := SetDisabled(ctx, db, cli, "13800000001", false); err != nil {
		t.Fatal(err)
	}
	if err := c.RevokeOwnToken(ctx, zhang, issued.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SignIn(ctx, issued.Token); !errors.Is(err, ErrNotFound) {
		t.Errorf("a revoked token: %v", err)
	}
	if ts, _ := c.OwnTokens(ctx, zhang); len(ts) != 1 || ts[0].RevokedAt == nil {
		t.Errorf("the person's tokens: %+v", ts)
	}
	for _, action := range []string{"create_token", "revoke_token"} {
		if evs, _ := db.Audit(ctx, store.AuditFilter{Action: action, Outcome: "ok"}); len(evs) != 1 ||
			evs[0].Actor != "张三" || evs[0].Target != fmt.Sprintf("token:%d", issued.ID) {
			t.Errorf("%s entries: %+v", action, evs)
		}
	}
}

// BenchmarkPasswordHash is the cost of one sign-in's hash: what an attacker's wrong password costs the server.
func BenchmarkPasswordHash(b *testing.B) {
	h := hashPassword("Correct-Horse-9")
	for b.Loop() {
		passwordMatches(h, "Correct-Horse-9")
	}
}

// TestParallelGuessesMeetTheLock, on both databases: wrong passwords sent at once cannot outrun the lock. At most
// lockAfter of them are checked, the account is locked once (one audit entry), and the right password sent
// after them is refused.
func TestParallelGuessesMeetTheLock(t *testing.T) {
	ctx := context.Background()
	for dialect, db := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			c := New(Deps{Store: db, Location: time.UTC})
			created, err := CreateAccount(ctx, db, cli, AccountRequest{Login: "admin01", Name: "管理员",
				Role: vocab.RoleAdmin})
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			refusals := make(chan error, 20)
			for range 20 {
				wg.Go(func() {
					_, err := c.PasswordSignIn(ctx, "admin01", "Wrong-Pass-2026", "")
					refusals <- err
				})
			}
			wg.Wait()
			close(refusals)
			for err := range refusals {
				if kindOf(err) != Unauthenticated {
					t.Errorf("a parallel wrong password: %v", err)
				}
			}
			if _, err := c.PasswordSignIn(ctx, "admin01", created.Password, ""); !strings.Contains(fmt.Sprint(err),
				"locked") {
				t.Errorf("the right password after parallel wrong ones: %v", err)
			}
			if evs, _ := db.Audit(ctx, store.AuditFilter{Action: "lock_account"}); len(evs) != 1 {
				t.Errorf("the account was locked %d times", len(evs))
			}
		})
	}
}
