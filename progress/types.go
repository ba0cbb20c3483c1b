// Package progress is the multi-year view of the campaign (seed 002, 三(一) and 二(一)1–2): a district's creation
// plan and its yearly milestones, the school-by-school ledger across years, each year's progress against the
// seed's targets (at least 25% of last year's non-compliant schools brought up to standard, at least 25% fewer
// oversized schools, no new ones, large classes and oversized schools gone by 2025), and the city's target
// (30% of districts by 2023, all by 2025).
//
// Like package evaluation it is pure: it reads what the caller has loaded (evaluations, the read model's rows)
// and keeps no state. A ratio is compared as count ≥ target × base with a tolerance of 1e-9, so a district exactly
// at its target passes (2 of 8 brought up is 25%) however the product lands in floats.
package progress

import (
	"junheng/evaluation"
)

// Rules are the yearly targets; DefaultRules gives seed 002's.
type Rules struct {
	// BringUpShare is the least share of last year's non-compliant schools to comply this year (0.25).
	BringUpShare float64 `json:"bring_up_share"`
	// OversizedReduction is the least yearly reduction of the schools over the school-size limit (0.25).
	OversizedReduction float64 `json:"oversized_reduction"`
	// EliminateBy is the year from which no school may be oversized and no class over the limit (2025).
	EliminateBy int `json:"eliminate_by"`
	// Targets is the city's share of districts meeting the standard (or certified), by year: a year's target is
	// that of the latest target year not after it.
	Targets map[int]float64 `json:"targets"`
}

// Year is what one district's year gives the reports: its latest submitted self-assessment with its evaluation,
// and whether the year ended certified. Input and Result are nil when nothing was submitted that year.
type Year struct {
	Year      int
	Input     *evaluation.Input
	Result    *evaluation.Result
	Certified bool // this year's cycle ended certified
	// Pending says the year's self-assessment is not yet due, or was never asked for (no cycle that year): a year
	// without a submission is then not flagged, and its milestone is not checked.
	Pending bool
	// Reviewed says the office has reviewed the year's self-assessment (城市评估); the public summary counts
	// only reviewed results.
	Reviewed bool
}

// District is one district's history: its approved plan (nil when none) and its years, in any order.
type District struct {
	Code  string
	Name  string
	Plan  *Plan
	Years []Year
	// PlanFor holds, for the years that were judged against an earlier approved version, that version: a
	// revision approved later does not rewrite a past year's milestones and target. Other years use Plan.
	PlanFor map[int]*Plan
}

// Plan is a district's creation plan (创建方案): the year it is to be certified and its yearly milestones
// (分年度推进目标: the 时间表 and 路线图).
type Plan struct {
	TargetYear int         `json:"target_year"`
	Milestones []Milestone `json:"milestones"`
}

// Milestone is what a district undertakes to have reached in the self-assessment of a year. Every part is
// optional; in the plan's target year the district must also meet the standard.
type Milestone struct {
	Year int `json:"year"`
	// Schools are the codes of schools to bring up to standard: no school-level shortfall of any item.
	Schools []string `json:"schools"`
	// Indicators are shortfall keys (a resource indicator such as "teachers_per_100", an item such as
	// "music_art_rooms", "recognition_rate") of which the district is to have no shortfall left.
	Indicators []string `json:"indicators"`
	// OversizedMax is the most schools that may still be over the school-size limit.
	OversizedMax *int `json:"oversized_max,omitempty"`
	// LargeClassesMax is the most school stages that may still have a class over the class-size limit.
	LargeClassesMax *int   `json:"large_classes_max,omitempty"`
	Note            string `json:"note,omitempty"`
}

// SchoolLedger is one school across the years (逐校工作台账), oldest year first.
type SchoolLedger struct {
	Code  string       `json:"code"`
	Name  string       `json:"name"` // the newest name reported
	Years []SchoolYear `json:"years"`
}

// SchoolYear is a school in one year. A year the school was not reported in has Reported false and nothing else.
type SchoolYear struct {
	Year         int               `json:"year"`
	Reported     bool              `json:"reported"`
	Kind         evaluation.Kind   `json:"kind,omitempty"`
	Students     int               `json:"students"`
	Stages       []StageValues     `json:"stages,omitempty"`
	Shortfalls   []SchoolShortfall `json:"shortfalls"`
	Complies     bool              `json:"complies"`      // no school-level shortfall (校校达标)
	Oversized    bool              `json:"oversized"`     // over the school-size limit (大规模学校)
	LargeClasses int               `json:"large_classes"` // its stages with a class over the limit (大班额)
	Changes      *Changes          `json:"changes,omitempty"`
	Excluded     bool              `json:"excluded,omitempty"` // a teaching point left out of the calculation
	ExcludedNote string            `json:"excluded_note,omitempty"`
}

// StageValues are a school's indicator values in one stage, in the profile's order.
type StageValues struct {
	Stage  evaluation.SchoolStage `json:"stage"`
	Values evaluation.Values      `json:"values"`
}

// SchoolShortfall is one school-level shortfall with what it still takes to close it (the engine's Needed).
type SchoolShortfall struct {
	Key       string                 `json:"key"`
	Stage     evaluation.SchoolStage `json:"stage,omitempty"`
	Actual    evaluation.Amount      `json:"actual"`
	Op        evaluation.Op          `json:"op"`
	Required  evaluation.Amount      `json:"required"`
	Needed    map[string]int64       `json:"needed,omitempty"`
	MessageZh string                 `json:"message_zh"`
	MessageEn string                 `json:"message_en"`
}

// Changes is what changed in a school since the previous year it was reported.
type Changes struct {
	Since    int           `json:"since"`
	Resolved []string      `json:"resolved"` // shortfalls closed, as "key" or "key/stage"
	New      []string      `json:"new"`      // shortfalls that appeared
	Values   []ValueChange `json:"values"`   // indicator values that moved
}

// ValueChange is one indicator value of one stage, then and now.
type ValueChange struct {
	Stage     evaluation.SchoolStage `json:"stage"`
	Indicator string                 `json:"indicator"`
	Previous  evaluation.Number      `json:"previous"`
	Now       evaluation.Number      `json:"now"`
}

// DistrictYear is a district's progress in one year against the seed's targets and its own plan.
type DistrictYear struct {
	Year      int    `json:"year"`
	Submitted bool   `json:"submitted"`
	Pending   bool   `json:"pending,omitempty"` // not submitted, and not yet due
	Verdict   string `json:"verdict,omitempty"`
	// Engine is the version of the rules that judged the year's submission (evaluation.EngineVersion; 1 for
	// results stored before it was recorded): a year keeps the verdict it was given.
	Engine    int  `json:"engine,omitempty"`
	Certified bool `json:"certified"` // certified this year or before
	Schools   int  `json:"schools"`
	// NonCompliant lists the schools with a school-level shortfall.
	NonCompliant []string `json:"non_compliant"`
	// BroughtUp is the 25% measure; nil without a previous submitted year.
	BroughtUp *BroughtUp `json:"brought_up,omitempty"`
	// Oversized counts schools over the school-size limit; LargeClasses school stages with a class over the limit.
	Oversized    Count            `json:"oversized"`
	LargeClasses Count            `json:"large_classes"`
	Coefficients []Coefficient    `json:"coefficients"`
	Milestone    *MilestoneResult `json:"milestone,omitempty"` // nil when the plan sets none for the year
	Flags        []Flag           `json:"flags"`
}

// BroughtUp is the share of last year's non-compliant schools (still reported this year) that comply now.
type BroughtUp struct {
	Base    int      `json:"base"`    // last year's non-compliant schools still reported
	Count   int      `json:"count"`   // of those, complying now
	Share   *float64 `json:"share"`   // Count/Base; null when Base is 0
	Target  float64  `json:"target"`  // Rules.BringUpShare
	Met     bool     `json:"met"`     // Count ≥ Target × Base (true when Base is 0)
	Schools []string `json:"schools"` // brought up
	// Gone lists last year's non-compliant schools not reported this year (closed or merged); they are left out
	// of the base. Worse lists schools that complied last year and do not now.
	Gone  []string `json:"gone"`
	Worse []string `json:"worse"`
}

// Count is a number of schools (or school stages) this year and last, with the reduction between them.
type Count struct {
	Now      int      `json:"now"`
	Previous *int     `json:"previous"` // null without a previous submitted year
	Change   *int     `json:"change"`   // Now − Previous
	Reduced  *float64 `json:"reduced"`  // (Previous − Now) / Previous; null when Previous is null or 0
	Target   *float64 `json:"target"`   // least reduction required (oversized schools only)
	Met      *bool    `json:"met"`      // against Target; null when there is no target to check
	Schools  []string `json:"schools"`  // over the limit now
	New      []string `json:"new"`      // over the limit now, not last year
	Resolved []string `json:"resolved"` // over the limit last year, not now
	Stages   []string `json:"stages,omitempty"`
}

// Coefficient is one stage's difference coefficient of one indicator this year and last.
type Coefficient struct {
	Stage     evaluation.SchoolStage `json:"stage"`
	Indicator string                 `json:"indicator"`
	CV        evaluation.Number      `json:"cv"`
	Limit     evaluation.Number      `json:"limit"`
	Passes    bool                   `json:"passes"`
	Previous  *evaluation.Number     `json:"previous"`
	Change    *evaluation.Number     `json:"change"`
}

// MilestoneResult says whether the year's milestone was reached, and each part that was not.
type MilestoneResult struct {
	Milestone Milestone `json:"milestone"`
	Met       bool      `json:"met"`
	Missed    []Flag    `json:"missed"`
}

// Flag is something the office should look at, in Chinese and English. Key is stable for programs: see the
// Flag* constants.
type Flag struct {
	Key       string `json:"key"`
	MessageZh string `json:"message_zh"`
	MessageEn string `json:"message_en"`
}

// Flag keys.
const (
	FlagNoSubmission       = "no_submission"       // nothing submitted this year
	FlagBroughtUpShort     = "brought_up_short"    // fewer than 25% of last year's non-compliant schools comply
	FlagSchoolsWorse       = "schools_worse"       // schools that complied last year do not now
	FlagOversizedShort     = "oversized_short"     // oversized schools reduced by less than 25%
	FlagNewOversized       = "new_oversized"       // a school is newly over the size limit (不出现新的大规模学校)
	FlagLargeClassesUp     = "large_classes_up"    // more school stages with a large class than last year
	FlagNotEliminated      = "not_eliminated"      // oversized schools or large classes left from EliminateBy
	FlagCoefficientWorse   = "coefficient_worse"   // a coefficient above its limit rose
	FlagMilestoneMissed    = "milestone_missed"    // the plan's milestone for the year was not reached
	FlagTargetYearMissed   = "target_year_missed"  // the plan's target year came without meeting the standard
	FlagCityTargetMissed   = "city_target_missed"  // the city's target is every district, and this one falls short
	FlagMilestoneSchool    = "milestone_school"    // (in MilestoneResult.Missed) a listed school still falls short
	FlagMilestoneIndicator = "milestone_indicator" // (in MilestoneResult.Missed) a listed indicator still falls short
	FlagMilestoneOversized = "milestone_oversized" // (in MilestoneResult.Missed) more oversized schools than planned
	FlagMilestoneClasses   = "milestone_classes"   // (in MilestoneResult.Missed) more large classes than planned
	FlagMilestoneVerdict   = "milestone_verdict"   // (in MilestoneResult.Missed) the target year does not meet
	FlagMilestoneNoData    = "milestone_no_data"   // (in MilestoneResult.Missed) no submission to check it against
)

// CityYear is the city in one year against its target.
type CityYear struct {
	Year      int      `json:"year"`
	Districts int      `json:"districts"`
	Meeting   int      `json:"meeting"`   // certified this year or before, or this year's evaluation meets
	Certified int      `json:"certified"` // certified this year or before
	Share     float64  `json:"share"`     // Meeting / Districts
	Target    *float64 `json:"target"`    // null before the first target year
	TargetMet bool     `json:"target_met"`
	// AtRisk lists districts whose plan targets this year and that neither meet nor are certified; Late those
	// whose target year has passed without certification; Lagging those with any flag this year.
	AtRisk  []string `json:"at_risk"`
	Late    []string `json:"late"`
	Lagging []string `json:"lagging"`
}

// The package's entry points (each in its own file):
//
//	DefaultRules() Rules
//	Target(targets map[int]float64, year int) (share float64, ok bool)
//	(Plan) Validate(indicatorKeys []string) []evaluation.Problem  // nil keys: the keys are not checked
//	IndicatorKeys(profile evaluation.Profile) []string           // every shortfall key a milestone may name
//	Schools(years []Year) []SchoolLedger
//	Progress(d District, rules Rules) []DistrictYear
//	City(districts []District, years []int, rules Rules) []CityYear
//	Measure(districts []District, years []int, rules Rules) ([]CityYear, [][]DistrictYear)  // City and each Progress
//	Publish(pub Publication, ds []District, years []int, rules Rules, now time.Time) PublicSummary
//	History(rows Rows, only string, from, to int, now time.Time) []District  // from the read model's rows
//	NewDistrictReport(d District, from, to int, rules Rules, now time.Time) DistrictReport
//	NewCityReport(ds []District, years []int, rules Rules, now time.Time) CityReport
//	MeetsOrCertified, MeetingShare, TargetMet  // the city's share rule, for the bulletin too
