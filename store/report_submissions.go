package store

import (
	"container/list"
	"context"
	"slices"
	"sync"

	"junheng/evaluation"
)

// Versions chooses which version of each year a report reads.
type Versions int

const (
	// NewestVersions is each year's newest submitted version.
	NewestVersions Versions = iota
	// ReviewedVersions is the version the office accepted (Cycle.ReviewedVersion); a year not reviewed is left out.
	ReviewedVersions
)

// DefaultReportCache is the budget of the reports' cache of decoded submissions, in bytes of their stored JSON. A
// decoded submission takes about 1.6 times its JSON in memory (190 KB for a district of 100 schools), so this is
// at most some 400 MB holding 2,200 such district-years: the ten-year reports of a province's districts, or of a
// dozen cities. A national deployment (2,850 districts, 31,000 district-years in a ten-year report) could not be
// held whole, so the bound, not the data, sets the memory: the least recently read are dropped first.
const DefaultReportCache = 256 << 20

// missBatch is how many versions one statement reads the data of: three parameters each, well under what a
// statement may have (32,766 on SQLite, 65,535 on PostgreSQL).
const missBatch = 1000

// ReportSubmissions returns the chosen version of each year in [from, to] of the districts under unit ("" for
// every district), with its data and evaluation, ordered by district then year. It reads the data and evaluation
// only of the versions the cache of decoded submissions lacks, so they are shared with the cache and with other
// reports: callers read them and never change them.
func (s *Store) ReportSubmissions(ctx context.Context, versions Versions, unit string, from, to int,
) ([]Submission, error) {
	q := s.db.WithContext(ctx).Table("submissions AS s").
		Select("s.year, s.district_code, s.version, s.draft_id, s.engine, s.profile_digest, s.verdict, " +
			"s.shortfall_keys, s.late, s.submitted_by, s.submitted_at")
	switch versions {
	case NewestVersions:
		latest := under(s.db.Model(&Submission{}), "district_code", unit).
			Select("year, district_code, MAX(version) AS version").Where("year BETWEEN ? AND ?", from, to).
			Group("year, district_code")
		q = q.Joins("JOIN (?) AS m ON m.year = s.year AND m.district_code = s.district_code "+
			"AND m.version = s.version", latest)
	case ReviewedVersions:
		q = under(q, "s.district_code", unit).Joins("JOIN cycles AS c ON c.year = s.year "+
			"AND c.district_code = s.district_code AND c.reviewed_version = s.version").
			Where("s.year BETWEEN ? AND ?", from, to)
	}
	var subs []Submission
	if err := q.Order("s.district_code, s.year").Scan(&subs).Error; err != nil {
		return nil, translate(err)
	}
	return subs, s.decode(ctx, subs)
}

// decode sets the data and evaluation of subs from the cache or, for the versions it lacks, from the database.
func (s *Store) decode(ctx context.Context, subs []Submission) error {
	missing := map[versionKey]*Submission{}
	var keys [][]any
	for i := range subs {
		sub := &subs[i]
		if d, ok := s.reports.get(keyOf(sub)); ok {
			sub.Data, sub.Evaluation = d.data, d.evaluation
			continue
		}
		missing[keyOf(sub).versionKey] = sub
		keys = append(keys, []any{sub.Year, sub.DistrictCode, sub.Version})
	}
	for batch := range slices.Chunk(keys, missBatch) {
		var rows []struct {
			Submission
			Size int
		}
		err := s.db.WithContext(ctx).Model(&Submission{}).
			Select("year, district_code, version, engine, profile_digest, data, evaluation, "+
				"LENGTH(data) + LENGTH(evaluation) AS size").
			Where("(year, district_code, version) IN ?", batch).Scan(&rows).Error
		if err != nil {
			return translate(err)
		}
		for _, r := range rows {
			// The engine and profile read with the evaluation make its key: what the first statement read
			// would be stale were the row written again in between.
			sub := missing[keyOf(&r.Submission).versionKey]
			sub.Engine, sub.ProfileDigest, sub.Data, sub.Evaluation = r.Engine, r.ProfileDigest, r.Data, r.Evaluation
			s.reports.put(keyOf(sub), decoded{data: r.Data, evaluation: r.Evaluation}, r.Size)
		}
	}
	return nil
}

// SetReportCache empties the reports' cache of decoded submissions and bounds it to budget bytes of their stored
// JSON (DefaultReportCache when the store is opened); 0 turns it off.
func (s *Store) SetReportCache(budget int) { s.reports.reset(budget) }

// versionKey names a submitted version.
type versionKey struct {
	year     int
	district string
	version  int
}

// reportKey names a version's decoded data and evaluation. A submitted version never changes; the engine and
// profile that judged it are part of the key all the same, so that an evaluation stored again under other rules
// is never answered from the cache with the one decoded before.
type reportKey struct {
	versionKey
	engine        int
	profileDigest string
}

func keyOf(sub *Submission) reportKey {
	return reportKey{versionKey{sub.Year, sub.DistrictCode, sub.Version}, sub.Engine, sub.ProfileDigest}
}

// decoded is what the cache holds of a version.
type decoded struct {
	data       evaluation.Input
	evaluation evaluation.Result
}

// reportCache keeps decoded versions up to a budget of their stored JSON's size, dropping the least recently
// used first; safe for concurrent use.
type reportCache struct {
	mu      sync.Mutex
	budget  int
	used    int
	order   list.List // of *cacheEntry, the most recently used first
	entries map[reportKey]*list.Element
}

type cacheEntry struct {
	key  reportKey
	size int
	decoded
}

func newReportCache(budget int) *reportCache {
	return &reportCache{budget: budget, entries: map[reportKey]*list.Element{}}
}

func (c *reportCache) get(k reportKey) (decoded, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[k]
	if !ok {
		return decoded{}, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*cacheEntry).decoded, true
}

// put keeps d, whose stored JSON is size bytes; a version larger than the whole budget is not kept.
func (c *reportCache) put(k reportKey, d decoded, size int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[k]; ok || size > c.budget {
		return
	}
	c.entries[k] = c.order.PushFront(&cacheEntry{key: k, size: size, decoded: d})
	for c.used += size; c.used > c.budget; {
		oldest := c.order.Remove(c.order.Back()).(*cacheEntry)
		delete(c.entries, oldest.key)
		c.used -= oldest.size
	}
}

func (c *reportCache) reset(budget int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.budget, c.used = budget, 0
	c.order.Init()
	clear(c.entries)
}
