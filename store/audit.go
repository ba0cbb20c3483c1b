package store

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// AuditEvent is one entry of the append-only audit trail: who, in which role, did what to what, and how it ended.
type AuditEvent struct {
	ID           int64     `gorm:"primaryKey" json:"id"`
	At           time.Time `json:"at"`
	Actor        string    `json:"actor"`
	Role         string    `json:"role"`
	ActorUnit    string    `json:"actor_unit,omitempty"` // the unit of the person or token that acted
	DistrictCode string    `json:"district_code,omitempty"`
	Action       string    `json:"action"`
	Target       string    `json:"target,omitempty"`
	RequestID    string    `json:"request_id,omitempty"`
	Outcome      string    `json:"outcome"`
	Detail       string    `json:"detail,omitempty"`
	// EventKey is set on events written by workflows: unique, so a retried write is not doubled.
	EventKey *string `json:"-"`
}

// AuditFilter selects audit entries; empty fields match everything.
type AuditFilter struct {
	DistrictCode string
	Unit         string // only entries about the districts under this unit or by its people; "" for all
	Target       string
	Action       string
	Outcome      string
	Limit        int
	BeforeID     int64 // page backwards from this ID (exclusive)
}

// AppendAudit adds an entry. There is no update or delete: the trail is append-only.
func (s *Store) AppendAudit(ctx context.Context, e *AuditEvent) error {
	return translate(appendAudit(s.db.WithContext(ctx), e))
}

// appendAudit adds an entry in db, which may be a transaction that makes the change the entry records.
func appendAudit(db *gorm.DB, e *AuditEvent) error {
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	return db.Create(e).Error
}

// Audit lists entries newest first.
func (s *Store) Audit(ctx context.Context, f AuditFilter) ([]AuditEvent, error) {
	q := s.db.WithContext(ctx).Order("id DESC")
	if f.DistrictCode != "" {
		q = q.Where("district_code = ?", f.DistrictCode)
	}
	if f.Unit != "" {
		q = q.Where(s.db.Where("actor_unit = ?", f.Unit).Or(under(s.db, "district_code", f.Unit)))
	}
	if f.Target != "" {
		q = q.Where("target = ?", f.Target)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.Outcome != "" {
		q = q.Where("outcome = ?", f.Outcome)
	}
	if f.BeforeID > 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var out []AuditEvent
	err := q.Limit(limit).Find(&out).Error
	return out, translate(err)
}
