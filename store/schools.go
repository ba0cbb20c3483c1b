package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"junheng/evaluation"
	"junheng/vocab"
)

// SchoolDraft is a school's data for a year as last saved: one row per school and year, overwritten by each save.
// A save is a plain write, no workflow event: it is the most frequent action of a school's year.
type SchoolDraft struct {
	Year         int               `gorm:"primaryKey;autoIncrement:false" json:"year"`
	SchoolCode   string            `gorm:"primaryKey" json:"school_code"`
	DistrictCode string            `json:"district_code"`
	Data         evaluation.School `gorm:"serializer:json" json:"data"`
	EnteredBy    string            `json:"entered_by"`
	ByDistrict   bool              `json:"by_district"`
	UpdatedAt    time.Time         `json:"updated_at"`
}

// SchoolReturn is the read model of a school's return for a year, mirrored from its workflow (SchoolReturn), with
// the data submitted or entered. Its row is made when the district opens the year for the school: the claim that
// its workflow is started once, for good.
type SchoolReturn struct {
	Year         int       `gorm:"primaryKey;autoIncrement:false" json:"year"`
	SchoolCode   string    `gorm:"primaryKey" json:"school_code"`
	DistrictCode string    `json:"district_code"`
	Status       string    `json:"status"` // a vocab.SchoolStatus
	Deadline     time.Time `json:"deadline"`
	// Data is the data submitted (a copy of the draft at the submission) or entered by the district; nil before.
	Data        *evaluation.School `gorm:"serializer:json;not null" json:"data,omitempty"`
	Reason      string             `json:"reason,omitempty"`
	ByDistrict  bool               `json:"by_district"`
	Late        bool               `json:"late"`
	Overdue     bool               `json:"overdue"`
	Submissions int                `json:"submissions"`
	SubmittedAt *time.Time         `json:"submitted_at,omitempty"`
	// Started: the workflow was started (or has written the row); a claim not started is offered again.
	Started   bool      `json:"-"`
	UpdatedAt time.Time `json:"updated_at"`
	Written
}

// ErrSchoolLocked is a draft saved for a school whose data is submitted or accepted.
var ErrSchoolLocked = errors.New("the school's data is submitted or accepted")

// locked are the statuses in which a school's draft no longer changes.
var locked = []string{string(vocab.SchoolSubmitted), string(vocab.SchoolAccepted)}

// SaveSchoolDraft stores a school's draft, and shows a return not started as a draft. ErrNotFound: the year is not
// open for the school; ErrSchoolLocked: its data is submitted or accepted. The return's row is locked first, so a
// submission either copies this draft or comes after it and refuses it here. ev, when not nil, is the audit entry
// of the save, written with it.
func (s *Store) SaveSchoolDraft(ctx context.Context, d *SchoolDraft, ev *AuditEvent) error {
	return translate(s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&SchoolReturn{}).
			Where("year = ? AND school_code = ? AND status NOT IN ?", d.Year, d.SchoolCode, locked).
			Update("status", gorm.Expr("CASE WHEN status = ? THEN ? ELSE status END",
				string(vocab.SchoolNotStarted), string(vocab.SchoolDraft)))
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			var n int64
			if err := tx.Model(&SchoolReturn{}).Where("year = ? AND school_code = ?", d.Year, d.SchoolCode).
				Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return ErrNotFound
			}
			return ErrSchoolLocked
		}
		if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(d).Error; err != nil || ev == nil {
			return err
		}
		return appendAudit(tx, ev)
	}))
}

// SchoolDraft returns a school's draft for a year or ErrNotFound.
func (s *Store) SchoolDraft(ctx context.Context, year int, school string) (SchoolDraft, error) {
	var d SchoolDraft
	err := s.db.WithContext(ctx).Where("year = ? AND school_code = ?", year, school).Take(&d).Error
	return d, translate(err)
}

// RecordSchoolReturn upserts a school's return, unless its row holds a later write, with the audit event and
// notifications (as RecordCycle), in one transaction. Data replaces the row's only when given. A return the
// workflow has as not started shows as a draft once the school has saved one.
func (s *Store) RecordSchoolReturn(ctx context.Context, r *SchoolReturn, ev *AuditEvent, ns ...Notification) error {
	return translate(s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		_, err := recordSchoolReturn(tx, r, ev, ns)
		return err
	}))
}

// SubmitSchoolReturn is RecordSchoolReturn for a submission: the school's current draft becomes the return's
// data in the same transaction, read once the row is locked, so that a save racing the submission either lands
// before it or is refused. ErrNotFound when the school has saved no draft.
func (s *Store) SubmitSchoolReturn(ctx context.Context, r *SchoolReturn, ev *AuditEvent, ns ...Notification) error {
	return translate(s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&SchoolDraft{}).Where("year = ? AND school_code = ?", r.Year, r.SchoolCode).
			Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		r.Data = nil
		written, err := recordSchoolReturn(tx, r, ev, ns)
		if err != nil || !written {
			return err
		}
		return tx.Exec(`UPDATE school_returns SET data = (SELECT d.data FROM school_drafts d
			WHERE d.year = school_returns.year AND d.school_code = school_returns.school_code)
			WHERE year = ? AND school_code = ?`, r.Year, r.SchoolCode).Error
	}))
}

// recordSchoolReturn writes the row if it is later than the stored one, reporting whether it did, then the event
// and notifications.
func recordSchoolReturn(tx *gorm.DB, r *SchoolReturn, ev *AuditEvent, ns []Notification) (bool, error) {
	r.Started = true // the workflow that writes it runs
	columns := []string{"district_code", "status", "deadline", "reason", "by_district", "late", "overdue",
		"submissions", "submitted_at", "started", "updated_at", "record_time", "record_seq"}
	if r.Data != nil {
		columns = append(columns, "data")
	}
	res := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "year"}, {Name: "school_code"}},
		DoUpdates: clause.AssignmentColumns(columns), Where: newer("school_returns")}).Create(r)
	if res.Error != nil {
		return false, res.Error
	}
	if res.RowsAffected > 0 && r.Status == string(vocab.SchoolNotStarted) {
		err := tx.Model(&SchoolReturn{}).Where("year = ? AND school_code = ? AND status = ?", r.Year, r.SchoolCode,
			string(vocab.SchoolNotStarted)).
			Where("EXISTS (SELECT 1 FROM school_drafts d WHERE d.year = ? AND d.school_code = ?)",
				r.Year, r.SchoolCode).
			Update("status", string(vocab.SchoolDraft)).Error
		if err != nil {
			return false, err
		}
	}
	return res.RowsAffected > 0, appendTrail(tx, ev, ns)
}

// SchoolReturn returns a school's return for a year, with its data, or ErrNotFound (the year is not open for it).
func (s *Store) SchoolReturn(ctx context.Context, year int, school string) (SchoolReturn, error) {
	var r SchoolReturn
	err := s.db.WithContext(ctx).Where("year = ? AND school_code = ?", year, school).Take(&r).Error
	return r, translate(err)
}

// SchoolReturns lists a district's school returns for a year by school code, without their data.
func (s *Store) SchoolReturns(ctx context.Context, year int, district string) ([]SchoolReturn, error) {
	var rs []SchoolReturn
	err := s.db.WithContext(ctx).Omit("data").Where("year = ? AND district_code = ?", year, district).
		Order("school_code").Find(&rs).Error
	return rs, translate(err)
}

// SchoolsUnderway lists the schools with a return not accepted yet, in any year: their year's workflow names
// their district.
func (s *Store) SchoolsUnderway(ctx context.Context) ([]string, error) {
	var codes []string
	err := s.db.WithContext(ctx).Model(&SchoolReturn{}).Where("status <> ?", string(vocab.SchoolAccepted)).
		Distinct().Pluck("school_code", &codes).Error
	return codes, translate(err)
}

// SchoolReturnsIn lists a district's school returns for a year in one of statuses, by school code, with their
// data.
func (s *Store) SchoolReturnsIn(ctx context.Context, year int, district string, statuses ...vocab.SchoolStatus,
) ([]SchoolReturn, error) {
	var rs []SchoolReturn
	err := s.db.WithContext(ctx).Where("year = ? AND district_code = ? AND status IN ?", year, district, statuses).
		Order("school_code").Find(&rs).Error
	return rs, translate(err)
}

// ClaimSchoolReturns opens the year for each of the district's schools not claimed yet, as not started with the
// deadline: a school registered later gets its claim when the district opens the year again. It returns the
// schools whose workflow is not marked started, claimed now or by an attempt that did not finish. The claims are
// the database's word on what was started, for good: Temporal forgets a finished run.
func (s *Store) ClaimSchoolReturns(ctx context.Context, year int, district string, schools []string,
	deadline time.Time,
) ([]string, error) {
	now := time.Now().UTC()
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, code := range schools {
			r := SchoolReturn{Year: year, SchoolCode: code, DistrictCode: district,
				Status: string(vocab.SchoolNotStarted), Deadline: deadline.UTC(), UpdatedAt: now}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&r).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, translate(err)
	}
	var open []string
	err = s.db.WithContext(ctx).Model(&SchoolReturn{}).
		Where("year = ? AND district_code = ? AND NOT started", year, district).
		Order("school_code").Pluck("school_code", &open).Error
	return open, translate(err)
}

// SchoolReturnStarted marks a claimed return's workflow started: it is never started again.
func (s *Store) SchoolReturnStarted(ctx context.Context, year int, school string) error {
	return translate(s.db.WithContext(ctx).Model(&SchoolReturn{}).
		Where("year = ? AND school_code = ?", year, school).Update("started", true).Error)
}
