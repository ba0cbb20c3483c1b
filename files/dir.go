package files

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"junheng/internal/datadir"
)

// dirBackend keeps each file in a directory under its ID. Local file operations take no context.
type dirBackend struct{ dir string }

func newDir(dir string) (*dirBackend, error) {
	if err := datadir.Private(dir); err != nil { // 0700, its files 0600 (os.CreateTemp)
		return nil, fmt.Errorf("files: %w", err)
	}
	return &dirBackend{dir: dir}, nil
}

func (d *dirBackend) put(_ context.Context, id, _ string, data []byte) error {
	path := filepath.Join(d.dir, id)
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	// Write to a temporary name and rename, so a crash never leaves a partial file under a valid ID.
	tmp, err := os.CreateTemp(d.dir, "upload-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func (d *dirBackend) open(_ context.Context, id string) (io.ReadCloser, error) {
	f, err := os.Open(filepath.Join(d.dir, id))
	if err != nil {
		return nil, err // not a typed nil: callers may compare the ReadCloser with nil
	}
	return f, nil
}

func (d *dirBackend) check(context.Context) error {
	f, err := os.CreateTemp(d.dir, "check-*")
	if err != nil {
		return fmt.Errorf("files: %w", err)
	}
	f.Close()
	return os.Remove(f.Name())
}
