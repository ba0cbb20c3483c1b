package progress

import "testing"

func TestDefaultRules(t *testing.T) {
	r := DefaultRules()
	if r.BringUpShare != 0.25 || r.OversizedReduction != 0.25 || r.EliminateBy != 2025 ||
		len(r.Targets) != 2 || r.Targets[2023] != 0.30 || r.Targets[2025] != 1.0 {
		t.Errorf("DefaultRules() = %+v", r)
	}
	r.Targets[2023] = 0.5 // a caller's change must not reach the next call
	if DefaultRules().Targets[2023] != 0.30 {
		t.Error("DefaultRules shares its Targets map between calls")
	}
}

func TestTarget(t *testing.T) {
	targets := map[int]float64{2023: 0.30, 2025: 1.0}
	tests := []struct {
		targets map[int]float64
		year    int
		want    float64
		ok      bool
	}{
		{targets, 2022, 0, false}, // before the first target year
		{targets, 2023, 0.30, true},
		{targets, 2024, 0.30, true}, // 2023's target holds until 2025
		{targets, 2025, 1.0, true},
		{targets, 2030, 1.0, true},
		{map[int]float64{2025: 1.0, 2023: 0.30, 2024: 0.5}, 2024, 0.5, true},
		{map[int]float64{2023: 0}, 2023, 0, true}, // a zero target is a target
		{nil, 2025, 0, false},
	}
	for _, tc := range tests {
		got, ok := Target(tc.targets, tc.year)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Target(%v, %d) = %v, %v; want %v, %v", tc.targets, tc.year, got, ok, tc.want, tc.ok)
		}
	}
}
