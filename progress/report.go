package progress

import "time"

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
