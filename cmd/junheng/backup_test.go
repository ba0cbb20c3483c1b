package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fakeDataDir makes a data directory as serve leaves it, without running serve: the app database (with a token),
// a Temporal database, evidence files beside an unfinished upload, and files that must stay out of a backup.
func fakeDataDir(t *testing.T) (dir, evidence string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "data")
	if _, err := runCLI(t, dir, "token", "create", "--role", "admin", "--name", "backup-test"); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, temporalDB))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec("CREATE TABLE executions (id TEXT); INSERT INTO executions VALUES ('cycle:2025:370211')")
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	content := []byte("%PDF-1.4\n% 整改佐证\n")
	sum := sha256.Sum256(content)
	evidence = hex.EncodeToString(sum[:])
	for name, data := range map[string][]byte{
		"files/" + evidence:          content,
		"files/upload-123":           []byte("half an upload"),
		"temporal-api-key":           []byte("secret"),
		"tls/server.key":             []byte("secret"),
		"temporal-internode-key.pem": []byte("secret"),
		"junheng.lock":               []byte("1 serve\n"),
		"temporal.db.new":            []byte("scratch"),
		"notes-for-admin.txt":        []byte("secret"),
	} {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir, evidence
}

// archiveEntries lists an archive's entry names with their content.
func archiveEntries(t *testing.T, path string) ([]string, map[string][]byte) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var names []string
	content := map[string][]byte{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return names, content
		} else if err != nil {
			t.Fatal(err)
		}
		names = append(names, hdr.Name)
		content[hdr.Name], _ = io.ReadAll(tr)
	}
}

// TestBackupAndRestoreRefusals: what backup writes (an allow-list, in order, with a manifest) and what backup and
// restore refuse: an existing --out, a non-empty directory, a damaged or altered archive, and the production shape.
func TestBackupAndRestoreRefusals(t *testing.T) {
	dir, evidence := fakeDataDir(t)
	out := filepath.Join(t.TempDir(), "year.tar.gz")
	if msg, err := runCLI(t, dir, "backup", "--out", out); err != nil || !strings.Contains(msg, "1 evidence files") {
		t.Fatalf("backup: %v\n%s", err, msg)
	}
	names, content := archiveEntries(t, out)
	if want := []string{temporalDB, appDB, "files/", "files/" + evidence, manifestName}; !slices.Equal(names, want) {
		t.Errorf("archive holds %q, want %q", names, want)
	}
	if m := content[manifestName]; !bytes.Contains(m, []byte(`"sha256"`)) || !bytes.Contains(m, []byte(`"format": 1`)) {
		t.Errorf("manifest: %s", content[manifestName])
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("archive mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".junheng-backup-*")); len(leftovers) > 0 {
		t.Errorf("scratch files left: %q", leftovers)
	}

	t.Run("existing --out", func(t *testing.T) {
		before, _ := os.ReadFile(out)
		_, err := runCLI(t, dir, "backup", "--out", out)
		if err == nil || err.Error() != out+" exists: backup does not overwrite a file; choose another --out" {
			t.Errorf("backup onto an existing file: %v", err)
		}
		if after, _ := os.ReadFile(out); !bytes.Equal(before, after) {
			t.Error("the existing file was changed")
		}
	})

	t.Run("restore", func(t *testing.T) {
		target := filepath.Join(t.TempDir(), "restored")
		if msg, err := runCLI(t, target, "restore", out); err != nil {
			t.Fatalf("restore: %v\n%s", err, msg)
		}
		err := filepath.WalkDir(target, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			fi, err := d.Info()
			if want := fs.FileMode(0o600); d.IsDir() && fi.Mode().Perm() != 0o700 ||
				!d.IsDir() && fi.Mode().Perm() != want {
				t.Errorf("%s: mode %v", path, fi.Mode().Perm())
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(filepath.Join(target, "files", evidence)); !bytes.Equal(got,
			content["files/"+evidence]) {
			t.Error("evidence file not restored")
		}
		secrets := []string{"temporal-api-key", "temporal-internode-key.pem", "tls", "notes-for-admin.txt",
			"temporal.db.new", "files/upload-123"}
		for _, secret := range secrets {
			if _, err := os.Stat(filepath.Join(target, secret)); !os.IsNotExist(err) {
				t.Errorf("%s was restored", secret)
			}
		}
		if list, err := runCLI(t, target, "token", "list"); err != nil || !strings.Contains(list, "backup-test") {
			t.Errorf("the restored app database: %v\n%s", err, list)
		}

		// Now it is not empty.
		_, err = runCLI(t, target, "restore", out)
		want := "data directory " + target + " is not empty: restore fills an empty directory only (move it aside, " +
			"or choose another --data-dir)"
		if err == nil || err.Error() != want {
			t.Errorf("restore into a non-empty directory: %v, want %q", err, want)
		}
	})

	t.Run("damaged", func(t *testing.T) {
		good, _ := os.ReadFile(out)
		flipped := bytes.Clone(good)
		flipped[len(flipped)/2] ^= 0xff
		altered := rewrite(t, good, func(name string, data []byte) []byte {
			if name == appDB {
				data[len(data)-1] ^= 0xff // the content changed, the manifest did not
			}
			return data
		})
		extra := rewrite(t, good, nil, "../../etc/cron.d/junheng")
		for name, c := range map[string]struct {
			data []byte
			want string
		}{
			"truncated":   {good[:len(good)/2], "unexpected EOF"},
			"flipped":     {flipped, ""},
			"altered":     {altered, "junheng.db does not match the manifest"},
			"extra entry": {extra, `unexpected entry "../../etc/cron.d/junheng"`},
			"not gzip":    {[]byte("PK\x03\x04 a zip"), "not a junheng backup"},
		} {
			archive := filepath.Join(t.TempDir(), name+".tar.gz")
			if err := os.WriteFile(archive, c.data, 0o600); err != nil {
				t.Fatal(err)
			}
			target := filepath.Join(t.TempDir(), "restored")
			_, err := runCLI(t, target, "restore", archive)
			if prefix := "archive " + archive + ": "; err == nil || !strings.HasPrefix(err.Error(), prefix) ||
				!strings.Contains(err.Error(), c.want) || !strings.HasSuffix(err.Error(), "; nothing restored") {
				t.Errorf("%s: %v; want %q… %q… nothing restored", name, err, prefix, c.want)
			}
			// Left empty but for the lock file: a good archive may be restored there next.
			if entries, _ := os.ReadDir(target); len(entries) != 1 || entries[0].Name() != "junheng.lock" {
				t.Errorf("%s: the data directory holds %v", name, entries)
			}
			if _, err := runCLI(t, target, "restore", out); err != nil {
				t.Errorf("%s: a good archive afterwards: %v", name, err)
			}
		}
	})

	t.Run("production shape", func(t *testing.T) {
		for _, env := range []string{"JUNHENG_DATABASE_URL=postgres://db/junheng", "TEMPORAL_ADDRESS=temporal:7233"} {
			name, value, _ := strings.Cut(env, "=")
			t.Setenv(name, value)
			for _, args := range [][]string{{"backup", "--out", filepath.Join(t.TempDir(), "x.tar.gz")},
				{"restore", out}} {
				_, err := runCLI(t, t.TempDir(), args...)
				if err == nil || !strings.Contains(err.Error(), "pg_dump") ||
					!strings.Contains(err.Error(), "the README lists") {
					t.Errorf("%s with %s: %v", args[0], env, err)
				}
			}
			t.Setenv(name, "")
		}
		t.Setenv("JUNHENG_FILES_URL", "s3://key:secret@minio:9000/evidence")
		s3out := filepath.Join(t.TempDir(), "s3.tar.gz")
		msg, err := runCLI(t, dir, "backup", "--out", s3out)
		if err != nil ||
			!strings.Contains(msg, "object store (JUNHENG_FILES_URL), which is backed up by its own means") {
			t.Errorf("backup with an object store: %v\n%s", err, msg)
		}
		if names, _ := archiveEntries(t, s3out); !slices.Equal(names, []string{temporalDB, appDB, manifestName}) {
			t.Errorf("archive with an object store holds %q", names)
		}
	})
}

// rewrite copies a good archive, passing each entry's content through edit and adding empty entries named extra
// before the manifest.
func rewrite(t *testing.T, good []byte, edit func(string, []byte) []byte, extra ...string) []byte {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(tr)
		if hdr.Name == manifestName {
			for _, name := range extra {
				_ = tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Typeflag: tar.TypeReg})
			}
		}
		if edit != nil {
			data = edit(hdr.Name, data)
		}
		hdr.Size = int64(len(data))
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write(data)
	}
	_ = tw.Close()
	_ = zw.Close()
	return buf.Bytes()
}
