package progress

import (
	"slices"
	"time"
)

// DistrictReport is a district's multi-year report: its plan, its progress year by year and its school ledger.
type DistrictReport struct {
	District    string         `json:"district"`
	Name        string         `json:"name"`
	From        int            `json:"from"`
	To          int            `json:"to"`
	GeneratedAt time.Time      `json:"generated_at"`
	Plan        *PlanInfo      `json:"plan"` // null when the district has submitted none
	Years       []DistrictYear `json:"years"`
	Schools     []SchoolLedger `json:"schools"`
}

// PlanInfo is the state of a district's creation plan: the version in effect (approved) and the latest one.
type PlanInfo struct {
	Status          string `json:"status"` // of the latest version: submitted, approved or returned
	Version         int    `json:"version"`
	ApprovedVersion int    `json:"approved_version"` // 0 when none is approved yet
	Approved        *Plan  `json:"approved"`         // the plan in effect
}

// CityReport is the city's multi-year report: the city against its targets, and every district's progress.
type CityReport struct {
	From        int            `json:"from"`
	To          int            `json:"to"`
	GeneratedAt time.Time      `json:"generated_at"`
	Years       []CityYear     `json:"years"`
	Districts   []DistrictRows `json:"districts"`
}

// DistrictRows is one district in the city report.
type DistrictRows struct {
	District   string         `json:"district"`
	Name       string         `json:"name"`
	TargetYear int            `json:"target_year"` // of the approved plan; 0 without one
	Years      []DistrictYear `json:"years"`
}

// PublicSummary is what the city publishes (以适当方式公布监测结果): only the sections the policy names, and in
// them only names, counts and shares; never a school, a coefficient, a finding or a district code.
type PublicSummary struct {
	Title       string         `json:"title"`
	GeneratedAt time.Time      `json:"generated_at"`
	Years       []PublicYear   `json:"years,omitempty"`     // section city_targets
	Certified   []PublicResult `json:"certified,omitempty"` // section certified_districts
	Results     []PublicResult `json:"results,omitempty"`   // section district_results
}

// PublicYear is the city against its target in one year.
type PublicYear struct {
	Year      int      `json:"year"`
	Districts int      `json:"districts"`
	Meeting   int      `json:"meeting"`
	Certified int      `json:"certified"`
	Share     float64  `json:"share"`
	Target    *float64 `json:"target"`
	TargetMet bool     `json:"target_met"`
}

// PublicResult is one district's published outcome of a year: certified, or whether it meets the standard.
type PublicResult struct {
	Name      string `json:"name"`
	Year      int    `json:"year"`
	Meets     bool   `json:"meets"`
	Certified bool   `json:"certified"`
}

// NewDistrictReport is the report of a district's history (see History) over from..to, generated at now: its
// progress by year and the ledger of the schools reported in those years. The caller adds the plan's state.
func NewDistrictReport(d District, from, to int, rules Rules, now time.Time) DistrictReport {
	r := DistrictReport{District: d.Code, Name: d.Name, From: from, To: to, GeneratedAt: now,
		Years:   since(Progress(d, rules), from, func(y DistrictYear) int { return y.Year }),
		Schools: []SchoolLedger{}}
	for _, l := range Schools(d.Years) {
		l.Years = since(l.Years, from, func(y SchoolYear) int { return y.Year })
		if slices.ContainsFunc(l.Years, func(y SchoolYear) bool { return y.Reported }) {
			r.Schools = append(r.Schools, l)
		}
	}
	return r
}

// NewCityReport is the report of the districts' histories (see History) over the years, oldest first and at
// least one, generated at now: the city against its targets and every district's progress.
func NewCityReport(ds []District, years []int, rules Rules, now time.Time) CityReport {
	city, measured := Measure(ds, years, rules)
	from := city[0].Year
	r := CityReport{From: from, To: city[len(city)-1].Year, GeneratedAt: now, Years: city,
		Districts: make([]DistrictRows, len(ds))}
	for i, d := range ds {
		r.Districts[i] = DistrictRows{District: d.Code, Name: d.Name,
			Years: since(measured[i], from, func(y DistrictYear) int { return y.Year })}
		if d.Plan != nil {
			r.Districts[i].TargetYear = d.Plan.TargetYear
		}
	}
	return r
}

// since leaves out the years before from: the baseline year History adds.
func since[T any](items []T, from int, year func(T) int) []T {
	return slices.DeleteFunc(items, func(it T) bool { return year(it) < from })
}
