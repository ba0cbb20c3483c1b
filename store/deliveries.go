package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"
)

// Delivery statuses.
const (
	Delivered = "delivered"
	Retrying  = "retrying" // failed, a retry will follow
	Failed    = "failed"   // given up: permanent error or out of retries
)

// Delivery is the state of one notification on one channel, so that failures are visible and a retry skips the
// channels that already have it.
type Delivery struct {
	NotificationID int64     `gorm:"primaryKey" json:"notification_id"`
	Channel        string    `gorm:"primaryKey" json:"channel"`
	Status         string    `json:"status"`
	Attempts       int       `json:"attempts"`
	LastError      string    `json:"last_error,omitempty"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// NotificationByKey returns a notification by its unique key, or ErrNotFound.
func (s *Store) NotificationByKey(ctx context.Context, key string) (Notification, error) {
	var n Notification
	err := s.db.WithContext(ctx).Where("key = ?", key).Take(&n).Error
	return n, translate(err)
}

// DeliveriesOf returns a notification's deliveries by channel.
func (s *Store) DeliveriesOf(ctx context.Context, notificationID int64) (map[string]Delivery, error) {
	var ds []Delivery
	if err := s.db.WithContext(ctx).Where("notification_id = ?", notificationID).Find(&ds).Error; err != nil {
		return nil, translate(err)
	}
	out := make(map[string]Delivery, len(ds))
	for _, d := range ds {
		out[d.Channel] = d
	}
	return out, nil
}

// RecordDelivery saves the outcome of one attempt.
func (s *Store) RecordDelivery(ctx context.Context, d *Delivery) error {
	d.UpdatedAt = time.Now().UTC()
	return translate(s.db.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(d).Error)
}

// Deliveries lists deliveries in a status ("" = all) of the notifications about the districts under unit ("" =
// every notification), most recently changed first.
func (s *Store) Deliveries(ctx context.Context, status, unit string, limit int) ([]Delivery, error) {
	q := s.db.WithContext(ctx).Order("updated_at DESC")
	if status != "" {
		q = q.Where("status = ?", status)
	}
	if unit != "" {
		q = q.Where("notification_id IN (?)", under(s.db.Model(&Notification{}).Select("id"), "district_code", unit))
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var out []Delivery
	err := q.Limit(limit).Find(&out).Error
	return out, translate(err)
}
