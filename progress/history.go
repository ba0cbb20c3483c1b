package progress

import (
	"slices"
	"time"

	"junheng/evaluation"
)

// Rows are what a history is assembled from: the read model's rows, as the core reads them. They are plain
// values, so that this package (which the workflows use for plans) names no database. The histories only read
// them: the submissions' data and evaluations are shared with the store's cache of decoded submissions.
type Rows struct {
	Districts []DistrictRow
	// Cycles are the districts' cycles from the first year on: a district certified before the span is still
	// certified in it.
	Cycles []CycleRow
	// Submissions are the version of each year's self-assessment to show, from the year before the span.
	Submissions []SubmissionRow
	// Plans are each district's approved plan versions, oldest first.
	Plans map[string][]PlanRow
}

// DistrictRow is a registered district.
type DistrictRow struct{ Code, Name string }

// CycleRow is a district's year.
type CycleRow struct {
	Year                   int
	DistrictCode           string
	Certified              bool // the year ended certified
	SelfAssessmentDeadline time.Time
	ReviewedVersion        int // the version the office accepted, 0 before
}

// SubmissionRow is a submitted version of a year's self-assessment with its evaluation.
type SubmissionRow struct {
	Year         int
	DistrictCode string
	Data         evaluation.Input
	Evaluation   evaluation.Result
}

// PlanRow is an approved version of a district's creation plan and when it was approved.
type PlanRow struct {
	Plan      Plan
	DecidedAt *time.Time
}

// History assembles the histories of the districts, one district (only) or all: every year from..to, submitted
// or not, and the year before as the baseline of from's year-on-year measures (the reports leave it out). A year
// is pending while its self-assessment is not due at now; a year without a cycle is pending too, as nothing was
// asked of the district. A plan version is in effect in a year when approved before the year ended in now's
// location.
func History(rows Rows, only string, from, to int, now time.Time) []District {
	years := map[string]map[int]*Year{}
	year := func(district string, y int) *Year {
		if years[district] == nil {
			years[district] = map[int]*Year{}
		}
		if years[district][y] == nil {
			years[district][y] = &Year{Year: y}
		}
		return years[district][y]
	}
	for _, cy := range rows.Cycles {
		if cy.Year < from-1 {
			if cy.Certified {
				year(cy.DistrictCode, from-1).Certified = true // carried into the span
			}
			continue
		}
		y := year(cy.DistrictCode, cy.Year)
		y.Certified = y.Certified || cy.Certified
		y.Pending, y.Reviewed = now.Before(cy.SelfAssessmentDeadline), cy.ReviewedVersion > 0
	}
	for _, sub := range rows.Submissions {
		y := year(sub.DistrictCode, sub.Year)
		y.Input, y.Result = &sub.Data, &sub.Evaluation
	}
	var out []District
	for _, d := range rows.Districts {
		if only != "" && d.Code != only {
			continue
		}
		pd := District{Code: d.Code, Name: d.Name}
		pd.Plan, pd.PlanFor = plansInEffect(rows.Plans[d.Code], from-1, to, now.Location())
		for y := from; y <= to; y++ {
			if years[d.Code][y] == nil { // every year of the span, as the city counts them
				year(d.Code, y).Pending = true
			}
		}
		for _, y := range years[d.Code] {
			pd.Years = append(pd.Years, *y)
		}
		slices.SortFunc(pd.Years, func(a, b Year) int { return a.Year - b.Year })
		out = append(out, pd)
	}
	return out
}

// plansInEffect picks from a district's approved versions (oldest first) the plan in effect now and, for the
// years from..to that were judged against an earlier version, that version: the one approved last before the year
// ended. A year before the first approval is judged against the first approved plan.
func plansInEffect(versions []PlanRow, from, to int, loc *time.Location) (*Plan, map[int]*Plan) {
	if len(versions) == 0 {
		return nil, nil
	}
	current, earlier := &versions[len(versions)-1].Plan, map[int]*Plan{}
	for y := from; y <= to; y++ {
		end, inEffect := time.Date(y+1, 1, 1, 0, 0, 0, 0, loc), &versions[0].Plan
		for i, v := range versions {
			if v.DecidedAt != nil && v.DecidedAt.Before(end) {
				inEffect = &versions[i].Plan
			}
		}
		if inEffect != current {
			earlier[y] = inEffect
		}
	}
	return current, earlier
}
