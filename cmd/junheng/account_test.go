package main

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"junheng/store"
)

// openDB opens the database that the commands run with dir use.
func openDB(t *testing.T, dir string) *store.Store {
	t.Helper()
	db, err := store.Open(context.Background(), "", filepath.Join(dir, "junheng.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func TestAccountCreateListResetDisable(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	out, err := runCLI(t, dir, "account", "create", "--role", "admin", "--login", "13800000001", "--name", "张三")
	if err != nil {
		t.Fatal(err)
	}
	password := lastLine(out)
	if !strings.Contains(out, "account 1 for 张三 (admin, login 13800000001) created") || len(password) < 10 ||
		strings.Contains(password, " ") {
		t.Fatalf("create printed %q", out)
	}
	db := openDB(t, dir)
	acc, err := db.AccountByLogin(ctx, "13800000001")
	if err != nil {
		t.Fatal(err)
	}
	if !acc.MustChangePassword || !strings.HasPrefix(acc.PasswordHash, "$argon2id$") ||
		strings.Contains(acc.PasswordHash, password) {
		t.Fatalf("stored account: %+v", acc)
	}

	list := func(want string) {
		t.Helper()
		out, err := runCLI(t, dir, "account", "list")
		if err != nil || !strings.Contains(out, "13800000001") || !strings.Contains(out, "张三") ||
			!strings.Contains(out, want) || strings.Contains(out, "argon2") {
			t.Fatalf("list, want %q: %v\n%s", want, err, out)
		}
	}
	list("must change password")
	if _, _, err := db.ClaimSignIn(ctx, acc.ID, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FailSignIn(ctx, acc.ID, 1, time.Hour, &store.AuditEvent{Actor: "test", Role: "system",
		Action: "lock_account", Outcome: "locked"}); err != nil {
		t.Fatal(err)
	}
	list("locked until ")

	out, err = runCLI(t, dir, "account", "reset-password", "13800000001")
	if err != nil {
		t.Fatal(err)
	}
	if again := lastLine(out); again == password || len(again) < 10 {
		t.Fatalf("reset-password printed %q", out)
	}
	list("must change password") // and no longer locked

	if out, err := runCLI(t, dir, "account", "disable", "13800000001"); err != nil ||
		!strings.Contains(out, "disabled") {
		t.Fatalf("disable: %v %s", err, out)
	}
	list("disabled")
	if out, err := runCLI(t, dir, "account", "enable", "13800000001"); err != nil ||
		!strings.Contains(out, "enabled") {
		t.Fatalf("enable: %v %s", err, out)
	}
	list("must change password")

	events, err := db.Audit(ctx, store.AuditFilter{Target: "account:1"})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range events {
		if !strings.HasPrefix(e.Actor, "命令行 command line (") || e.Role != "system" || e.Outcome != "ok" {
			t.Errorf("audit entry names %q (%s), outcome %s", e.Actor, e.Role, e.Outcome)
		}
		actions = append(actions, e.Action)
	}
	if got := strings.Join(actions, " "); got != "enable_account disable_account reset_password create_account" {
		t.Errorf("audit trail, newest first: %s", got)
	}
}

func TestAccountCommandsCheckTheirArguments(t *testing.T) {
	dir := t.TempDir()
	if _, err := runCLI(t, dir, "account", "create", "--role", "office", "--login", "duban",
		"--name", "督导办"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args  []string
		names string // the field the error names
	}{
		{[]string{"account", "create", "--role", "office", "--login", "duban", "--name", "另一人"}, "login"},
		{[]string{"account", "create", "--role", "district", "--login", "x", "--name", "x"}, "unit"},
		{[]string{"account", "create", "--role", "school", "--unit", "370211", "--login", "x", "--name", "x"},
			"unit"},
		{[]string{"account", "create", "--role", "king", "--login", "x", "--name", "x"}, "role"},
		{[]string{"account", "create", "--role", "office", "--login", "a b", "--name", "x"}, "login"},
		{[]string{"account", "create", "--role", "office", "--login", "x"}, "name"},
		{[]string{"account", "reset-password", "nobody"}, "login"},
		{[]string{"account", "disable", "nobody"}, "login"},
	} {
		_, err := runCLI(t, dir, c.args...)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(err.Error(), c.names) {
			t.Errorf("%v: %v, want a usage error naming %s", c.args, err, c.names)
		}
	}
}
