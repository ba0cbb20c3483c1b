package store

import (
	"context"
	"fmt"
	"junheng/workflows"
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
	ReviewedVersion        int       `json:"reviewed_version"` // the version the office accepted; 0 before
	// State is the workflow's whole state, zero where a list leaves it out.
	State     workflows.CycleState `gorm:"serializer:json" json:"-"`
	UpdatedAt time.Time            `json:"updated_at"`
	Written
}

// Written says which write of its workflow made a mirrored row: the workflow time of the change (Unix
// nanoseconds) and the workflow's count of changes. A row takes only a later write (see newer): a retry that
// arrives late, or a write of a run that a Reset replaced, never takes it back.
type Written struct {
	RecordTime int64 `json:"-"`
	RecordSeq  int   `json:"-"`
}

// newer is the condition under which an upsert replaces the row of table: the incoming write is later.
func newer(table string) clause.Where {
	return clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: fmt.Sprintf(
		"(%[1]s.record_time, %[1]s.record_seq) < (excluded.record_time, excluded.record_seq)", table)}}}
}

// RecordCycle upserts the cycle row, unless it holds a later write, and appends the audit event and stores the
// notifications the change sends, in one transaction; an event or notification already recorded (same key) is
// skipped, so a retried activity writes it once.
func (s *Store) RecordCycle(ctx context.Context, c *Cycle, ev *AuditEvent, ns ...Notification) error {
	return translate(s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if c.ReviewedVersion == 0 {
			// A year approved before the workflows recorded the reviewed version carries 0 in its state: it keeps
			// the version migration 6 found, or its next write would take the year off the public page.
			err := tx.Model(&Cycle{}).Select("reviewed_version").
				Where("year = ? AND district_code = ?", c.Year, c.DistrictCode).Scan(&c.ReviewedVersion).Error
			if err != nil {
				return err
			}
		}
		if err := tx.Clauses(clause.OnConflict{UpdateAll: true, Where: newer("cycles")}).Create(c).Error; err != nil {
			return err
		}
		return appendTrail(tx, ev, ns)
	}))
}

// CycleOf is the row that mirrors a cycle's workflow state, the one mapping of the state to the read model:
// the workflow's writes and the row shown the moment the office opens a year. The caller sets Written.
func CycleOf(s workflows.CycleState) *Cycle {
	return &Cycle{Year: s.Year, DistrictCode: s.District, Stage: string(s.Stage),
		SelfAssessmentDeadline: s.Deadlines.SelfAssessment, CityReviewDeadline: s.Deadlines.CityReview,
		ApplicationDeadline: s.Deadlines.Application, Version: s.Version, Verdict: s.Verdict,
		SubmittedLate: s.SubmittedLate, SelfAssessmentOverdue: s.SelfAssessmentOverdue, ReviewOverdue: s.ReviewOverdue,
		EndReason: s.EndReason, ReviewedVersion: s.ReviewedVersion, State: s, UpdatedAt: time.Now().UTC()}
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

// appendTrail appends what a change leaves beside its row: its audit event (if any) and its notifications, each
// once per key.
func appendTrail(tx *gorm.DB, ev *AuditEvent, ns []Notification) error {
	if ev != nil {
		if ev.At.IsZero() {
			ev.At = time.Now().UTC()
		}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(ev).Error; err != nil {
			return err
		}
	}
	if len(ns) == 0 {
		return nil
	}
	return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&ns).Error
}

// OpenCycle shows a just-opened cycle in the read model before its workflow has recorded itself; a row the
// workflow already wrote is left as it is.
func (s *Store) OpenCycle(ctx context.Context, c *Cycle) error {
	return translate(s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(c).Error)
}

// ClaimCycles claims the year for each district not claimed yet: a district added after the year was opened gets
// its claim when the office opens the year again. It returns the districts whose claim is not marked started,
// whether claimed now or by an attempt that did not finish; a claim whose year has a row (its workflow wrote it,
// or the start was not marked for a failure after it) is marked started first.
func (s *Store) ClaimCycles(ctx context.Context, year int, districts []string) ([]string, error) {
	now := time.Now().UTC()
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, d := range districts {
			claim := cycleClaim{Year: year, DistrictCode: d, ClaimedAt: now}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&claim).Error; err != nil {
				return err
			}
		}
		return tx.Model(&cycleClaim{}).Where("year = ? AND NOT started AND EXISTS (SELECT 1 FROM cycles c "+
			"WHERE c.year = cycle_claims.year AND c.district_code = cycle_claims.district_code)", year).
			Updates(map[string]any{"started": true, "started_at": now}).Error
	})
	if err != nil {
		return nil, translate(err)
	}
	var open []string
	err = s.db.WithContext(ctx).Model(&cycleClaim{}).Where("year = ? AND NOT started", year).
		Order("district_code").Pluck("district_code", &open).Error
	return open, translate(err)
}

// CycleStarted marks a claimed year started: it is never started again.
func (s *Store) CycleStarted(ctx context.Context, year int, district string) error {
	return translate(s.db.WithContext(ctx).Model(&cycleClaim{}).Where("year = ? AND district_code = ?", year, district).
		Updates(map[string]any{"started": true, "started_at": time.Now().UTC()}).Error)
}

// cycleClaim records that the office opened a year for a district, and whether its workflow was started.
type cycleClaim struct {
	Year         int    `gorm:"primaryKey;autoIncrement:false"`
	DistrictCode string `gorm:"primaryKey"`
	Started      bool
	ClaimedAt    time.Time
	StartedAt    *time.Time
}
