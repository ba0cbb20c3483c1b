package usecase

import (
	"context"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"junheng/store"
	"junheng/store/storetest"
	"junheng/vocab"
)

// TestSecondFactor: a second factor is on only once a code of its app confirmed it; then a sign-in needs the
// password and the app's current code, a code is taken once, a wrong code counts towards the lock like a wrong
// password; turning it off needs the password, and an administrator's reset removes it.
func TestSecondFactor(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	c := New(Deps{Store: db, Location: time.UTC})
	created, err := CreateAccount(ctx, db, cli, AccountRequest{Login: "office01", Name: "李四", Role: vocab.RoleOffice})
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.PasswordSignIn(ctx, "office01", created.Password, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ChangePassword(ctx, a, created.Password, "Strong-Pass-2026"); err != nil {
		t.Fatal(err)
	}
	setup, err := c.NewTOTP(ctx, a)
	if err != nil || setup.Secret == "" || setup.URL == "" {
		t.Fatalf("setup: %+v %v", setup, err)
	}
	if on, _ := c.TOTPEnabled(ctx, a); on {
		t.Fatal("a second factor is on before a code confirmed it")
	}
	if err := c.EnableTOTP(ctx, a, setup.Secret, "000000"); !hasField(err, "code") {
		t.Fatalf("a wrong confirming code: %v", err)
	}
	now := time.Now()
	code := func(at time.Time) string {
		s, err := totp.GenerateCode(setup.Secret, at)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if err := c.EnableTOTP(ctx, a, setup.Secret, code(now.Add(-30*time.Second))); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PasswordSignIn(ctx, "office01", "Strong-Pass-2026", ""); err != ErrSignInFailed {
		t.Errorf("a sign-in without the code: %v", err)
	}
	// The confirming code's step is used; the next step's code signs in, once.
	if _, err := c.PasswordSignIn(ctx, "office01", "Strong-Pass-2026", code(now.Add(-30*time.Second))); err !=
		ErrSignInFailed {
		t.Errorf("the confirming code signs in again: %v", err)
	}
	if _, err := c.PasswordSignIn(ctx, "office01", "Strong-Pass-2026", code(now)); err != nil {
		t.Fatalf("password and code: %v", err)
	}
	if _, err := c.PasswordSignIn(ctx, "office01", "Strong-Pass-2026", code(now)); err != ErrSignInFailed {
		t.Errorf("a code taken twice: %v", err)
	}
	acc, _ := db.AccountByLogin(ctx, "office01")
	if acc.FailedAttempts != 1 { // the code taken twice, since the sign-in
		t.Errorf("wrong codes counted %d times since the sign-in, want 1", acc.FailedAttempts)
	}

	if err := c.DisableTOTP(ctx, a, "wrong"); !hasField(err, "password") {
		t.Errorf("turned off without the password: %v", err)
	}
	// A second factor on is not replaced without the password: turning it off asks for it.
	if err := c.EnableTOTP(ctx, a, setup.Secret, code(now.Add(30*time.Second))); kindOf(err) != Refused {
		t.Fatalf("a second factor replaced while on: %v", err)
	}
	if _, err := ResetPassword(ctx, db, cli, "office01"); err != nil {
		t.Fatal(err)
	}
	if on, _ := c.TOTPEnabled(ctx, a); on {
		t.Error("an administrator's reset keeps the second factor")
	}
	evs, _ := db.Audit(ctx, store.AuditFilter{Action: "enable_totp", Outcome: "ok"})
	if len(evs) != 1 || evs[0].Actor != "李四" {
		t.Errorf("enable_totp entries: %+v", evs)
	}
}
