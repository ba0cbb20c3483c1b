package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"junheng/internal/config"
)

// runCLI runs the root command with args against the data directory dir.
func runCLI(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	t.Setenv("JUNHENG_DATA_DIR", dir)
	root := newRootCmd(&config.Config{})
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

func TestTokenCreateListRevoke(t *testing.T) {
	dir := t.TempDir()
	out, err := runCLI(t, dir, "token", "create", "--role", "office", "--name", "督导办")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	token := lines[len(lines)-1]
	if !strings.HasPrefix(token, "jh_") || len(token) < 40 {
		t.Fatalf("last line is not a token: %q", out)
	}
	list, err := runCLI(t, dir, "token", "list")
	if err != nil || !strings.Contains(list, "督导办") || strings.Contains(list, token) {
		t.Fatalf("list: %v\n%s", err, list)
	}
	if out, err := runCLI(t, dir, "token", "revoke", "1"); err != nil || !strings.Contains(out, "revoked") {
		t.Fatalf("revoke: %v %s", err, out)
	}
	if _, err := runCLI(t, dir, "token", "revoke", "1"); err == nil {
		t.Error("revoking twice succeeded")
	}
}

func TestTokenCreateChecksItsArguments(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"token", "create", "--role", "king", "--name", "x"},
		{"token", "create", "--role", "district", "--name", "x"},
		{"token", "create", "--role", "office", "--district", "370211", "--name", "x"},
		{"token", "create", "--role", "office"},
	} {
		_, err := runCLI(t, dir, args...)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != 2 {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
	if _, err := runCLI(t, dir, "token", "create", "--role", "district", "--district", "370211",
		"--name", "x"); err == nil || !strings.Contains(err.Error(), "not registered") {
		t.Errorf("token for an unregistered district: %v", err)
	}
}
