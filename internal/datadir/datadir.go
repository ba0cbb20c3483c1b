// Package datadir keeps two junheng processes off one data directory: the embedded default's SQLite files and
// Temporal's would be written by two servers at once, each believing it owns the timers and the task queue.
package datadir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LockName is the lock file in the data directory. It stays after release (removing it would let a process
// that opened the old file and one that creates a new one both hold "the" lock); its content is the holder.
const LockName = "junheng.lock"

// Lock is a held data-directory lock.
type Lock struct {
	f *os.File
}

// Acquire creates dir (0700: it holds databases) if missing and takes an exclusive, non-blocking lock on its lock
// file for the life of the process or until Release. by names the holder ("serve", "restore") in the file, for
// the message another process gets. The lock is flock(2): the kernel drops it when the process dies, so a
// crash leaves nothing to clean up.
func Acquire(dir, by string) (*Lock, error) {
	if err := Private(dir); err != nil {
		return nil, fmt.Errorf("data directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, LockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("data directory %s: %w", dir, err)
	}
	if err := lock(f); err != nil {
		_ = f.Close()
		if errors.Is(err, errHeld) {
			return nil, inUse(dir, path)
		}
		return nil, fmt.Errorf("data directory %s: lock %s: %w", dir, path, err)
	}
	// Truncated only once held: the previous holder's line is stale, the current one's is not ours to touch.
	holder := fmt.Sprintf("%d %s\n", os.Getpid(), by)
	if err := f.Truncate(0); err == nil {
		_, err = f.WriteAt([]byte(holder), 0)
	}
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("data directory %s: write %s: %w", dir, path, err)
	}
	return &Lock{f: f}, nil
}

// Private creates dir 0700, or narrows an existing one that others may read (made before junheng said so).
func Private(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return Narrow(dir)
}

// Narrow takes the group's and others' permissions off path, a file or a directory, if it exists.
func Narrow(path string) error {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil || fi.Mode().Perm()&0o077 == 0 {
		return err
	}
	return os.Chmod(path, fi.Mode().Perm()&0o700)
}

// PrivateDB makes the SQLite database path 0600 before SQLite opens it, or narrows it and its -wal and -shm files:
// SQLite would create the database 0644, and the other two take its mode.
func PrivateDB(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		if err := Narrow(name); err != nil {
			return err
		}
	}
	return nil
}

// Release empties the lock file and unlocks it; later calls do nothing.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Truncate(0)
	if cerr := l.f.Close(); err == nil { // closing the last descriptor releases the flock
		err = cerr
	}
	l.f = nil
	return err
}

// inUse says who holds dir, as far as the lock file tells: the holder writes its line just after locking, so
// a process that looks in between sees no PID.
func inUse(dir, path string) error {
	who := "another junheng process"
	data, _ := os.ReadFile(path)
	if pid, by, ok := strings.Cut(strings.TrimSpace(string(data)), " "); ok {
		if _, err := strconv.Atoi(pid); err == nil && by != "" {
			who = fmt.Sprintf("another junheng %s (pid %s)", by, pid)
		}
	}
	return fmt.Errorf("data directory %s is in use by %s: stop it first", dir, who)
}
