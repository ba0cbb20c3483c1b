package progress

import (
	"slices"

	"junheng/evaluation"
)

// City measures the city against its targets in each of the years, oldest first. A district with no entry for a
// year is taken to have submitted nothing that year.
func City(districts []District, years []int, rules Rules) []CityYear {
	city, _ := Measure(districts, years, rules)
	return city
}

// Measure is City together with each district's Progress over its years and the given ones, computed once for
// a report that shows both.
func Measure(districts []District, years []int, rules Rules) ([]CityYear, [][]DistrictYear) {
	years = slices.Compact(slices.Sorted(slices.Values(years)))
	measured := make([][]DistrictYear, len(districts))
	rows := make([]map[int]*DistrictYear, len(districts))
	for i, d := range districts {
		d.Years = withYears(d.Years, years)
		ys := Progress(d, rules)
		measured[i], rows[i] = ys, make(map[int]*DistrictYear, len(ys))
		for j := range ys {
			rows[i][ys[j].Year] = &ys[j]
		}
	}
	out := make([]CityYear, len(years))
	for k, year := range years {
		cy := CityYear{Year: year, Districts: len(districts), AtRisk: []string{}, Late: []string{}, Lagging: []string{}}
		for i, d := range districts {
			dy := rows[i][year]
			meeting := MeetsOrCertified(dy.Verdict, dy.Certified)
			if meeting {
				cy.Meeting++
			}
			if dy.Certified {
				cy.Certified++
			}
			plan := d.planFor(year)
			if plan != nil && plan.TargetYear == year && !meeting {
				cy.AtRisk = append(cy.AtRisk, d.Code)
			}
			if plan != nil && plan.TargetYear < year && !dy.Certified {
				cy.Late = append(cy.Late, d.Code)
			}
			if len(dy.Flags) > 0 {
				cy.Lagging = append(cy.Lagging, d.Code)
			}
		}
		cy.Share = MeetingShare(cy.Meeting, cy.Districts)
		if t, ok := Target(rules.Targets, year); ok {
			cy.Target = &t
		}
		cy.TargetMet = cy.Target == nil || TargetMet(cy.Meeting, cy.Districts, *cy.Target)
		slices.Sort(cy.AtRisk)
		slices.Sort(cy.Late)
		slices.Sort(cy.Lagging)
		out[k] = cy
	}
	return out, measured
}

// withYears returns a copy of the district's years with an empty year added for each of years it lacks.
func withYears(have []Year, years []int) []Year {
	out := slices.Clone(have)
	for _, y := range years {
		if !slices.ContainsFunc(have, func(h Year) bool { return h.Year == y }) {
			out = append(out, Year{Year: y})
		}
	}
	return out
}

// MeetsOrCertified reports whether a district counts towards the city's target in a year: it is certified, or its
// evaluation meets the standard.
func MeetsOrCertified(verdict string, certified bool) bool {
	return certified || verdict == string(evaluation.Meets)
}

// MeetingShare is the share of the districts counting towards the target; 0 without districts.
func MeetingShare(meeting, districts int) float64 {
	if districts == 0 {
		return 0
	}
	return float64(meeting) / float64(districts)
}

// TargetMet reports whether meeting of the districts reach the target share. It compares counts, with the
// package's tolerance, so that a count exactly at the target passes: 0.28 × 25 is 7.000000000000001 in floats.
func TargetMet(meeting, districts int, target float64) bool {
	return float64(meeting) >= target*float64(districts)-1e-9
}

// meets reports whether the year's evaluation meets the standard.
func (dy *DistrictYear) meets() bool { return dy.Verdict == string(evaluation.Meets) }
