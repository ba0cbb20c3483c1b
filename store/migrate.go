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
// append a new one. Each step is SQL shared by both databases, with the few types and JSON reads that differ
// written as placeholders that columnTypes fills in.
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
		detail        TEXT NOT NULL DEFAULT '',
		event_key     TEXT
	);
	CREATE UNIQUE INDEX audit_events_event_key ON audit_events (event_key) WHERE event_key IS NOT NULL;
	CREATE INDEX audit_events_district_at ON audit_events (district_code, at);
	CREATE INDEX audit_events_target ON audit_events (target, at)`,

	// 2: the yearly cycle: drafts and immutable submissions with their evaluations, the cycle and finding read
	// model mirrored from the workflows, and notifications.
	`CREATE TABLE drafts (
		id            {{id}},
		year          INTEGER NOT NULL,
		district_code TEXT NOT NULL,
		data          TEXT NOT NULL,
		evaluation    TEXT NOT NULL DEFAULT '',
		verdict       TEXT NOT NULL DEFAULT '',
		shortfalls    INTEGER NOT NULL DEFAULT 0,
		created_by    TEXT NOT NULL,
		created_at    {{time}} NOT NULL
	);
	CREATE INDEX drafts_cycle ON drafts (year, district_code, id);
	CREATE TABLE submissions (
		year          INTEGER NOT NULL,
		district_code TEXT NOT NULL,
		version       INTEGER NOT NULL,
		draft_id      BIGINT NOT NULL,
		data          TEXT NOT NULL,
		evaluation    TEXT NOT NULL,
		verdict       TEXT NOT NULL,
		shortfall_keys TEXT NOT NULL DEFAULT '',
		late          BOOLEAN NOT NULL,
		submitted_by  TEXT NOT NULL,
		submitted_at  {{time}} NOT NULL,
		PRIMARY KEY (year, district_code, version)
	);
	CREATE UNIQUE INDEX submissions_draft ON submissions (year, district_code, draft_id);
	CREATE TABLE cycles (
		year                     INTEGER NOT NULL,
		district_code            TEXT NOT NULL,
		stage                    TEXT NOT NULL,
		self_assessment_deadline {{time}} NOT NULL,
		city_review_deadline     {{time}} NOT NULL,
		application_deadline     {{time}} NOT NULL,
		version                  INTEGER NOT NULL DEFAULT 0,
		verdict                  TEXT NOT NULL DEFAULT '',
		submitted_late           BOOLEAN NOT NULL DEFAULT FALSE,
		self_assessment_overdue  BOOLEAN NOT NULL DEFAULT FALSE,
		review_overdue           BOOLEAN NOT NULL DEFAULT FALSE,
		end_reason               TEXT NOT NULL DEFAULT '',
		state                    TEXT NOT NULL,
		updated_at               {{time}} NOT NULL,
		PRIMARY KEY (year, district_code)
	);
	CREATE INDEX cycles_year_stage ON cycles (year, stage);
	CREATE TABLE findings (
		id            TEXT PRIMARY KEY,
		year          INTEGER NOT NULL,
		district_code TEXT NOT NULL,
		seq           INTEGER NOT NULL,
		shortfall_id  TEXT NOT NULL DEFAULT '',
		title         TEXT NOT NULL,
		detail        TEXT NOT NULL DEFAULT '',
		source        TEXT NOT NULL,
		severity      TEXT NOT NULL,
		status        TEXT NOT NULL,
		plan_due      {{time}},
		due_date      {{time}},
		overdue       BOOLEAN NOT NULL DEFAULT FALSE,
		escalated     BOOLEAN NOT NULL DEFAULT FALSE,
		talks         INTEGER NOT NULL DEFAULT 0,
		circulars     INTEGER NOT NULL DEFAULT 0,
		state         TEXT NOT NULL DEFAULT '',
		created_at    {{time}} NOT NULL,
		updated_at    {{time}} NOT NULL,
		closed_at     {{time}}
	);
	CREATE INDEX findings_cycle ON findings (year, district_code, seq);
	CREATE INDEX findings_district_status ON findings (district_code, status, severity);
	CREATE INDEX findings_status_overdue ON findings (status, overdue);
	CREATE TABLE notifications (
		id            {{id}},
		key           TEXT NOT NULL UNIQUE,
		recipient     TEXT NOT NULL,
		district_code TEXT NOT NULL,
		year          INTEGER NOT NULL,
		target        TEXT NOT NULL,
		kind          TEXT NOT NULL,
		title_zh      TEXT NOT NULL,
		title_en      TEXT NOT NULL,
		created_at    {{time}} NOT NULL,
		read_at       {{time}}
	);
	CREATE INDEX notifications_scope ON notifications (recipient, district_code, id)`,

	// 3: the HTTP API: hashed bearer tokens, idempotent request replay, evidence files.
	`CREATE TABLE api_tokens (
		id            {{id}},
		name          TEXT NOT NULL,
		role          TEXT NOT NULL,
		district_code TEXT NOT NULL DEFAULT '',
		hash          TEXT NOT NULL UNIQUE,
		created_at    {{time}} NOT NULL,
		revoked_at    {{time}}
	);
	CREATE TABLE idempotency_keys (
		principal    TEXT NOT NULL,
		key          TEXT NOT NULL,
		request_hash TEXT NOT NULL,
		status       INTEGER NOT NULL DEFAULT 0,
		content_type TEXT NOT NULL DEFAULT '',
		body         {{blob}},
		created_at   {{time}} NOT NULL,
		PRIMARY KEY (principal, key)
	);
	CREATE TABLE files (
		id            TEXT NOT NULL,
		district_code TEXT NOT NULL,
		name          TEXT NOT NULL,
		content_type  TEXT NOT NULL,
		size          BIGINT NOT NULL,
		uploaded_by   TEXT NOT NULL,
		created_at    {{time}} NOT NULL,
		PRIMARY KEY (id, district_code)
	);
	CREATE TABLE deliveries (
		notification_id BIGINT NOT NULL,
		channel         TEXT NOT NULL,
		status          TEXT NOT NULL,
		attempts        INTEGER NOT NULL DEFAULT 0,
		last_error      TEXT NOT NULL DEFAULT '',
		updated_at      {{time}} NOT NULL,
		PRIMARY KEY (notification_id, channel)
	);
	CREATE INDEX deliveries_status ON deliveries (status, updated_at)`,

	// 4: the creation plans (创建方案) mirrored from their workflows: one row per district with the version in
	// effect, and every submitted version. The multi-year reads (ReportSubmissions, CyclesBetween) need no new
	// index: submissions and cycles are keyed (year, district_code, …), so a range of a few years is one index
	// range, and one district's rows in it are picked out inside that range. The accountability list counts the
	// year's talks and circulars from the audit trail, which the (action, at) index keeps from a full scan.
	`CREATE TABLE plans (
		district_code    TEXT PRIMARY KEY,
		status           TEXT NOT NULL,
		version          INTEGER NOT NULL,
		approved_version INTEGER NOT NULL DEFAULT 0,
		target_year      INTEGER NOT NULL DEFAULT 0,
		state            TEXT NOT NULL,
		updated_at       {{time}} NOT NULL
	);
	CREATE TABLE plan_versions (
		district_code       TEXT NOT NULL,
		version             INTEGER NOT NULL,
		target_year         INTEGER NOT NULL,
		plan                TEXT NOT NULL,
		responsibility_file TEXT NOT NULL,
		note                TEXT NOT NULL DEFAULT '',
		status              TEXT NOT NULL,
		submitted_by        TEXT NOT NULL,
		submitted_at        {{time}} NOT NULL,
		decided_by          TEXT NOT NULL DEFAULT '',
		decided_at          {{time}},
		comment             TEXT NOT NULL DEFAULT '',
		PRIMARY KEY (district_code, version)
	);
	CREATE INDEX audit_events_action_at ON audit_events (action, at)`,

	// 5: a year that survives a real year. The mirrored rows carry the workflow time and event count of the write
	// that made them, so that only a later write replaces them. Opening a year is claimed per district, for good:
	// a year Temporal no longer remembers (past its retention) is never started again; the years already opened
	// are claimed and started. Old idempotency keys expire by age.
	`ALTER TABLE cycles ADD COLUMN record_time BIGINT NOT NULL DEFAULT 0;
	ALTER TABLE cycles ADD COLUMN record_seq INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE findings ADD COLUMN record_time BIGINT NOT NULL DEFAULT 0;
	ALTER TABLE findings ADD COLUMN record_seq INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE plans ADD COLUMN record_time BIGINT NOT NULL DEFAULT 0;
	ALTER TABLE plans ADD COLUMN record_seq INTEGER NOT NULL DEFAULT 0;
	CREATE TABLE cycle_claims (
		year          INTEGER NOT NULL,
		district_code TEXT NOT NULL,
		started       BOOLEAN NOT NULL DEFAULT FALSE,
		claimed_at    {{time}} NOT NULL,
		started_at    {{time}},
		PRIMARY KEY (year, district_code)
	);
	INSERT INTO cycle_claims (year, district_code, started, claimed_at, started_at)
		SELECT year, district_code, TRUE, updated_at, updated_at FROM cycles;
	CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at)`,

	// 6: the version the office accepted (its approval, or a passed acceptance), which alone may be published. A
	// year reviewed before this step gets the newest version submitted by the time of its last approval or passed
	// acceptance in the audit trail: what the office had before it then.
	`ALTER TABLE cycles ADD COLUMN reviewed_version INTEGER NOT NULL DEFAULT 0;
	UPDATE cycles SET reviewed_version = COALESCE((
		SELECT MAX(s.version) FROM submissions s
		WHERE s.year = cycles.year AND s.district_code = cycles.district_code AND s.submitted_at <= (
			SELECT MAX(a.at) FROM audit_events a
			WHERE a.target = 'cycle:' || CAST(cycles.year AS TEXT) || ':' || cycles.district_code
				AND (a.action = 'approve' OR (a.action = 'acceptance' AND a.detail = 'passed')))), 0)`,

	// 7: the pages' sessions, where every api process finds them and a restart keeps them. A row is found by the
	// hash of the ID the browser holds and holds the principal (its token's ID), never a token.
	`CREATE TABLE web_sessions (
		id_hash       TEXT PRIMARY KEY,
		token_id      BIGINT NOT NULL,
		name          TEXT NOT NULL,
		role          TEXT NOT NULL,
		district_code TEXT NOT NULL DEFAULT '',
		csrf          TEXT NOT NULL,
		flash         TEXT NOT NULL DEFAULT '',
		created_at    {{time}} NOT NULL,
		expires_at    {{time}} NOT NULL
	);
	CREATE INDEX web_sessions_expires_at ON web_sessions (expires_at)`,

	// 8: people's accounts: a login name and an argon2id password hash, the role and the unit they work for; a
	// session names its account (token_id 0) or, as before, its token (account_id 0), and whether the person
	// signed in through the unified identity provider; a token may belong to the account that made it.
	`CREATE TABLE accounts (
		id                   {{id}},
		login                TEXT NOT NULL UNIQUE,
		name                 TEXT NOT NULL,
		role                 TEXT NOT NULL,
		district_code        TEXT NOT NULL DEFAULT '',
		password_hash        TEXT NOT NULL,
		must_change_password BOOLEAN NOT NULL DEFAULT TRUE,
		failed_attempts      INTEGER NOT NULL DEFAULT 0,
		locked_until         {{time}},
		disabled_at          {{time}},
		created_by           TEXT NOT NULL,
		created_at           {{time}} NOT NULL,
		password_changed_at  {{time}},
		last_sign_in_at      {{time}},
		totp_secret          TEXT NOT NULL DEFAULT '',
		totp_step            BIGINT NOT NULL DEFAULT 0
	);
	ALTER TABLE web_sessions ADD COLUMN account_id BIGINT NOT NULL DEFAULT 0;
	ALTER TABLE web_sessions ADD COLUMN federated BOOLEAN NOT NULL DEFAULT FALSE;
	ALTER TABLE api_tokens ADD COLUMN account_id BIGINT NOT NULL DEFAULT 0`,

	// 9: the four levels: provinces, their cities, the cities' districts and the districts' schools. Today's
	// districts go under one default province and city named by the lowest district code (renamed on the
	// organisation page); a person's or token's unit is the code of any level, and the office's and province's
	// existing principals get the default ones. The school's own data for a year is a draft row the school saves
	// and a submission row its workflow records; an audit row names the unit of the person who acted.
	`CREATE TABLE provinces (
		code       TEXT PRIMARY KEY,
		name       TEXT NOT NULL,
		created_at {{time}} NOT NULL
	);
	CREATE TABLE cities (
		code          TEXT PRIMARY KEY,
		name          TEXT NOT NULL,
		province_code TEXT NOT NULL,
		created_at    {{time}} NOT NULL
	);
	CREATE INDEX cities_province ON cities (province_code);
	ALTER TABLE districts ADD COLUMN city_code TEXT NOT NULL DEFAULT '';
	CREATE INDEX districts_city ON districts (city_code);
	CREATE TABLE schools (
		code          TEXT PRIMARY KEY,
		name          TEXT NOT NULL,
		district_code TEXT NOT NULL,
		kind          TEXT NOT NULL DEFAULT '',
		created_at    {{time}} NOT NULL
	);
	CREATE INDEX schools_district ON schools (district_code, code);
	INSERT INTO provinces (code, name, created_at)
		SELECT substr(m.c, 1, 2) || '0000', '默认省', CURRENT_TIMESTAMP
		FROM (SELECT MIN(code) AS c FROM districts) m WHERE m.c IS NOT NULL;
	INSERT INTO cities (code, name, province_code, created_at)
		SELECT substr(m.c, 1, 4) || '00', '默认市', substr(m.c, 1, 2) || '0000', CURRENT_TIMESTAMP
		FROM (SELECT MIN(code) AS c FROM districts) m WHERE m.c IS NOT NULL;
	UPDATE districts SET city_code = COALESCE((SELECT MIN(code) FROM cities), '');
	ALTER TABLE accounts RENAME COLUMN district_code TO unit_code;
	ALTER TABLE api_tokens RENAME COLUMN district_code TO unit_code;
	ALTER TABLE web_sessions RENAME COLUMN district_code TO unit_code;
	UPDATE accounts SET unit_code = COALESCE((SELECT MIN(code) FROM cities), '') WHERE role = 'office';
	UPDATE api_tokens SET unit_code = COALESCE((SELECT MIN(code) FROM cities), '') WHERE role = 'office';
	UPDATE web_sessions SET unit_code = COALESCE((SELECT MIN(code) FROM cities), '') WHERE role = 'office';
	UPDATE accounts SET unit_code = COALESCE((SELECT MIN(code) FROM provinces), '') WHERE role = 'province';
	UPDATE api_tokens SET unit_code = COALESCE((SELECT MIN(code) FROM provinces), '') WHERE role = 'province';
	UPDATE web_sessions SET unit_code = COALESCE((SELECT MIN(code) FROM provinces), '') WHERE role = 'province';
	ALTER TABLE audit_events ADD COLUMN actor_unit TEXT NOT NULL DEFAULT '';
	CREATE TABLE school_drafts (
		year          INTEGER NOT NULL,
		school_code   TEXT NOT NULL,
		district_code TEXT NOT NULL,
		data          TEXT NOT NULL,
		entered_by    TEXT NOT NULL,
		by_district   BOOLEAN NOT NULL DEFAULT FALSE,
		updated_at    {{time}} NOT NULL,
		PRIMARY KEY (year, school_code)
	);
	CREATE TABLE school_returns (
		year          INTEGER NOT NULL,
		school_code   TEXT NOT NULL,
		district_code TEXT NOT NULL,
		status        TEXT NOT NULL,
		deadline      {{time}} NOT NULL,
		data          TEXT NOT NULL DEFAULT '',
		reason        TEXT NOT NULL DEFAULT '',
		by_district   BOOLEAN NOT NULL DEFAULT FALSE,
		late          BOOLEAN NOT NULL DEFAULT FALSE,
		overdue       BOOLEAN NOT NULL DEFAULT FALSE,
		submissions   INTEGER NOT NULL DEFAULT 0,
		submitted_at  {{time}},
		started       BOOLEAN NOT NULL DEFAULT FALSE,
		updated_at    {{time}} NOT NULL,
		record_time   BIGINT NOT NULL DEFAULT 0,
		record_seq    INTEGER NOT NULL DEFAULT 0,
		PRIMARY KEY (year, school_code)
	);
	CREATE INDEX school_returns_district ON school_returns (year, district_code, status)`,

	// 10: the engine version and profile digest of each submission's evaluation beside it, so that the reports can
	// tell whether the evaluation they hold decoded is the stored one without reading it (Store.ReportSubmissions);
	// existing rows take theirs from the stored evaluation.
	`ALTER TABLE submissions ADD COLUMN engine INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE submissions ADD COLUMN profile_digest TEXT NOT NULL DEFAULT '';
	UPDATE submissions SET engine = COALESCE({{evaluation.engine}}, 0),
		profile_digest = COALESCE({{evaluation.profile_digest}}, '')`,

	// 11: the request that stored a draft, so that the same request sent again stores it once (Store.AddDraft).
	`ALTER TABLE drafts ADD COLUMN request_key TEXT NOT NULL DEFAULT '';
	CREATE UNIQUE INDEX drafts_request_key ON drafts (district_code, request_key) WHERE request_key <> ''`,
}

var columnTypes = map[Dialect]*strings.Replacer{
	SQLite: strings.NewReplacer("{{id}}", "INTEGER PRIMARY KEY AUTOINCREMENT", "{{time}}", "TIMESTAMP",
		"{{blob}}", "BLOB", "{{evaluation.engine}}", "json_extract(evaluation, '$.engine')",
		"{{evaluation.profile_digest}}", "json_extract(evaluation, '$.profile_digest')"),
	Postgres: strings.NewReplacer("{{id}}", "BIGSERIAL PRIMARY KEY", "{{time}}", "TIMESTAMPTZ", "{{blob}}", "BYTEA",
		"{{evaluation.engine}}", "CAST(CAST(evaluation AS JSON)->>'engine' AS INTEGER)",
		"{{evaluation.profile_digest}}", "CAST(evaluation AS JSON)->>'profile_digest'"),
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
