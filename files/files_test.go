package files

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"
	"testing"
)

var pdf = []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")

// backends opens an empty store on each backend; every behaviour test runs against all of them.
var backends = map[string]func(t *testing.T) *Store{
	"dir": func(t *testing.T) *Store {
		s, err := Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	},
	"s3": func(t *testing.T) *Store { return newFakeS3(t).store(t, "right-key") },
}

func TestStore(t *testing.T) {
	tests := map[string]func(t *testing.T, s *Store){
		"content addressed": func(t *testing.T, s *Store) {
			// Large enough that reading it back streams past what a transport buffers.
			pdf := append(bytes.Clone(pdf), bytes.Repeat([]byte("%\n"), 1<<20)...)
			id, size, typ, err := s.Put(t.Context(), bytes.NewReader(pdf))
			if err != nil || size != int64(len(pdf)) || typ != "application/pdf" || len(id) != 64 {
				t.Fatalf("Put(pdf) = %s %d %s %v", id, size, typ, err)
			}
			again, _, _, err := s.Put(t.Context(), bytes.NewReader(pdf))
			if err != nil || again != id {
				t.Fatalf("same content, different ID: %s %s %v", again, id, err)
			}
			r, err := s.Open(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			r.Close()
			if err != nil || !bytes.Equal(got, pdf) {
				t.Errorf("content changed: %d bytes read, %v", len(got), err)
			}
		},
		"missing or malformed ID": func(t *testing.T, s *Store) {
			for _, id := range []string{strings.Repeat("0", 64), "../etc/passwd", "", strings.Repeat("A", 64)} {
				if r, err := s.Open(t.Context(), id); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("Open(%q) = %v, %v; want fs.ErrNotExist", id, r, err)
				}
			}
		},
		"type checked by content": func(t *testing.T, s *Store) {
			script := strings.NewReader("#!/bin/sh\nrm -rf /\n")
			if _, _, _, err := s.Put(t.Context(), script); !errors.Is(err, ErrType) {
				t.Errorf("a shell script named anything: %v", err)
			}
		},
		"size limited": func(t *testing.T, s *Store) {
			if _, _, _, err := s.Put(t.Context(), io.LimitReader(zeros{}, MaxSize+1)); !errors.Is(err, ErrTooLarge) {
				t.Errorf("oversized: %v", err)
			}
		},
		"ready": func(t *testing.T, s *Store) {
			if err := s.Check(t.Context()); err != nil {
				t.Error(err)
			}
		},
	}
	for backend, open := range backends {
		for name, test := range tests {
			t.Run(backend+"/"+name, func(t *testing.T) { test(t, open(t)) })
		}
	}
}

func TestDirCheckFailsWithoutDirectory(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(t.Context()); err == nil {
		t.Error("a removed directory was reported ready")
	}
}

func TestSniffOfficeOpenXMLNeedsContentTypes(t *testing.T) {
	zipWith := func(name string) []byte {
		var b bytes.Buffer
		w := zip.NewWriter(&b)
		f, _ := w.Create(name)
		f.Write([]byte("<Types/>"))
		w.Close()
		return b.Bytes()
	}
	if got := Sniff(zipWith("[Content_Types].xml")); got == "" {
		t.Error("an Office document was refused")
	}
	if got := Sniff(zipWith("payload.exe")); got != "" {
		t.Errorf("a plain zip was accepted as %s", got)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0
	}
	return len(p), nil
}
