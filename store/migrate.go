package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrations is the schema history, oldest first; version N is migrations[N-1]. Never edit a released step:
// append a new one. Each step is SQL shared by both databases, with the few types that differ written as
// placeholders that columnTypes fills in.
var migrations = []string{
	// 1: the foundation: districts and the append-only audit trail.
	`CREATE TABLE districts (
		code       TEXT PRIMARY KEY,
		name       TEXT NOT NULL,
		created_at {{time}} NOT NULL
	);
	CREATE TABLE audit_events (
		id            {{id}},
		at            {{time}} NOT NULL,
		actor         TEXT NOT NULL,
		role          TEXT NOT NULL,
		district_code TEXT NOT NULL DEFAULT '',
		action        TEXT NOT NULL,
		target        TEXT NOT NULL DEFAULT '',
		request_id    TEXT NOT NULL DEFAULT '',
		outcome       TEXT NOT NULL,
		detail        TEXT NOT NULL DEFAULT ''
	);
	CREATE INDEX audit_events_district_at ON audit_events (district_code, at);
	CREATE INDEX audit_events_target ON audit_events (target, at)`,
}

var columnTypes = map[Dialect]*strings.Replacer{
	SQLite:   strings.NewReplacer("{{id}}", "INTEGER PRIMARY KEY AUTOINCREMENT", "{{time}}", "TIMESTAMP", "{{blob}}", "BLOB"),
	Postgres: strings.NewReplacer("{{id}}", "BIGSERIAL PRIMARY KEY", "{{time}}", "TIMESTAMPTZ", "{{blob}}", "BYTEA"),
}

// Migrate brings the schema to the newest version. Concurrent callers on PostgreSQL (an api and a worker starting
// together) wait for each other through an advisory lock.
func (s *Store) Migrate(ctx context.Context) (applied int, err error) {
	sqlDB, err := s.db.DB()
	if err != nil {
		return 0, err
	}
	p, err := s.migrator(sqlDB)
	if err != nil {
		return 0, err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return len(results), fmt.Errorf("database %s (%s): migrate: %w", s.dialect, s.where, err)
	}
	return len(results), nil
}

// SchemaVersion reports the applied version and the newest this binary knows.
func (s *Store) SchemaVersion(ctx context.Context) (current, newest int64, err error) {
	sqlDB, err := s.db.DB()
	if err != nil {
		return 0, 0, err
	}
	p, err := s.migrator(sqlDB)
	if err != nil {
		return 0, 0, err
	}
	return p.GetVersions(ctx)
}

func (s *Store) migrator(sqlDB *sql.DB) (*goose.Provider, error) {
	steps := make([]*goose.Migration, len(migrations))
	for i, text := range migrations {
		statements := strings.Split(columnTypes[s.dialect].Replace(text), ";\n")
		steps[i] = goose.NewGoMigration(int64(i+1), &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			for _, stmt := range statements {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("%w in %q", err, strings.TrimSpace(stmt))
				}
			}
			return nil
		}}, nil)
	}
	opts := []goose.ProviderOption{goose.WithGoMigrations(steps...), goose.WithDisableGlobalRegistry(true)}
	dialect := goose.DialectSQLite3
	if s.dialect == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dialect, sqlDB, nil, opts...)
}
