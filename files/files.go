// Package files keeps evidence files (档案) content-addressed by SHA-256 in a directory, and decides by content,
// never by name, which files are accepted.
package files

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
)

// MaxSize is the largest evidence file accepted.
const MaxSize = 20 << 20

// Store is a directory of files named by their SHA-256.
type Store struct{ dir string }

// Open returns the store in dir, creating it if needed.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("files: %w", err)
	}
	return &Store{dir: dir}, nil
}

// ErrType is returned for content that is not an accepted kind of document.
var ErrType = errors.New("not a PDF, image or Office document")

// ErrTooLarge is returned for files over MaxSize.
var ErrTooLarge = errors.New("file too large")

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Put stores r's content once and returns its ID (the SHA-256 in hex), size and content type.
func (s *Store) Put(r io.Reader) (id string, size int64, contentType string, err error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return "", 0, "", err
	}
	if len(data) > MaxSize {
		return "", 0, "", ErrTooLarge
	}
	if contentType = Sniff(data); contentType == "" {
		return "", 0, "", ErrType
	}
	sum := sha256.Sum256(data)
	id = hex.EncodeToString(sum[:])
	path := s.path(id)
	if _, err := os.Stat(path); err == nil {
		return id, int64(len(data)), contentType, nil
	}
	// Write to a temporary name and rename, so a crash never leaves a partial file under a valid ID.
	tmp, err := os.CreateTemp(s.dir, "upload-*")
	if err != nil {
		return "", 0, "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", 0, "", err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", 0, "", err
	}
	if err := tmp.Close(); err != nil {
		return "", 0, "", err
	}
	return id, int64(len(data)), contentType, os.Rename(tmp.Name(), path)
}

// Open returns a stored file's content.
func (s *Store) Open(id string) (*os.File, error) {
	if !sha256Hex.MatchString(id) {
		return nil, os.ErrNotExist
	}
	return os.Open(s.path(id))
}

func (s *Store) path(id string) string { return filepath.Join(s.dir, id) }

// Sniff returns the content type of an accepted document, or "" for anything else: PDF, PNG, JPEG, GIF, WebP,
// Office Open XML (a zip holding [Content_Types].xml) and legacy Office (OLE2) files.
func Sniff(data []byte) string {
	switch t := http.DetectContentType(data); t {
	case "application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp":
		return t
	case "application/zip":
		if z, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); err == nil {
			for _, f := range z.File {
				if f.Name == "[Content_Types].xml" {
					return "application/vnd.openxmlformats-officedocument"
				}
			}
		}
	}
	if bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}) {
		return "application/x-ole-storage"
	}
	return ""
}
