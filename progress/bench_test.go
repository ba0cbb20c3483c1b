package progress

import (
	"fmt"
	"testing"

	"junheng/evaluation"
)

// benchDistrict is a district of 200 primary schools over 2021–2025 with a plan: each year a fifth of the schools
// fall short, ten are oversized and about one in eleven has a large class, the set moving from year to year.
func benchDistrict(b *testing.B) District {
	d := District{Code: "370299", Plan: &Plan{TargetYear: 2025, Milestones: []Milestone{
		{Year: 2023, Schools: []string{"B0001", "B0002"}, Indicators: []string{"school_size"}, OversizedMax: ptr(5)},
		{Year: 2024, LargeClassesMax: ptr(0)},
	}}}
	for y := range 5 {
		schools := make([]evaluation.School, 200)
		for i := range schools {
			s := primary(b, fmt.Sprintf("B%04d", i))
			switch {
			case (i+y)%5 == 0:
				s = short(s)
			case i%20 == y:
				s = oversize(s)
			case (7*i+y)%11 == 0:
				s = largeClass(s)
			}
			schools[i] = s
		}
		d.Years = append(d.Years, submitted(b, 2021+y, schools))
	}
	return d
}

func BenchmarkProgress(b *testing.B) {
	d, rules := benchDistrict(b), DefaultRules()
	for b.Loop() {
		Progress(d, rules)
	}
}

func BenchmarkSchools(b *testing.B) {
	d := benchDistrict(b)
	for b.Loop() {
		Schools(d.Years)
	}
}
