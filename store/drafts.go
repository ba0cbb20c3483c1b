package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"junheng/evaluation"
)

// Draft is a district's self-assessment data as saved, with its evaluation once the workflow has run it. The data
// is never changed or deleted (only the evaluation is added): a new save is a new draft.
type Draft struct {
	ID           int64            `gorm:"primaryKey" json:"id"`
	Year         int              `json:"year"`
	DistrictCode string           `json:"district_code"`
	Data         evaluation.Input `gorm:"serializer:json" json:"-"`
	// Evaluation is nil while not evaluated (a draft an earlier release stored without one); "not null" stores nil
	// as '', as that release did.
	Evaluation *evaluation.Result `gorm:"serializer:json;not null" json:"-"`
	Verdict    string             `json:"verdict"`
	Shortfalls int                `json:"shortfalls"`
	CreatedBy  string             `json:"created_by"`
	CreatedAt  time.Time          `json:"created_at"`
	// RequestKey names the request that stored the draft ("" for none): sent again, it finds the draft stored.
	RequestKey string `json:"-"`
}

// Submission is an immutable, versioned snapshot of a submitted draft with its evaluation.
type Submission struct {
	Year         int               `gorm:"primaryKey;autoIncrement:false" json:"year"`
	DistrictCode string            `gorm:"primaryKey" json:"district_code"`
	Version      int               `gorm:"primaryKey;autoIncrement:false" json:"version"`
	DraftID      int64             `json:"draft_id"`
	Data         evaluation.Input  `gorm:"serializer:json" json:"-"`
	Evaluation   evaluation.Result `gorm:"serializer:json" json:"-"`
	// Engine and ProfileDigest repeat Evaluation's, so that a report can tell whether the evaluation it holds
	// decoded is the stored one without reading it (ReportSubmissions).
	Engine        int    `json:"-"`
	ProfileDigest string `json:"-"`
	Verdict       string `json:"verdict"`
	// ShortfallKeys lists the distinct item keys that fall short, comma-separated, for bulletins.
	ShortfallKeys string    `json:"shortfall_keys"`
	Late          bool      `json:"late"`
	SubmittedBy   string    `json:"submitted_by"`
	SubmittedAt   time.Time `json:"submitted_at"`
}

// AddDraft stores a new draft and sets its ID; a draft its request (RequestKey) stored before is not stored again,
// and d becomes that one.
func (s *Store) AddDraft(ctx context.Context, d *Draft) error {
	if d.RequestKey != "" {
		err := s.db.WithContext(ctx).Where("district_code = ? AND request_key = ?", d.DistrictCode, d.RequestKey).
			Take(d).Error
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return translate(err)
		}
	}
	return translate(s.db.WithContext(ctx).Create(d).Error)
}

// Draft returns a draft or ErrNotFound.
func (s *Store) Draft(ctx context.Context, id int64) (Draft, error) {
	var d Draft
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&d).Error
	return d, translate(err)
}

// SetDraftEvaluation records a draft's evaluation with its verdict and number of shortfalls.
func (s *Store) SetDraftEvaluation(ctx context.Context, id int64, result evaluation.Result) error {
	// A struct, not a map, so that the evaluation goes through its serializer; Select writes even a zero count.
	res := s.db.WithContext(ctx).Model(&Draft{}).Where("id = ?", id).Select("evaluation", "verdict", "shortfalls").
		Updates(&Draft{Evaluation: &result, Verdict: string(result.Verdict), Shortfalls: len(result.Shortfalls)})
	if res.Error == nil && res.RowsAffected == 0 {
		return ErrNotFound
	}
	return translate(res.Error)
}

// Submit freezes a draft as the cycle's next version. Submitting the same draft again returns the version it
// already has, so a retried activity does not create a second one.
func (s *Store) Submit(ctx context.Context, sub *Submission) error {
	return translate(s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var existing Submission
		err := tx.Where("year = ? AND district_code = ? AND draft_id = ?", sub.Year, sub.DistrictCode, sub.DraftID).
			Take(&existing).Error
		if err == nil {
			*sub = existing
			return nil
		}
		if err != gorm.ErrRecordNotFound {
			return err
		}
		var last int
		if err := tx.Model(&Submission{}).Where("year = ? AND district_code = ?", sub.Year, sub.DistrictCode).
			Select("COALESCE(MAX(version), 0)").Scan(&last).Error; err != nil {
			return err
		}
		sub.Version, sub.Engine, sub.ProfileDigest = last+1, sub.Evaluation.Engine, sub.Evaluation.ProfileDigest
		return tx.Create(sub).Error
	}))
}

// LatestSubmission returns the newest submitted version of a cycle or ErrNotFound.
func (s *Store) LatestSubmission(ctx context.Context, year int, district string) (Submission, error) {
	var sub Submission
	err := s.db.WithContext(ctx).Where("year = ? AND district_code = ?", year, district).Order("version DESC").
		Take(&sub).Error
	return sub, translate(err)
}

// Submission returns one version of a cycle or ErrNotFound.
func (s *Store) Submission(ctx context.Context, year int, district string, version int) (Submission, error) {
	var sub Submission
	err := s.db.WithContext(ctx).Where("year = ? AND district_code = ? AND version = ?", year, district, version).
		Take(&sub).Error
	return sub, translate(err)
}

// LatestSubmissions returns each district's newest submission of a year, without the bulky data and evaluation.
func (s *Store) LatestSubmissions(ctx context.Context, year int) (map[string]Submission, error) {
	var subs []Submission
	latest := s.db.Model(&Submission{}).Select("district_code, MAX(version) AS version").Where("year = ?", year).
		Group("district_code")
	err := s.db.WithContext(ctx).Table("submissions AS s").
		Select("s.year, s.district_code, s.version, s.draft_id, s.verdict, s.shortfall_keys, s.late, "+
			"s.submitted_by, s.submitted_at").
		Joins("JOIN (?) AS m ON m.district_code = s.district_code AND m.version = s.version", latest).
		Where("s.year = ?", year).Scan(&subs).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make(map[string]Submission, len(subs))
	for _, sub := range subs {
		out[sub.DistrictCode] = sub
	}
	return out, nil
}

// LatestEvaluations returns the evaluation of each district's newest submission of a year, in one query.
func (s *Store) LatestEvaluations(ctx context.Context, year int) (map[string]*evaluation.Result, error) {
	var rows []struct {
		DistrictCode string
		Evaluation   *evaluation.Result `gorm:"serializer:json"`
	}
	latest := s.db.Model(&Submission{}).Select("district_code, MAX(version) AS version").Where("year = ?", year).
		Group("district_code")
	err := s.db.WithContext(ctx).Table("submissions AS s").Select("s.district_code, s.evaluation").
		Joins("JOIN (?) AS m ON m.district_code = s.district_code AND m.version = s.version", latest).
		Where("s.year = ?", year).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make(map[string]*evaluation.Result, len(rows))
	for _, r := range rows {
		out[r.DistrictCode] = r.Evaluation
	}
	return out, nil
}
