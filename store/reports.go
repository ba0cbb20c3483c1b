package store

import (
	"context"
	"time"
)

// TalkCount is how many formal talks (约谈) and circulars (通报) a district has had.
type TalkCount struct {
	DistrictCode string `json:"-"`
	Talks        int    `json:"talks"`
	Circulars    int    `json:"circulars"`
}

// TalkCounts counts each district's talks and circulars recorded in [since, until), from the audit trail (where
// every accepted one is written with its time), in one query.
func (s *Store) TalkCounts(ctx context.Context, since, until time.Time) (map[string]TalkCount, error) {
	var rows []TalkCount
	err := s.db.WithContext(ctx).Model(&AuditEvent{}).
		Select(`district_code,
			SUM(CASE WHEN action = 'talk' THEN 1 ELSE 0 END) AS talks,
			SUM(CASE WHEN action = 'circular' THEN 1 ELSE 0 END) AS circulars`).
		Where("action IN ('talk', 'circular') AND outcome = 'ok' AND at >= ? AND at < ?", since.UTC(), until.UTC()).
		Group("district_code").Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make(map[string]TalkCount, len(rows))
	for _, r := range rows {
		out[r.DistrictCode] = r
	}
	return out, nil
}

// CycleYears returns the first and last years that have cycles (zeros when none).
func (s *Store) CycleYears(ctx context.Context) (first, last int, err error) {
	var r struct{ First, Last int }
	err = s.db.WithContext(ctx).Model(&Cycle{}).
		Select("COALESCE(MIN(year), 0) AS first, COALESCE(MAX(year), 0) AS last").Scan(&r).Error
	return r.First, r.Last, translate(err)
}
