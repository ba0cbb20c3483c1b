package files

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestPutIsContentAddressedAndChecksContent(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")
	id, size, typ, err := s.Put(bytes.NewReader(pdf))
	if err != nil || size != int64(len(pdf)) || typ != "application/pdf" || len(id) != 64 {
		t.Fatalf("Put(pdf) = %s %d %s %v", id, size, typ, err)
	}
	again, _, _, err := s.Put(bytes.NewReader(pdf))
	if err != nil || again != id {
		t.Fatalf("same content, different ID: %s %s %v", again, id, err)
	}
	f, err := s.Open(id)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if !bytes.Equal(got, pdf) {
		t.Error("content changed")
	}
	if _, err := s.Open("../etc/passwd"); err == nil {
		t.Error("opened a path that is not an ID")
	}
	if _, _, _, err := s.Put(strings.NewReader("#!/bin/sh\nrm -rf /\n")); !errors.Is(err, ErrType) {
		t.Errorf("a shell script named anything: %v", err)
	}
	if _, _, _, err := s.Put(io.LimitReader(zeros{}, MaxSize+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized: %v", err)
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
