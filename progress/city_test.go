package progress

import (
	"fmt"
	"reflect"
	"testing"

	"junheng/evaluation"
)

// The scenario's city (scenario_test.go) against seed 002's targets: 30% from 2023, all districts by 2025.
//
//	2023  B meets: 1 of 5 = 20% < 30%.
//	2024  B meets, D meets and is certified: 2 of 5 = 40% ≥ 30%. E's target year passes with nothing submitted.
//	2025  B meets, D (certified in 2024) counts though it submits nothing: 2 of 5 < 100%. A's target year passes
//	      unmet; E is late.
func TestCityScenario(t *testing.T) {
	s := newScenario(t)
	districts := s.all()
	got := City(districts, []int{2025, 2023, 2024}, DefaultRules())
	noNilLists(t, got)
	const a, c, e = "370201", "370203", "370205"
	none := []string{}
	want := []CityYear{
		{Year: 2023, Districts: 5, Meeting: 1, Certified: 0, Share: 0.2, Target: ptr(0.3), TargetMet: false,
			AtRisk: none, Late: none, Lagging: none},
		{Year: 2024, Districts: 5, Meeting: 2, Certified: 1, Share: 0.4, Target: ptr(0.3), TargetMet: true,
			AtRisk: []string{e}, Late: none, Lagging: []string{c, e}},
		// D is certified: not lagging for submitting nothing
		{Year: 2025, Districts: 5, Meeting: 2, Certified: 1, Share: 0.4, Target: ptr(1.0), TargetMet: false,
			AtRisk: []string{a}, Late: []string{e}, Lagging: []string{a, c, e}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("City\n got %s\nwant %s", show(got), show(want))
	}
	if len(s.E.Years) != 2 {
		t.Errorf("City changed the district's years: %d", len(s.E.Years))
	}
}

// The target is decided exactly: 3 of 10 districts meet a 30% target, 2 do not; 10 of 10 meet 100%, 9 do not;
// 7 of 25 meet 28%.
func TestCityTargets(t *testing.T) {
	city := func(n, early, late int) []District { // early certified in 2023, late in 2025, the rest never
		ds := make([]District, n)
		for i := range ds {
			ds[i] = District{Code: fmt.Sprintf("3702%02d", i)}
			switch {
			case i < early:
				ds[i].Years = []Year{{Year: 2023, Certified: true}}
			case i < early+late:
				ds[i].Years = []Year{{Year: 2025, Certified: true}}
			}
		}
		return ds
	}
	tests := []struct {
		name        string
		targets     map[int]float64 // nil: seed 002's
		districts   []District
		years       []int
		meeting     []int
		targetMet   []bool
		noTargetFor int // the year before the first target year
	}{
		{"exactly at the targets", nil, city(10, 3, 7), []int{2022, 2023, 2024, 2025}, []int{0, 3, 3, 10},
			[]bool{true, true, true, true}, 2022},
		{"one short of each", nil, city(10, 2, 7), []int{2022, 2023, 2024, 2025}, []int{0, 2, 2, 9},
			[]bool{true, false, false, false}, 2022},
		// 0.28 × 25 is 7.000000000000001 in floats: 7 districts still reach 28%.
		{"a target the floats overshoot", map[int]float64{2023: 0.28}, city(25, 7, 0), []int{2023}, []int{7},
			[]bool{true}, 0},
		{"certified before the years shown", nil,
			[]District{{Code: "370201", Years: []Year{{Year: 2021, Certified: true}}}},
			[]int{2023}, []int{1}, []bool{true}, 0},
		{"no districts", nil, nil, []int{2023, 2023}, []int{0}, []bool{true}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rules := DefaultRules()
			if tc.targets != nil {
				rules.Targets = tc.targets
			}
			got := City(tc.districts, tc.years, rules)
			if len(got) != len(tc.meeting) {
				t.Fatalf("%d years, want %d", len(got), len(tc.meeting))
			}
			for i, cy := range got {
				if cy.Meeting != tc.meeting[i] || cy.Certified != tc.meeting[i] || cy.TargetMet != tc.targetMet[i] ||
					(cy.Target == nil) != (cy.Year == tc.noTargetFor) {
					t.Errorf("%d: %s; want meeting and certified %d, target met %v", cy.Year, show(cy), tc.meeting[i],
						tc.targetMet[i])
				}
			}
		})
	}
}

// The city's share rule, which the bulletin uses too. The target is decided on counts with the package's
// tolerance; the bulletin used to compare the share itself (share ≥ target), which decides the same for every
// target of up to 4 decimals and up to 500 districts, and differs only where the tolerance does: 3 of 10 reach a
// target of 0.3000000001 here (0.3 < 0.3000000001 there), and no districts reach any target here (0 < 0.3 there).
func TestShareRule(t *testing.T) {
	meets, not := string(evaluation.Meets), string(evaluation.DoesNotMeet)
	if !MeetsOrCertified(meets, false) || !MeetsOrCertified(not, true) || !MeetsOrCertified("", true) ||
		MeetsOrCertified(not, false) || MeetsOrCertified("", false) {
		t.Error("a district counts when it meets the standard or is certified")
	}
	if MeetingShare(0, 0) != 0 || MeetingShare(1, 4) != 0.25 {
		t.Errorf("shares %v, %v", MeetingShare(0, 0), MeetingShare(1, 4))
	}
	for _, tc := range []struct {
		meeting, districts int
		target             float64
		met                bool
	}{
		{3, 10, 0.3, true}, {2, 10, 0.3, false}, {10, 10, 1, true}, {9, 10, 1, false},
		{7, 25, 0.28, true}, {6, 25, 0.28, false}, {0, 10, 0, true}, // before the first target year
		{3, 10, 0.3000000001, true}, {0, 0, 0.3, true},
	} {
		if got := TargetMet(tc.meeting, tc.districts, tc.target); got != tc.met {
			t.Errorf("%d of %d against %v: met %v, want %v", tc.meeting, tc.districts, tc.target, got, tc.met)
		}
	}
}
