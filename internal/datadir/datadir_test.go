package datadir

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

const childEnv = "DATADIR_TEST_HOLD" // makes the test binary hold the lock on that directory until killed

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		if _, err := Acquire(dir, "serve"); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		fmt.Println("locked")
		_, _ = io.Copy(io.Discard, os.Stdin)
		return
	}
	os.Exit(m.Run())
}

func TestLock(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	first, err := Acquire(dir, "serve")
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{dir: 0o700 | os.ModeDir, filepath.Join(dir, LockName): 0o600} {
		if fi, err := os.Stat(path); err != nil || fi.Mode() != want {
			t.Errorf("%s: mode %v (%v), want %v", path, fi.Mode(), err, want)
		}
	}
	_, err = Acquire(dir, "restore")
	want := fmt.Sprintf("data directory %s is in use by another junheng serve (pid %d): stop it first",
		dir, os.Getpid())
	if err == nil || err.Error() != want {
		t.Fatalf("second lock: %v, want %q", err, want)
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	if err := first.Release(); err != nil {
		t.Fatalf("second Release: %v", err)
	}
	again, err := Acquire(dir, "restore")
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, LockName)); string(data) != fmt.Sprintf("%d restore\n", os.Getpid()) {
		t.Errorf("lock file says %q", data)
	}
	if err := again.Release(); err != nil {
		t.Fatal(err)
	}
}

// TestLockOfAKilledProcess: a holder killed with SIGKILL leaves the lock file behind but not the lock.
func TestLockOfAKilledProcess(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	if _, err := cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "locked\n" {
		t.Fatalf("child: %q, %v", line, err)
	}
	_, err = Acquire(dir, "serve")
	want := fmt.Sprintf("data directory %s is in use by another junheng serve (pid %d): stop it first",
		dir, cmd.Process.Pid)
	if err == nil || err.Error() != want {
		t.Errorf("while the child holds it: %v, want %q", err, want)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	l, err := Acquire(dir, "serve")
	if err != nil {
		t.Fatalf("after the holder was killed: %v", err)
	}
	_ = l.Release()
}

// TestLockNarrowsAnOpenDirectory: a data directory made before junheng kept it private (0750) is narrowed to 0700.
func TestLockNarrowsAnOpenDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	l, err := Acquire(dir, "serve")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("data directory mode %v, %v; want 0700", fi.Mode().Perm(), err)
	}
}

// PrivateDB makes a new database file 0600, and narrows one made 0644 before, with its -wal and -shm files.
func TestPrivateDB(t *testing.T) {
	dir := t.TempDir()
	fresh := filepath.Join(dir, "new.db")
	old := filepath.Join(dir, "old.db")
	for _, name := range []string{old, old + "-wal", old + "-shm"} {
		if err := os.WriteFile(name, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, path := range []string{fresh, old} {
		if err := PrivateDB(path); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{fresh, old, old + "-wal", old + "-shm"} {
		if fi, err := os.Stat(name); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v, want 0600", name, fi.Mode().Perm(), err)
		}
	}
	if _, err := os.Stat(fresh + "-wal"); !os.IsNotExist(err) {
		t.Errorf("a -wal file was made: %v", err)
	}
}
