package usecase

import (
	"context"

	"junheng/progress"
	"junheng/vocab"
)

// ProvinceDashboard is a province office's year across its cities, one line per city, and the cities together.
type ProvinceDashboard struct {
	Year   int            `json:"year"`
	Cities []CityStanding `json:"cities"`
	// Total is every city together, against the targets of the actor's unit (the province's by default).
	Total CityStanding `json:"total"`
}

// CityStanding is a city's year as the province follows it: its districts by stage, the applications waiting for
// the province, and its certified districts against the city's target.
type CityStanding struct {
	Code      string         `json:"code"` // "" for the total
	Name      string         `json:"name"`
	Districts int            `json:"districts"` // registered, whether or not their year is open
	Stages    map[string]int `json:"stages"`    // districts by the stage of their year (vocab.CycleStage)
	NotOpened int            `json:"not_opened"`
	// Waiting are the applications at the province's review, where the province records its result.
	Waiting []Application `json:"waiting"`
	// Certified counts the districts certified this year or earlier: certification lasts, as progress counts it.
	Certified int      `json:"certified"`
	Share     float64  `json:"share"`            // Certified of Districts
	Target    *float64 `json:"target,omitempty"` // the year's target share; none before the first target year
	TargetMet bool     `json:"target_met"`       // true without a target, as progress.Measure has it
}

// Application is a district's application for certification.
type Application struct {
	DistrictCode string `json:"district_code"`
	DistrictName string `json:"district_name"`
}

// ProvinceDashboard is year (0: the latest year with cycles) across the cities a province's office or an
// administrator reaches: the province's cities, or every city for a deployment's administrator. A year no district
// has opened is NotFound, as in Overview. Six queries (seven for year 0), however many cities and districts.
func (c *Core) ProvinceDashboard(ctx context.Context, a Actor, year int) (ProvinceDashboard, error) {
	var d ProvinceDashboard
	if err := c.may(ctx, a, "", vocab.RoleProvince, vocab.RoleAdmin); err != nil {
		return d, err
	}
	if year == 0 {
		_, last, err := c.store.CycleYears(ctx)
		if err != nil {
			return d, err
		}
		if last == 0 {
			return d, ErrNotFound
		}
		year = last
	}
	rows, err := c.Overview(ctx, a, year)
	if err != nil {
		return d, err
	}
	ds, err := c.store.Districts(ctx, a.Unit)
	if err != nil {
		return d, err
	}
	cities, err := c.store.Cities(ctx)
	if err != nil {
		return d, err
	}
	// Every earlier year: a district certified then is certified still, whatever its year now shows.
	earlier, err := c.store.CyclesBetween(ctx, "", 0, year-1)
	if err != nil {
		return d, err
	}
	certified := map[string]bool{}
	for _, cy := range earlier {
		certified[cy.DistrictCode] = certified[cy.DistrictCode] || cy.Stage == string(vocab.StageCertified)
	}
	stage := make(map[string]string, len(rows))
	for _, r := range rows {
		stage[r.DistrictCode] = r.Stage
	}

	d.Year, d.Total = year, newStanding("", "")
	holds, listed := map[string]bool{}, map[string]bool{}
	for _, dist := range ds {
		holds[dist.CityCode] = true
	}
	for _, ct := range cities {
		if a.Unit == "" || ct.Code == a.Unit || ct.ProvinceCode == a.Unit || holds[ct.Code] {
			d.Cities, listed[ct.Code] = append(d.Cities, newStanding(ct.Code, ct.Name)), true
		}
	}
	for _, dist := range ds { // a district of no registered city still counts, under its city's code
		if !listed[dist.CityCode] {
			d.Cities, listed[dist.CityCode] = append(d.Cities, newStanding(dist.CityCode, dist.CityCode)), true
		}
	}
	byCode := make(map[string]*CityStanding, len(d.Cities))
	for i := range d.Cities {
		byCode[d.Cities[i].Code] = &d.Cities[i]
	}
	for _, dist := range ds {
		st, opened := stage[dist.Code]
		for _, s := range []*CityStanding{byCode[dist.CityCode], &d.Total} {
			s.Districts++
			if !opened {
				s.NotOpened++
			} else {
				s.Stages[st]++
			}
			if st == string(vocab.StageProvinceReview) {
				s.Waiting = append(s.Waiting, Application{DistrictCode: dist.Code, DistrictName: dist.Name})
			}
			if st == string(vocab.StageCertified) || certified[dist.Code] {
				s.Certified++
			}
		}
	}
	for i := range d.Cities {
		d.Cities[i].measure(year, c.rulesOf(d.Cities[i].Code).Progress.Targets)
	}
	d.Total.measure(year, c.rulesOf(a.Unit).Progress.Targets)
	return d, nil
}

func newStanding(code, name string) CityStanding {
	return CityStanding{Code: code, Name: name, Stages: map[string]int{}, Waiting: []Application{}}
}

// measure sets the certified share and the year's target with progress's own rules, so that a count exactly at
// the target passes here as in the city's report.
func (s *CityStanding) measure(year int, targets map[int]float64) {
	s.Share = progress.MeetingShare(s.Certified, s.Districts)
	if t, ok := progress.Target(targets, year); ok {
		s.Target = &t
	}
	s.TargetMet = s.Target == nil || progress.TargetMet(s.Certified, s.Districts, *s.Target)
}
