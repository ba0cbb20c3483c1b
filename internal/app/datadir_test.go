package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
)

// TestSecondServeOnTheSameDataDir: a second serve on a data directory in use fails at start with one line naming
// the directory and the holder; once the first has stopped, serve starts there again.
func TestSecondServeOnTheSameDataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	cfg := testConfig(t, dir, "")
	first := start(t, cfg)
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("data directory mode %v (%v), want 0700", fi.Mode().Perm(), err)
	}

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	_, err := Start(context.Background(), cfg, log, Role{API: true, Worker: true, Migrate: true})
	want := fmt.Sprintf("data directory %s is in use by another junheng serve (pid %d): stop it first", dir, os.Getpid())
	if err == nil || err.Error() != want {
		t.Fatalf("second Start: %v, want %q", err, want)
	}

	first.Close()
	start(t, cfg).Close()
}
