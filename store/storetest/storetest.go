// Package storetest gives tests freshly migrated databases: an SQLite file always, and a new PostgreSQL database
// when JUNHENG_TEST_POSTGRES_URL names a server. CI sets that variable, and under CI its absence is an error, so the
// PostgreSQL path can never be skipped silently.
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx" for CREATE/DROP DATABASE

	"junheng/store"
)

// EnvPostgresURL names the variable that points tests at a PostgreSQL server.
const EnvPostgresURL = "JUNHENG_TEST_POSTGRES_URL"

var counter atomic.Int64

// Open returns one migrated store per database under test, closed and dropped when the test ends.
func Open(t testing.TB) map[store.Dialect]*store.Store {
	t.Helper()
	out := map[store.Dialect]*store.Store{store.SQLite: open(t, "", filepath.Join(t.TempDir(), "junheng.db"))}
	if url := PostgresURL(t); url != "" {
		out[store.Postgres] = open(t, Database(t, url), "")
	}
	return out
}

// SQLite returns a migrated SQLite store, closed when the test ends: for tests that need a store, not a dialect.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	return SQLiteFile(t, filepath.Join(t.TempDir(), "junheng.db"))
}

// SQLiteFile is SQLite on the file at path, for tests that also open the file themselves.
func SQLiteFile(t testing.TB, path string) *store.Store {
	t.Helper()
	return open(t, "", path)
}

// PostgresURL returns the server URL from the environment; under CI an empty value fails the test.
func PostgresURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv(EnvPostgresURL)
	if url == "" && os.Getenv("CI") != "" {
		t.Fatalf("%s is not set: CI must run the PostgreSQL tests", EnvPostgresURL)
	}
	return url
}

// Database creates an empty database on the server at url for this test, drops it at the end, and returns its URL.
func Database(t testing.TB, url string) string {
	t.Helper()
	admin, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("junheng_t_%d_%d_%d", os.Getpid(), time.Now().UnixNano(), counter.Add(1))
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create test database on %s: %v", EnvPostgresURL, err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		_ = admin.Close()
	})
	base, query, _ := strings.Cut(url, "?")
	base = base[:strings.LastIndex(base, "/")+1] + name
	if query != "" {
		return base + "?" + query
	}
	return base
}

func open(t testing.TB, url, sqlitePath string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), url, sqlitePath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}
