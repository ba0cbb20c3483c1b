package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
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
	want := fmt.Sprintf("data directory %s is in use by another junheng serve (pid %d): stop it first",
		dir, os.Getpid())
	if err == nil || err.Error() != want {
		t.Fatalf("second Start: %v, want %q", err, want)
	}

	first.Close()
	start(t, cfg).Close()
}

// TestCyclesRefuseA2012Profile: a profile file based on basic-2012, or giving the 2012 conditions to a 2017 base,
// stops the start before anything is opened; a province's variant of 2017 starts.
func TestCyclesRefuseA2012Profile(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for file, text := range map[string]string{
		"monitoring.yaml": "base: basic-2012\nname: basic-2012-shandong\n",
		"mixed.yaml": "name: national-2017-mixed\n" +
			"basic_2012: {county_government_score_min: 85, public_satisfaction_min: 0.85}\n",
	} {
		path := filepath.Join(dir, file)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg := testConfig(t, filepath.Join(dir, "data-"+file), "")
		cfg.Profile = path
		_, err := Start(context.Background(), cfg, log, Role{API: true, Worker: true, Migrate: true})
		if err == nil || !strings.Contains(err.Error(), "is a 2012 basic-balance profile") {
			t.Errorf("%s: %v", file, err)
		}
		if _, err := os.Stat(cfg.DataDir); !os.IsNotExist(err) {
			t.Errorf("%s: the data directory was made (%v)", file, err)
		}
	}
	path := filepath.Join(dir, "province.yaml")
	if err := os.WriteFile(path, []byte("name: national-2017-shandong\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if p, err := loadProfile(path); err != nil || p.Name != "national-2017-shandong" {
		t.Errorf("a 2017 variant: %v %v", p.Name, err)
	}
}
