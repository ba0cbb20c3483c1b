// Package store is junheng's database: gorm models, versioned migrations and the repositories that the API and the
// activities use. The same code runs on PostgreSQL (production) and on an embedded SQLite file (the default).
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/libtnb/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"junheng/internal/datadir"
)

// Dialect names the database behind a Store.
type Dialect string

const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// Store is the database handle shared by the repositories.
type Store struct {
	db      *gorm.DB
	dialect Dialect
	where   string        // what to name in errors: host/database or file, never a password
	queries *atomic.Int64 // statements run, for tests that a read path does not grow with the data (no N+1)
	reports *reportCache  // decoded submissions, for ReportSubmissions
}

// Open connects to url (postgres://… or postgresql://…) or, when url is empty, to the SQLite file sqlitePath.
// It checks the connection, so an unreachable database fails here with one line naming where.
func Open(ctx context.Context, dbURL, sqlitePath string) (*Store, error) {
	s := &Store{reports: newReportCache(DefaultReportCache)}
	var dialector gorm.Dialector
	switch {
	case dbURL == "":
		// The directory 0700 and the files 0600: they hold every district's data.
		if err := datadir.Private(filepath.Dir(sqlitePath)); err != nil {
			return nil, fmt.Errorf("database: create directory for %s: %w", sqlitePath, err)
		}
		if err := datadir.PrivateDB(sqlitePath); err != nil {
			return nil, fmt.Errorf("database %s: %w", sqlitePath, err)
		}
		s.dialect, s.where = SQLite, sqlitePath
		// WAL lets readers run beside the writer; immediate transactions take the write lock up front, so two
		// writers wait for each other (busy_timeout) instead of failing on a lock upgrade. synchronous=FULL syncs
		// every commit: a draft answered 200 survives even a power loss.
		dialector = sqlite.Open(sqlitePath + "?_txlock=immediate&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" +
			"&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)")
	case strings.HasPrefix(dbURL, "postgres://") || strings.HasPrefix(dbURL, "postgresql://"):
		s.dialect, s.where = Postgres, redact(dbURL)
		dialector = postgres.Open(dbURL)
	default:
		return nil, fmt.Errorf("JUNHENG_DATABASE_URL: %q is not a postgres:// URL "+
			"(leave it empty for the embedded SQLite file)", redact(dbURL))
	}
	db, err := gorm.Open(dialector, &gorm.Config{
		Logger:         logger.Discard,
		NowFunc:        func() time.Time { return time.Now().UTC() },
		TranslateError: true,
	})
	if err != nil {
		return nil, fmt.Errorf("database %s (%s): %w", s.dialect, s.where, err)
	}
	s.db, s.queries = db, &atomic.Int64{}
	count := func(*gorm.DB) { s.queries.Add(1) }
	for _, err := range []error{
		db.Callback().Query().After("gorm:query").Register("junheng:count", count),
		db.Callback().Row().After("gorm:row").Register("junheng:count", count),
		db.Callback().Raw().After("gorm:raw").Register("junheng:count", count),
	} {
		if err != nil {
			return nil, err
		}
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	if s.dialect == SQLite {
		// One writer at a time is all SQLite does; a small pool keeps readers concurrent without lock storms.
		sqlDB.SetMaxOpenConns(4)
	} else {
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := s.Ping(pingCtx); err != nil {
		_ = sqlDB.Close()
		return nil, err
	}
	return s, nil
}

// Queries reports how many reading statements have run through this store.
func (s *Store) Queries() int64 { return s.queries.Load() }

// Dialect reports which database this is.
func (s *Store) Dialect() Dialect { return s.dialect }

// Connections is how many connections the store opens at most: the database work that can run at once.
func (s *Store) Connections() int {
	sqlDB, err := s.db.DB()
	if err != nil {
		return 1
	}
	return sqlDB.Stats().MaxOpenConnections
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err == nil {
		err = sqlDB.PingContext(ctx)
	}
	if err != nil {
		return fmt.Errorf("database %s (%s) unreachable: %w", s.dialect, s.where, err)
	}
	return nil
}

// Close releases the connections.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a row with the same key already exists.
var ErrConflict = errors.New("already exists")

// ErrCorrupt is returned, wrapping the decoding error, when a stored JSON column does not decode: what this code
// writes always does, so it is a bug, and reading the row again will not fix it.
var ErrCorrupt = errors.New("stored value does not decode")

func translate(err error) error {
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return ErrNotFound
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return ErrConflict
	case errors.As(err, &syntaxErr) || errors.As(err, &typeErr):
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return err
}

// redact drops the password from a database URL so it can be logged.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	return u.String()
}

// Unavailable reports whether err means the database could not be reached: the caller should answer 503 and
// retry later, not treat it as a fault of the request.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var connErr *pgconn.ConnectError
	var netErr net.Error
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08 is a lost connection; 57P01-57P03 a server shutting down or starting up.
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P")
	}
	return errors.As(err, &connErr) || errors.As(err, &netErr) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, sql.ErrConnDone) || errors.Is(err, io.ErrUnexpectedEOF) || pgconn.SafeToRetry(err)
}
