package progress

import (
	"math"
	"slices"

	"junheng/evaluation"
)

// The checklist items whose school-level shortfalls make a school oversized (大规模学校) or one of its stages a
// large class (大班额): the keys of items 4 and 5 of the government part.
const (
	keySchoolSize = "school_size"
	keyClassSize  = "class_size"
)

// byYear returns a copy of years, oldest first.
func byYear(years []Year) []Year {
	sorted := slices.Clone(years)
	slices.SortStableFunc(sorted, func(a, b Year) int { return a.Year - b.Year })
	return sorted
}

// yearData is one submitted year indexed by school code.
type yearData struct {
	result *evaluation.Result
	// schools are the schools reported; shortfalls the school-level shortfalls of each school that has any.
	schools    map[string]*evaluation.School
	shortfalls map[string][]*evaluation.Shortfall
}

// index returns the year's data, or nil when nothing was submitted.
func index(y Year) *yearData {
	if y.Input == nil || y.Result == nil {
		return nil
	}
	d := &yearData{result: y.Result, schools: make(map[string]*evaluation.School, len(y.Input.Schools)),
		shortfalls: map[string][]*evaluation.Shortfall{}}
	for i := range y.Input.Schools {
		s := &y.Input.Schools[i]
		d.schools[s.Code] = s
	}
	for i := range y.Result.Shortfalls {
		if s := &y.Result.Shortfalls[i]; s.Scope == evaluation.ScopeSchool {
			d.shortfalls[s.School] = append(d.shortfalls[s.School], s)
		}
	}
	return d
}

// identity joins a name and a stage, when there is one: "key/stage" names a shortfall within a school across
// years, "code/stage" a school stage.
func identity(key string, stage evaluation.SchoolStage) string {
	if stage == "" {
		return key
	}
	return key + "/" + string(stage)
}

// sortedKeys returns the keys of m sorted; never nil, so JSON shows [].
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// minus returns the keys of a that are not in b, sorted.
func minus(a, b map[string]bool) []string {
	out := []string{}
	for k := range a {
		if _, in := b[k]; !in {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// round4 is a number as JSON shows it, so that changes below the shown precision do not count.
func round4(v evaluation.Number) float64 { return math.Round(float64(v)*1e4) / 1e4 }
