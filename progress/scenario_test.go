package progress

import (
	"fmt"
	"testing"

	"junheng/evaluation"
)

// The acceptance scenario: a small city of five districts over three consecutive cycles, 2023 to 2025. Every
// district holds the sample's four schools (which meet the standard) and schools of its own, each a copy of the
// sample's S001 made to fall short on purpose (helpers_test.go: short, oversize, largeClass). Every year is
// evaluated by the real engine.
//
//	A  10 schools A01–A10. 2023: A01–A08 short (8 non-compliant). 2024: A03–A08 short, A10 not reported.
//	   2025: A04–A08 short, A09 with a large class. Plan: certified by 2025; 2024 milestone A01, A02, no large
//	   class, no oversized school.
//	B  the sample alone, every year: meets, never a non-compliant school. No plan.
//	C  2023: C01–C04 oversized. 2024: C01–C03 oversized, C05 and C06 (compliant in 2023) short. 2025: C01, C02
//	   and C07 oversized, C06 short. Plan: certified by 2026; 2024 milestone C01, C04 and Z99 brought up, no
//	   school_size or class_size shortfall, at most 2 oversized schools.
//	D  2023: D01 short. 2024: meets, certified. 2025: nothing submitted. Plan: certified by 2024, 2024 milestone
//	   D01.
//	E  social recognition 0.80 (short, and a veto) in 2023 and 2025; no entry at all for 2024. Plan: certified
//	   by 2024, 2024 milestone at most 0 oversized schools.
type scenario struct{ A, B, C, D, E District }

// edits change some of a district's own schools, by number.
type edits = map[int]func(evaluation.School) evaluation.School

func newScenario(t testing.TB) scenario {
	schools := func(prefix string, n int, change edits) []evaluation.School {
		out := sampleSchools(t)
		for i := 1; i <= n; i++ {
			s := primary(t, fmt.Sprintf("%s%02d", prefix, i))
			if c := change[i]; c != nil {
				s = c(s)
			}
			out = append(out, s)
		}
		return out
	}
	shortOnes := func(from, to int) edits {
		m := edits{}
		for i := from; i <= to; i++ {
			m[i] = short
		}
		return m
	}
	a24 := schools("A", 9, shortOnes(3, 8)) // A10 not reported
	a25 := shortOnes(4, 8)
	a25[9] = largeClass
	c := func(e edits) []evaluation.School { return schools("C", 7, e) }
	return scenario{
		A: District{Code: "370201", Name: "甲区",
			Plan: &Plan{TargetYear: 2025, Milestones: []Milestone{{Year: 2024, Schools: []string{"A01", "A02"},
				Indicators: []string{"class_size"}, OversizedMax: ptr(0), LargeClassesMax: ptr(0)}}},
			Years: []Year{ // out of order on purpose
				submitted(t, 2025, schools("A", 10, a25)),
				submitted(t, 2023, schools("A", 10, shortOnes(1, 8))),
				submitted(t, 2024, a24),
			}},
		B: District{Code: "370202", Name: "乙区", Years: []Year{
			submitted(t, 2023, sampleSchools(t)), submitted(t, 2024, sampleSchools(t)),
			submitted(t, 2025, sampleSchools(t)),
		}},
		C: District{Code: "370203", Name: "丙区",
			Plan: &Plan{TargetYear: 2026, Milestones: []Milestone{{Year: 2024, Schools: []string{"C01", "C04", "Z99"},
				Indicators: []string{"school_size", "class_size"}, OversizedMax: ptr(2)}}},
			Years: []Year{
				submitted(t, 2023, c(edits{1: oversize, 2: oversize, 3: oversize, 4: oversize})),
				submitted(t, 2024, c(edits{1: oversize, 2: oversize, 3: oversize, 5: short, 6: short})),
				submitted(t, 2025, c(edits{1: oversize, 2: oversize, 7: oversize, 6: short})),
			}},
		D: District{Code: "370204", Name: "丁区",
			Plan: &Plan{TargetYear: 2024, Milestones: []Milestone{{Year: 2024, Schools: []string{"D01"}}}},
			Years: []Year{
				submitted(t, 2023, schools("D", 1, edits{1: short})),
				func() Year { y := submitted(t, 2024, schools("D", 1, nil)); y.Certified = true; return y }(),
				{Year: 2025},
			}},
		E: District{Code: "370205", Name: "戊区",
			Plan: &Plan{TargetYear: 2024, Milestones: []Milestone{{Year: 2024, OversizedMax: ptr(0)}}},
			Years: []Year{
				submitted(t, 2023, sampleSchools(t), lowRecognition),
				submitted(t, 2025, sampleSchools(t), lowRecognition),
			}},
	}
}

func (s scenario) all() []District { return []District{s.A, s.B, s.C, s.D, s.E} }
