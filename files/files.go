// Package files keeps evidence files (档案) content-addressed by SHA-256, in a directory or an S3-compatible
// object store, and decides by content, never by name, which files are accepted.
package files

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"regexp"
)

// MaxSize is the largest evidence file accepted.
const MaxSize = 20 << 20

// Config chooses where files are kept: in the S3-compatible object store when S3 is set, else in Dir.
type Config struct {
	Dir string
	S3  *S3Config
}

// Store checks, names and keeps evidence files; callers do not see which backend holds them.
type Store struct{ b backend }

// backend keeps content under its ID. Store has already checked and hashed it, so put may skip content it
// holds already; open reports a missing ID as fs.ErrNotExist.
type backend interface {
	put(ctx context.Context, id, contentType string, data []byte) error
	open(ctx context.Context, id string) (io.ReadCloser, error)
	check(ctx context.Context) error
}

// New returns the store cfg describes, creating the directory if needed. It does not contact an object store:
// Check reports whether it is reachable.
func New(cfg Config) (*Store, error) {
	var b backend
	var err error
	if cfg.S3 != nil {
		b, err = newS3(*cfg.S3)
	} else {
		b, err = newDir(cfg.Dir)
	}
	if err != nil {
		return nil, err
	}
	return &Store{b: b}, nil
}

// Open returns the store in dir, creating it if needed.
func Open(dir string) (*Store, error) { return New(Config{Dir: dir}) }

// ErrType is returned for content that is not an accepted kind of document.
var ErrType = errors.New("not a PDF, image or Office document")

// ErrTooLarge is returned for files over MaxSize.
var ErrTooLarge = errors.New("file too large")

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Put stores r's content once and returns its ID (the SHA-256 in hex), size and content type.
func (s *Store) Put(ctx context.Context, r io.Reader) (id string, size int64, contentType string, err error) {
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
	if err := s.b.put(ctx, id, contentType, data); err != nil {
		return "", 0, "", err
	}
	return id, int64(len(data)), contentType, nil
}

// Open returns a stored file's content; the caller closes it. An ID that is not stored, or not an ID at all,
// is an error matching fs.ErrNotExist.
func (s *Store) Open(ctx context.Context, id string) (io.ReadCloser, error) {
	// Only a well-formed ID reaches the backend, so no name can point outside the store.
	if !sha256Hex.MatchString(id) {
		return nil, &fs.PathError{Op: "open", Path: id, Err: fs.ErrNotExist}
	}
	return s.b.open(ctx, id)
}

// Check reports whether the store can take files: the directory is writable, or the bucket is reachable
// with the configured credentials.
func (s *Store) Check(ctx context.Context) error { return s.b.check(ctx) }

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
