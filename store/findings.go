package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"junheng/workflows"
)

// Finding is a rectification item (整改台账 row), mirrored from its workflow.
type Finding struct {
	ID           string     `gorm:"primaryKey" json:"id"`
	Year         int        `json:"year"`
	DistrictCode string     `json:"district_code"`
	Seq          int        `json:"seq"`
	ShortfallID  string     `json:"shortfall_id,omitempty"`
	Title        string     `json:"title"`
	Detail       string     `json:"detail,omitempty"`
	Source       string     `json:"source"`
	Severity     string     `json:"severity"`
	Status       string     `json:"status"`
	PlanDue      *time.Time `json:"plan_due,omitempty"`
	DueDate      *time.Time `json:"due_date,omitempty"`
	Overdue      bool       `json:"overdue"`
	Escalated    bool       `json:"escalated"`
	Talks        int        `json:"talks"`
	Circulars    int        `json:"circulars"`
	// State is the workflow's whole state: nil (stored as '') until the workflow has recorded the finding.
	State     *workflows.ItemState `gorm:"serializer:json;not null" json:"-"`
	CreatedAt time.Time            `json:"created_at"`
	UpdatedAt time.Time            `json:"updated_at"`
	ClosedAt  *time.Time           `json:"closed_at,omitempty"`
	Written
}

// CreateFindings stores new findings; IDs that exist are left as they are, so a retry creates nothing twice.
func (s *Store) CreateFindings(ctx context.Context, fs []Finding) error {
	if len(fs) == 0 {
		return nil
	}
	return translate(s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&fs).Error)
}

// RecordFinding updates a finding's mirrored state, unless the row holds a later write, and appends its audit
// event and notifications (as RecordCycle), in one transaction.
func (s *Store) RecordFinding(ctx context.Context, f *Finding, ev *AuditEvent, ns ...Notification) error {
	return translate(s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.OnConflict{
			Columns: []clause.Column{{Name: "id"}},
			DoUpdates: clause.AssignmentColumns([]string{"status", "plan_due", "due_date", "overdue", "escalated",
				"talks", "circulars", "state", "updated_at", "closed_at", "record_time", "record_seq"}),
			Where: newer("findings"),
		}).Create(f).Error; err != nil {
			return err
		}
		return appendTrail(tx, ev, ns)
	}))
}

// Finding returns one finding or ErrNotFound.
func (s *Store) Finding(ctx context.Context, id string) (Finding, error) {
	var f Finding
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&f).Error
	return f, translate(err)
}

// FindingsByID returns the findings with the given IDs, in the order given (missing ones are left out).
func (s *Store) FindingsByID(ctx context.Context, ids []string) ([]Finding, error) {
	var fs []Finding
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&fs).Error; err != nil {
		return nil, translate(err)
	}
	byID := make(map[string]Finding, len(fs))
	for _, f := range fs {
		byID[f.ID] = f
	}
	out := make([]Finding, 0, len(fs))
	for _, id := range ids {
		if f, ok := byID[id]; ok {
			out = append(out, f)
		}
	}
	return out, nil
}

// OpenSeriousFindings lists a district's serious findings that are not closed, of any year (carried over
// included), oldest first.
func (s *Store) OpenSeriousFindings(ctx context.Context, district string) ([]Finding, error) {
	var fs []Finding
	err := s.db.WithContext(ctx).
		Where("district_code = ? AND severity = ? AND status <> ?", district, "serious", "closed").
		Order("year, seq").Find(&fs).Error
	return fs, translate(err)
}
