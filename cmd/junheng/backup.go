package main

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"syscall"
	"time"

	_ "github.com/libtnb/sqlite" // registers the "sqlite" database/sql driver (modernc), as the store uses
	"github.com/spf13/cobra"

	"junheng/internal/config"
	"junheng/internal/datadir"
)

// A backup is a gzip-compressed tar of the embedded default's data directory: temporal.db, junheng.db, files/…
// and last manifest.json, which lists every other entry with its size and SHA-256.
const (
	backupFormat  = 1
	temporalDB    = "temporal.db"
	appDB         = "junheng.db"
	filesDir      = "files"
	manifestName  = "manifest.json"
	sqliteTimeout = "10000" // ms a snapshot waits for the server's writer (busy_timeout)
)

// evidenceName is an evidence file: named by the SHA-256 of its content. Anything else in files/ is a
// temporary upload or a write check.
var evidenceName = regexp.MustCompile(`^[0-9a-f]{64}$`)

type manifest struct {
	Format  int       `json:"format"`
	Created time.Time `json:"created"`
	Version string    `json:"junheng_version"`
	// Evidence is "included", or "object_store" when JUNHENG_FILES_URL held the files and the archive has none.
	Evidence string          `json:"evidence"`
	Entries  []manifestEntry `json:"entries"`
}

type manifestEntry struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

func newBackupCmd(cfg *config.Config) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "backup --out FILE",
		Short: "Write a consistent archive of the embedded default's data directory, while serve runs",
		Long: `backup writes one archive (.tar.gz, mode 0600) of the data directory of the embedded default: ` +
			`the Temporal
database, then the app database, then the evidence files. Each database is copied in one read transaction
(VACUUM INTO) beside the running serve; the app database is copied after Temporal's, so it may be ahead of it,
never behind, and the activities that Temporal repeats after a restore are idempotent. Other files in the data
directory (keys, the lock file, SQLite's -wal and -shm) are left out. Restore with "junheng restore FILE".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := cfg.Validate(); err != nil {
				return err
			}
			if out == "" {
				return exitCode(2, errors.New("backup needs --out FILE"))
			}
			if err := embeddedOnly(cfg, "backup"); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return backup(ctx, cmd.OutOrStdout(), cfg, out)
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "archive to write (.tar.gz); an existing file is not overwritten")
	return cmd
}

func newRestoreCmd(cfg *config.Config) *cobra.Command {
	return &cobra.Command{
		Use:   "restore FILE",
		Short: "Fill an empty data directory from a backup archive; serve then continues the year",
		Long: `restore checks every entry of a "junheng backup" archive against its manifest and writes them into ` +
			`the data
directory, which must be empty or missing (created 0700). It holds the data directory's lock, so it refuses while
serve runs there. Started on the directory afterwards, serve goes on from the moment of the backup: pending
deadlines fire, open items go on.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cfg.Validate(); err != nil {
				return err
			}
			if err := embeddedOnly(cfg, "restore"); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return restore(ctx, cmd.OutOrStdout(), cfg, args[0])
		},
	}
}

// embeddedOnly refuses a configuration whose data is not in the data directory.
func embeddedOnly(cfg *config.Config, what string) error {
	if cfg.DatabaseURL != "" || cfg.TemporalAddress != "" {
		return fmt.Errorf("%s covers the embedded default only (SQLite and the embedded Temporal in %s); with "+
			"JUNHENG_DATABASE_URL or TEMPORAL_ADDRESS set, use the standard tools the README lists: pg_dump for the "+
			"app database and the Temporal cluster's own persistence backup", what, cfg.DataDir)
	}
	return nil
}

func backup(ctx context.Context, stdout io.Writer, cfg *config.Config, out string) (err error) {
	started := time.Now()
	for _, name := range []string{temporalDB, appDB} {
		if _, err := os.Stat(cfg.Path(name)); err != nil {
			return fmt.Errorf("data directory %s: %w (has serve ever run there? is JUNHENG_DATA_DIR right?)",
				cfg.DataDir, err)
		}
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists: backup does not overwrite a file; choose another --out", out)
	} else if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(out) // a partial archive must not pass for a backup
		}
	}()
	// The snapshots are made beside the archive, not in the data directory, whose disk serve needs.
	scratch, err := os.MkdirTemp(filepath.Dir(out), ".junheng-backup-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(scratch)

	// Temporal first: the app database copied after it is at least as recent, and whatever it holds that Temporal
	// does not know yet is written again, idempotently, by the activities Temporal repeats.
	snapshots := map[string]string{}
	for _, name := range []string{temporalDB, appDB} {
		snapshots[name] = filepath.Join(scratch, name)
		if err := snapshot(ctx, cfg.Path(name), snapshots[name]); err != nil {
			return err
		}
	}

	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	m := manifest{Format: backupFormat, Created: started.UTC(), Version: versionString(), Evidence: "included"}
	for _, name := range []string{temporalDB, appDB} {
		if err := addFile(tw, &m, name, snapshots[name]); err != nil {
			return err
		}
	}
	evidence, evidenceBytes := 0, int64(0)
	if cfg.FilesURL != "" {
		m.Evidence = "object_store"
	} else {
		if evidence, evidenceBytes, err = addEvidence(ctx, tw, &m, cfg.Path(filesDir)); err != nil {
			return err
		}
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: manifestName, Mode: 0o600, Size: int64(len(data)), ModTime: m.Created,
		Typeflag: tar.TypeReg}); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	if _, err := tw.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	for _, c := range []io.Closer{tw, gz} {
		if err := c.Close(); err != nil {
			return fmt.Errorf("write %s: %w", out, err)
		}
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	fi, err := f.Stat()
	if err != nil {
		return err
	}

	fmt.Fprintf(stdout, "backup of %s written to %s (%s): %s %s, %s %s, ", cfg.DataDir, out, byteSize(fi.Size()),
		temporalDB, byteSize(m.Entries[0].Size), appDB, byteSize(m.Entries[1].Size))
	if cfg.FilesURL != "" {
		fmt.Fprintln(stdout, "no evidence files: they are in the object store (JUNHENG_FILES_URL), which is backed "+
			"up by its own means")
	} else {
		fmt.Fprintf(stdout, "%d evidence files (%s)\n", evidence, byteSize(evidenceBytes))
	}
	_, err = fmt.Fprintf(stdout, "took %.1f s\n", time.Since(started).Seconds())
	return err
}

// snapshot copies the SQLite database src to dst in one read transaction (VACUUM INTO), which in WAL mode runs
// beside the server's writer. An online backup (the backup API) would start over whenever serve writes.
func snapshot(ctx context.Context, src, dst string) error {
	abs, err := filepath.Abs(src)
	if err != nil {
		return err
	}
	// A file: URI, so that SQLite applies mode=ro: a missing file is an error, never created.
	dsn := (&url.URL{Scheme: "file", Path: abs}).String() + "?mode=ro&_busy_timeout=" + sqliteTimeout
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return fmt.Errorf("open %s: %w", src, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return nil
}

// addFile appends the file at src to the archive as name, recording it in the manifest.
func addFile(tw *tar.Writer, m *manifest, name, src string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: fi.Size(), ModTime: fi.ModTime(),
		Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(tw, h), f); err != nil {
		return fmt.Errorf("archive %s: %w", src, err)
	}
	m.Entries = append(m.Entries, manifestEntry{Name: name, Size: fi.Size(), SHA256: hex.EncodeToString(h.Sum(nil))})
	return nil
}

// addEvidence appends the evidence files. They are written once under their hash and never changed, so a file
// listed here is complete; one uploaded after the listing is not needed by the app database copied before it.
func addEvidence(ctx context.Context, tw *tar.Writer, m *manifest, dir string) (n int, size int64, err error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, 0, nil // no evidence uploaded yet
	} else if err != nil {
		return 0, 0, err
	}
	if err := tw.WriteHeader(&tar.Header{Name: filesDir + "/", Mode: 0o700, ModTime: time.Now(),
		Typeflag: tar.TypeDir}); err != nil {
		return 0, 0, err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !evidenceName.MatchString(e.Name()) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return 0, 0, err
		}
		if err := addFile(tw, m, filesDir+"/"+e.Name(), filepath.Join(dir, e.Name())); err != nil {
			return 0, 0, err
		}
		n, size = n+1, size+m.Entries[len(m.Entries)-1].Size
	}
	return n, size, nil
}

func restore(ctx context.Context, stdout io.Writer, cfg *config.Config, archive string) error {
	f, err := os.Open(archive)
	if err != nil {
		return err
	}
	defer f.Close()
	lock, err := datadir.Acquire(cfg.DataDir, "restore")
	if err != nil {
		return err
	}
	defer lock.Release()
	entries, err := os.ReadDir(cfg.DataDir)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(entries, func(e fs.DirEntry) bool { return e.Name() != datadir.LockName }) {
		return fmt.Errorf("data directory %s is not empty: restore fills an empty directory only (move it aside, or "+
			"choose another --data-dir)", cfg.DataDir)
	}
	// Everything is written to a staging directory and checked against the manifest before it takes its place,
	// so a damaged archive leaves the data directory empty.
	staging, err := os.MkdirTemp(cfg.DataDir, ".restore-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(staging)
	m, err := extract(ctx, f, staging)
	if err != nil {
		return fmt.Errorf("archive %s: %w; nothing restored", archive, err)
	}
	names := []string{temporalDB, appDB}
	if m.Evidence == "included" {
		names = append(names, filesDir)
		if err := os.MkdirAll(filepath.Join(staging, filesDir), 0o700); err != nil {
			return err
		}
		if err := syncDir(filepath.Join(staging, filesDir)); err != nil {
			return err
		}
	}
	for _, name := range names {
		if err := os.Rename(filepath.Join(staging, name), cfg.Path(name)); err != nil {
			return err
		}
	}
	if err := syncDir(cfg.DataDir); err != nil {
		return err
	}

	evidence := 0
	for _, e := range m.Entries {
		if path.Dir(e.Name) == filesDir {
			evidence++
		}
	}
	fmt.Fprintf(stdout, "restored %s into %s: the backup of %s (junheng %s), %s %s, %s %s, ", archive, cfg.DataDir,
		m.Created.Format(time.RFC3339), m.Version, temporalDB, byteSize(m.Entries[0].Size), appDB,
		byteSize(m.Entries[1].Size))
	if m.Evidence == "included" {
		_, err = fmt.Fprintf(stdout, "%d evidence files\n", evidence)
		if cfg.FilesURL != "" && evidence > 0 {
			_, err = fmt.Fprintf(stdout, "note: JUNHENG_FILES_URL is set, so serve reads evidence from the "+
				"object store, not from %s\n", cfg.Path(filesDir))
		}
	} else {
		_, err = fmt.Fprintln(stdout, "no evidence files: they were in the object store (JUNHENG_FILES_URL)")
	}
	return err
}

// extract writes the archive's entries into dir (files 0600, directories 0700) and checks them against its
// manifest: the same names, sizes and SHA-256, nothing more and nothing less.
func extract(ctx context.Context, r io.Reader, dir string) (manifest, error) {
	var m manifest
	gz, err := gzip.NewReader(r)
	if err != nil {
		return m, fmt.Errorf("not a junheng backup (gzip): %w", err)
	}
	tr := tar.NewReader(gz)
	got := map[string]manifestEntry{}
	var manifestData []byte
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			return m, fmt.Errorf("damaged: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return m, err
		}
		switch name := hdr.Name; {
		case manifestData != nil:
			return m, fmt.Errorf("entry %q after the manifest", name)
		case name == manifestName && hdr.Typeflag == tar.TypeReg:
			if manifestData, err = io.ReadAll(io.LimitReader(tr, 64<<20)); err != nil {
				return m, fmt.Errorf("damaged: %w", err)
			}
		case name == filesDir+"/" && hdr.Typeflag == tar.TypeDir:
			if err := os.Mkdir(filepath.Join(dir, filesDir), 0o700); err != nil {
				return m, err
			}
		case (name == temporalDB || name == appDB || isEvidence(name)) && hdr.Typeflag == tar.TypeReg:
			if _, dup := got[name]; dup {
				return m, fmt.Errorf("entry %q appears twice", name)
			}
			sum, err := writeEntry(tr, filepath.Join(dir, filepath.FromSlash(name)))
			if err != nil {
				return m, err
			}
			got[name] = manifestEntry{Name: name, Size: hdr.Size, SHA256: sum}
		default:
			return m, fmt.Errorf("unexpected entry %q", name)
		}
	}
	// The gzip trailer's checksum is read only at the end of the stream.
	if _, err := io.Copy(io.Discard, gz); err != nil {
		return m, fmt.Errorf("damaged: %w", err)
	}
	if manifestData == nil {
		return m, errors.New("no manifest: the archive is incomplete")
	}
	if err := json.Unmarshal(manifestData, &m); err != nil {
		return m, fmt.Errorf("manifest: %w", err)
	}
	if m.Format != backupFormat {
		return m, fmt.Errorf("format %d: this junheng reads format %d", m.Format, backupFormat)
	}
	if m.Evidence != "included" && m.Evidence != "object_store" {
		return m, fmt.Errorf("manifest: evidence %q is neither included nor object_store", m.Evidence)
	}
	if len(m.Entries) < 2 || m.Entries[0].Name != temporalDB || m.Entries[1].Name != appDB {
		return m, fmt.Errorf("manifest does not list %s and %s first", temporalDB, appDB)
	}
	for _, want := range m.Entries {
		have, ok := got[want.Name]
		switch {
		case m.Evidence != "included" && path.Dir(want.Name) == filesDir:
			return m, fmt.Errorf("%s in an archive without evidence files", want.Name)
		case !ok:
			return m, fmt.Errorf("%s is in the manifest but not in the archive", want.Name)
		case have != want:
			return m, fmt.Errorf("%s does not match the manifest (size %d, sha256 %s; the manifest says %d, %s)",
				want.Name, have.Size, have.SHA256, want.Size, want.SHA256)
		}
		delete(got, want.Name)
	}
	if len(got) > 0 {
		return m, fmt.Errorf("%s is not in the manifest", slices.Sorted(maps.Keys(got))[0])
	}
	return m, nil
}

func isEvidence(name string) bool {
	return path.Dir(name) == filesDir && evidenceName.MatchString(path.Base(name))
}

// writeEntry writes r to a new file at dst, synced, and answers the content's SHA-256.
func writeEntry(r io.Reader, dst string) (string, error) {
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(f, h), r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", filepath.Base(dst), err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// syncDir makes the renames into dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

func byteSize(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
