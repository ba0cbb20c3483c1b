package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"junheng/progress"
	"junheng/workflows"
)

// Plan is the read model of a district's creation plan (创建方案), mirrored from its workflow on every change.
type Plan struct {
	DistrictCode    string `gorm:"primaryKey" json:"district_code"`
	Status          string `json:"status"`           // of the latest version
	Version         int    `json:"version"`          // the latest version
	ApprovedVersion int    `json:"approved_version"` // the version in effect; 0 while none is approved
	TargetYear      int    `json:"target_year"`      // of the approved version; 0 while none is approved
	// State is the workflow's whole state.
	State     workflows.CreationPlanState `gorm:"serializer:json" json:"-"`
	UpdatedAt time.Time                   `json:"updated_at"`
	Written
}

// PlanVersion is one submitted version of a creation plan with the office's decision on it.
type PlanVersion struct {
	DistrictCode       string        `gorm:"primaryKey" json:"district_code"`
	Version            int           `gorm:"primaryKey;autoIncrement:false" json:"version"`
	TargetYear         int           `json:"target_year"`
	Plan               progress.Plan `gorm:"serializer:json" json:"-"`
	ResponsibilityFile string        `json:"responsibility_file"`
	Note               string        `json:"note"`
	Status             string        `json:"status"`
	SubmittedBy        string        `json:"submitted_by"`
	SubmittedAt        time.Time     `json:"submitted_at"`
	DecidedBy          string        `json:"decided_by"`
	DecidedAt          *time.Time    `json:"decided_at,omitempty"`
	Comment            string        `json:"comment"`
}

// RecordPlan upserts the plan row and the given versions, unless the row holds a later write, and appends the
// audit event and notifications (as RecordCycle), in one transaction.
func (s *Store) RecordPlan(ctx context.Context, p *Plan, versions []PlanVersion, ev *AuditEvent,
	ns ...Notification) error {
	return translate(s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{UpdateAll: true, Where: newer("plans")}).Create(p)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected > 0 && len(versions) > 0 {
			if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&versions).Error; err != nil {
				return err
			}
		}
		return appendTrail(tx, ev, ns)
	}))
}

// Plan returns a district's plan row or ErrNotFound (the district has submitted no plan).
func (s *Store) Plan(ctx context.Context, district string) (Plan, error) {
	var p Plan
	err := s.db.WithContext(ctx).Where("district_code = ?", district).Take(&p).Error
	return p, translate(err)
}

// PlanVersions lists a district's plan versions, oldest first.
func (s *Store) PlanVersions(ctx context.Context, district string) ([]PlanVersion, error) {
	var vs []PlanVersion
	err := s.db.WithContext(ctx).Where("district_code = ?", district).Order("version").Find(&vs).Error
	return vs, translate(err)
}

// ApprovedPlans returns, by district code, every plan version the office approved, oldest first: the last is in
// effect, and the earlier ones say what was in effect before (a past year is judged by the plan of its time).
// Districts without an approved version are left out.
func (s *Store) ApprovedPlans(ctx context.Context) (map[string][]PlanVersion, error) {
	var vs []PlanVersion
	err := s.db.WithContext(ctx).Where("status = ?", "approved").Order("district_code, version").Find(&vs).Error
	if err != nil {
		return nil, translate(err)
	}
	out := map[string][]PlanVersion{}
	for _, v := range vs {
		out[v.DistrictCode] = append(out[v.DistrictCode], v)
	}
	return out, nil
}

// CyclesBetween lists the cycles of the years in [from, to] without the workflow state, ordered by district then
// year; district "" means every district.
func (s *Store) CyclesBetween(ctx context.Context, district string, from, to int) ([]Cycle, error) {
	q := s.db.WithContext(ctx).Omit("state").Where("year BETWEEN ? AND ?", from, to)
	if district != "" {
		q = q.Where("district_code = ?", district)
	}
	var cs []Cycle
	err := q.Order("district_code, year").Find(&cs).Error
	return cs, translate(err)
}
