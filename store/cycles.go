package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Cycle is the read model of one district's year, mirrored from its workflow on every change.
type Cycle struct {
	Year                   int       `gorm:"primaryKey;autoIncrement:false" json:"year"`
	DistrictCode           string    `gorm:"primaryKey" json:"district_code"`
	Stage                  string    `json:"stage"`
	SelfAssessmentDeadline time.Time `json:"self_assessment_deadline"`
	CityReviewDeadline     time.Time `json:"city_review_deadline"`
	ApplicationDeadline    time.Time `json:"application_deadline"`
	Version                int       `json:"version"`
	Verdict                string    `json:"verdict"`
	SubmittedLate          bool      `json:"submitted_late"`
	SelfAssessmentOverdue  bool      `json:"self_assessment_overdue"`
	ReviewOverdue          bool      `json:"review_overdue"`
	EndReason              string    `json:"end_reason"`
	State                  string    `json:"-"` // the workflow's whole state, JSON
	UpdatedAt              time.Time `json:"updated_at"`
}

// RecordCycle upserts the cycle row and appends its audit event in one transaction; an event already recorded
// (same EventKey) is skipped, so a retried activity writes it once.
func (s *Store) RecordCycle(ctx context.Context, c *Cycle, ev *AuditEvent) error {
	return translate(s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(c).Error; err != nil {
			return err
		}
		return appendEvent(tx, ev)
	}))
}

// Cycle returns one district's year or ErrNotFound.
func (s *Store) Cycle(ctx context.Context, year int, district string) (Cycle, error) {
	var c Cycle
	err := s.db.WithContext(ctx).Where("year = ? AND district_code = ?", year, district).Take(&c).Error
	return c, translate(err)
}

// Cycles lists a year's cycles by district code, without the workflow state: city-wide lists read every row,
// and the state is most of a row's size (a profile of a national-size run showed it).
func (s *Store) Cycles(ctx context.Context, year int) ([]Cycle, error) {
	var cs []Cycle
	err := s.db.WithContext(ctx).Omit("state").Where("year = ?", year).Order("district_code").Find(&cs).Error
	return cs, translate(err)
}

func appendEvent(tx *gorm.DB, ev *AuditEvent) error {
	if ev == nil {
		return nil
	}
	if ev.At.IsZero() {
		ev.At = time.Now().UTC()
	}
	return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(ev).Error
}

// OpenCycle shows a just-opened cycle in the read model before its workflow has recorded itself; a row the
// workflow already wrote is left as it is.
func (s *Store) OpenCycle(ctx context.Context, c *Cycle) error {
	return translate(s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(c).Error)
}
