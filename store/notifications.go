package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Notification is a message to the office or to one district.
type Notification struct {
	ID           int64      `gorm:"primaryKey" json:"id"`
	Key          string     `json:"-"`
	Recipient    string     `json:"recipient"` // office | district | school
	DistrictCode string     `json:"district_code"`
	Year         int        `json:"year"`
	Target       string     `json:"target"`
	Kind         string     `json:"kind"`
	TitleZh      string     `json:"title_zh"`
	TitleEn      string     `json:"title_en"`
	CreatedAt    time.Time  `json:"created_at"`
	ReadAt       *time.Time `json:"read_at,omitempty"`
}

// AddNotification stores a notification once per Key; it reports whether it was new.
func (s *Store) AddNotification(ctx context.Context, n *Notification) (bool, error) {
	res := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(n)
	return res.RowsAffected == 1, translate(res.Error)
}

// NotificationFilter selects notifications: the office's, or one district's.
type NotificationFilter struct {
	Recipient    string
	DistrictCode string
	Unit         string // only those about the districts under this unit (Store.Under); "" for all
	School       string // only those about this school's own data (target school:<year>:<district>:<school>)
	UnreadOnly   bool
	Limit        int
}

// where keeps the notifications f selects, read or not.
func (f NotificationFilter) where(q *gorm.DB) *gorm.DB {
	if f.DistrictCode != "" {
		q = q.Where("district_code = ?", f.DistrictCode)
	}
	if f.School != "" {
		q = q.Where("target LIKE ?", "school:%:"+f.School)
	}
	return under(q, "district_code", f.Unit)
}

// Notifications lists notifications newest first.
func (s *Store) Notifications(ctx context.Context, f NotificationFilter) ([]Notification, error) {
	q := f.where(s.db.WithContext(ctx).Where("recipient = ?", f.Recipient).Order("id DESC"))
	if f.UnreadOnly {
		q = q.Where("read_at IS NULL")
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var out []Notification
	err := q.Limit(limit).Find(&out).Error
	return out, translate(err)
}

// MarkNotificationRead marks one of a recipient's notifications read; ErrNotFound if it is not theirs.
func (s *Store) MarkNotificationRead(ctx context.Context, id int64, f NotificationFilter) error {
	q := s.db.WithContext(ctx).Model(&Notification{}).Where("id = ? AND recipient = ?", id, f.Recipient)
	res := f.where(q).Update("read_at", time.Now().UTC())
	if res.Error == nil && res.RowsAffected == 0 {
		return ErrNotFound
	}
	return translate(res.Error)
}
