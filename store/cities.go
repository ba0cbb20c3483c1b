package store

import "context"

// Cities lists every city ordered by code, without the rest of the organisation: a province-wide page needs the
// cities' names, not the schools that Organisation reads too. There are a few hundred cities in the whole
// country, so callers pick theirs in memory.
func (s *Store) Cities(ctx context.Context) ([]City, error) {
	var cs []City
	err := s.db.WithContext(ctx).Order("code").Find(&cs).Error
	return cs, translate(err)
}
