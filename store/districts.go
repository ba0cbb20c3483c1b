package store

import (
	"context"
	"time"
)

// District is a county-level unit (区/县) taking part in the cycle.
type District struct {
	Code      string    `gorm:"primaryKey" json:"code"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// CreateDistrict registers a district; ErrConflict when the code exists.
func (s *Store) CreateDistrict(ctx context.Context, d *District) error {
	return translate(s.db.WithContext(ctx).Create(d).Error)
}

// District returns one district or ErrNotFound.
func (s *Store) District(ctx context.Context, code string) (District, error) {
	var d District
	err := s.db.WithContext(ctx).Where("code = ?", code).Take(&d).Error
	return d, translate(err)
}

// Districts lists every district ordered by code.
func (s *Store) Districts(ctx context.Context) ([]District, error) {
	var ds []District
	err := s.db.WithContext(ctx).Order("code").Find(&ds).Error
	return ds, translate(err)
}
