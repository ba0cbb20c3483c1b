package progress

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"junheng/evaluation"
	"junheng/store"
)

// Rows are the read model's rows a history is assembled from, as the store returns them.
type Rows struct {
	Districts []store.District
	// Cycles are the districts' cycles from the first year on: a district certified before the span is still
	// certified in it.
	Cycles []store.Cycle
	// Submissions are the version of each year's self-assessment to show, from the year before the span.
	Submissions []store.Submission
	// Plans are each district's approved plan versions, oldest first.
	Plans map[string][]store.PlanVersion
	// CertifiedStage is the stage of a cycle that ended certified: workflows.StageCertified, which progress
	// cannot name, as workflows imports progress.
	CertifiedStage string
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
		certified := cy.Stage == rows.CertifiedStage
		if cy.Year < from-1 {
			if certified {
				year(cy.DistrictCode, from-1).Certified = true // carried into the span
			}
			continue
		}
		y := year(cy.DistrictCode, cy.Year)
		y.Certified = y.Certified || certified
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
func plansInEffect(versions []store.PlanVersion, from, to int, loc *time.Location) (*Plan, map[int]*Plan, error) {
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
