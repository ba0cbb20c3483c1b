package store

import (
	"context"
)

// FindingCounts summarises a district's findings.
type FindingCounts struct {
	DistrictCode string `json:"-"`
	Open         int    `json:"open"`
	Closed       int    `json:"closed"`
	Overdue      int    `json:"overdue"`
	Escalated    int    `json:"escalated"`
	CarriedOver  int    `json:"carried_over"` // open findings of earlier years
}

// FindingCountsByDistrict counts a year's findings per district, and the open ones carried over from earlier
// years, in one query.
func (s *Store) FindingCountsByDistrict(ctx context.Context, year int) (map[string]FindingCounts, error) {
	var rows []FindingCounts
	err := s.db.WithContext(ctx).Model(&Finding{}).
		Select(`district_code,
			SUM(CASE WHEN year = ? AND status <> 'closed' THEN 1 ELSE 0 END) AS open,
			SUM(CASE WHEN year = ? AND status = 'closed' THEN 1 ELSE 0 END) AS closed,
			SUM(CASE WHEN status <> 'closed' AND overdue THEN 1 ELSE 0 END) AS overdue,
			SUM(CASE WHEN status <> 'closed' AND escalated THEN 1 ELSE 0 END) AS escalated,
			SUM(CASE WHEN year < ? AND status <> 'closed' THEN 1 ELSE 0 END) AS carried_over`, year, year, year).
		Where("(year = ? OR (year < ? AND status <> 'closed'))", year, year).
		Group("district_code").Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make(map[string]FindingCounts, len(rows))
	for _, r := range rows {
		out[r.DistrictCode] = r
	}
	return out, nil
}

// FindingFilter selects ledger rows; zero fields match everything.
type FindingFilter struct {
	Year     int
	District string
	Unit     string // only the districts under this unit (Store.Under); "" for all
	Status   string
	Severity string
	Overdue  *bool
	// OpenFromEarlier adds the district's open findings of years before Year (carried over).
	OpenFromEarlier bool
	Limit, Offset   int
}

// Findings lists ledger rows ordered by year, district and number, with the total that match.
func (s *Store) Findings(ctx context.Context, f FindingFilter) ([]Finding, int64, error) {
	q := s.db.WithContext(ctx).Model(&Finding{})
	switch {
	case f.Year != 0 && f.OpenFromEarlier:
		q = q.Where("(year = ? OR (year < ? AND status <> 'closed'))", f.Year, f.Year)
	case f.Year != 0:
		q = q.Where("year = ?", f.Year)
	}
	if f.District != "" {
		q = q.Where("district_code = ?", f.District)
	}
	q = under(q, "district_code", f.Unit)
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Severity != "" {
		q = q.Where("severity = ?", f.Severity)
	}
	if f.Overdue != nil {
		q = q.Where("overdue = ?", *f.Overdue)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err)
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit).Offset(f.Offset)
	}
	var out []Finding
	err := q.Order("year, district_code, seq").Find(&out).Error
	return out, total, translate(err)
}
