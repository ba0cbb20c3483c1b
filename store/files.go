package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"
)

// File is an evidence file (档案) as seen by one district (or by the office alone, DistrictCode ""). The content is
// stored once under its SHA-256 (ID); a row per district says who may read it.
type File struct {
	ID           string    `gorm:"primaryKey" json:"id"`
	DistrictCode string    `gorm:"primaryKey" json:"district_code,omitempty"`
	Name         string    `json:"name"`
	ContentType  string    `json:"content_type"`
	Size         int64     `json:"size"`
	UploadedBy   string    `json:"uploaded_by"`
	CreatedAt    time.Time `json:"created_at"`
}

// AddFile records a file for a district; recording the same content for the same district again keeps the first.
func (s *Store) AddFile(ctx context.Context, f *File) error {
	return translate(s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(f).Error)
}

// FileFor returns a file as one district may see it ("" = office), or ErrNotFound.
func (s *Store) FileFor(ctx context.Context, id, district string) (File, error) {
	var f File
	err := s.db.WithContext(ctx).Where("id = ? AND district_code = ?", id, district).Take(&f).Error
	return f, translate(err)
}

// AnyFile returns a file's record for any district (the office reads every file), or ErrNotFound.
func (s *Store) AnyFile(ctx context.Context, id string) (File, error) {
	return s.FileUnder(ctx, id, "")
}

// FileUnder returns a file's record for a district under unit ("" for any) or for no district (an office's own),
// or ErrNotFound.
func (s *Store) FileUnder(ctx context.Context, id, unit string) (File, error) {
	var f File
	q := s.db.WithContext(ctx).Where("id = ?", id)
	if unit != "" {
		q = q.Where(s.db.Where("district_code = ''").Or(under(s.db, "district_code", unit)))
	}
	err := q.Order("district_code").Take(&f).Error
	return f, translate(err)
}
