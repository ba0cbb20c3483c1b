package store

import "context"

// MigrateTo brings the schema to version, for tests of a migration over the data of the step before it.
func (s *Store) MigrateTo(ctx context.Context, version int64) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	p, err := s.migrator(sqlDB)
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}

// Exec runs a statement, for tests that write rows as an older schema had them.
func (s *Store) Exec(ctx context.Context, query string, args ...any) error {
	return s.db.WithContext(ctx).Exec(query, args...).Error
}

// Sessions counts the sessions' rows, expired ones included.
func (s *Store) Sessions(ctx context.Context) (n int64, err error) {
	return n, s.db.WithContext(ctx).Model(&Session{}).Count(&n).Error
}

// Text runs a query for one text value as stored, nil for NULL: for tests of what a column holds.
func (s *Store) Text(ctx context.Context, query string, args ...any) (v *string, err error) {
	return v, s.db.WithContext(ctx).Raw(query, args...).Scan(&v).Error
}
