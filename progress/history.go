package progress

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"junheng/evaluation"
)

// Rows are what a history is assembled from: the read model's rows, as the core reads them. They are plain
// values, so that this package (which the workflows use for plans) names no database.
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

// SubmissionRow is a submitted version of a year's self-assessment with its evaluation, both JSON.
type SubmissionRow struct {
	Year             int
	DistrictCode     string
	Version          int
	Data, Evaluation string
}

// PlanRow is an approved version of a district's creation plan (the plan JSON) and when it was approved.
type PlanRow struct {
	DistrictCode string
	Version      int
	Plan         string
	DecidedAt    *time.Time
}

// History assembles the histories of the districts, one district (only) or all: every year from..to, submitted
// or not, and the year before as the baseline of from's year-on-year measures (the reports leave it out). A year
// is pending while its self-assessment is not due at now; a year without a cycle is pending too, as nothing was
// asked of the district. A plan version is in effect in a year when approved before the year ended in now's
// location.
func History(rows Rows, only string, from, to int, now time.Time) ([]District, error) {
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
		y.Input, y.Result = new(evaluation.Input), new(evaluation.Result)
		if err := json.Unmarshal([]byte(sub.Data), y.Input); err != nil {
			return nil, fmt.Errorf("submission %d/%s v%d: %w", sub.Year, sub.DistrictCode, sub.Version, err)
		}
		if err := json.Unmarshal([]byte(sub.Evaluation), y.Result); err != nil {
			return nil, fmt.Errorf("evaluation %d/%s v%d: %w", sub.Year, sub.DistrictCode, sub.Version, err)
		}
	}
	var out []District
	for _, d := range rows.Districts {
		if only != "" && d.Code != only {
			continue
		}
		pd := District{Code: d.Code, Name: d.Name}
		var err error
		if pd.Plan, pd.PlanFor, err = plansInEffect(rows.Plans[d.Code], from-1, to, now.Location()); err != nil {
			return nil, err
		}
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
	return out, nil
}

// plansInEffect decodes a district's approved versions (oldest first) into the plan in effect now and, for the
// years from..to that were judged against an earlier version, that version: the one approved last before the year
// ended. A year before the first approval is judged against the first approved plan.
func plansInEffect(versions []PlanRow, from, to int, loc *time.Location) (*Plan, map[int]*Plan, error) {
	if len(versions) == 0 {
		return nil, nil, nil
	}
	plans := make([]*Plan, len(versions))
	for i, v := range versions {
		plans[i] = new(Plan)
		if err := json.Unmarshal([]byte(v.Plan), plans[i]); err != nil {
			return nil, nil, fmt.Errorf("plan of %s v%d: %w", v.DistrictCode, v.Version, err)
		}
	}
	current, earlier := plans[len(plans)-1], map[int]*Plan{}
	for y := from; y <= to; y++ {
		end, inEffect := time.Date(y+1, 1, 1, 0, 0, 0, 0, loc), plans[0]
		for i, v := range versions {
			if v.DecidedAt != nil && v.DecidedAt.Before(end) {
				inEffect = plans[i]
			}
		}
		if inEffect != current {
			earlier[y] = inEffect
		}
	}
	return current, earlier, nil
}
