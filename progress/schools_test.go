package progress

import (
	"reflect"
	"slices"
	"testing"

	"junheng/evaluation"
)

// District A's ledger (scenario_test.go): A01 short in 2023 and brought up in 2024, A09 with a new large class in
// 2025, A10 away in 2024, and the sample's schools (a nine-year school, a teaching point left out).
func TestSchoolsScenario(t *testing.T) {
	s := newScenario(t)
	ledgers := Schools(s.A.Years)
	noNilLists(t, ledgers)
	codes := []string{}
	for _, l := range ledgers {
		codes = append(codes, l.Code)
		if len(l.Years) != 3 || l.Years[0].Year != 2023 || l.Years[1].Year != 2024 || l.Years[2].Year != 2025 {
			t.Errorf("%s: years %s", l.Code, show(l.Years))
		}
	}
	want := []string{"A01", "A02", "A03", "A04", "A05", "A06", "A07", "A08", "A09", "A10", "S001", "S002",
		"S003", "T001"}
	if !slices.Equal(codes, want) {
		t.Fatalf("codes %v, want %v", codes, want)
	}
	a01, a09, a10 := ledgers[0], ledgers[8], ledgers[9]
	s002, t001 := ledgers[11], ledgers[13]

	// 2023: 40 teachers for 1200 pupils, 3.3333 per 100 against 4.2; 11 more are needed (51 ≥ 50.4).
	y := a01.Years[0]
	if !y.Reported || y.Kind != evaluation.KindPrimary || y.Students != 1200 || y.Complies || y.Oversized ||
		y.LargeClasses != 0 || y.Changes != nil || len(y.Shortfalls) != 1 {
		t.Fatalf("A01 2023: %s", show(y))
	}
	f := y.Shortfalls[0]
	if actual, _ := f.Actual.Float(); f.Key != "qualified_teachers_per_100" || f.Stage != evaluation.Primary ||
		round4(evaluation.Number(actual)) != 3.3333 || f.Op != evaluation.AtLeast ||
		!reflect.DeepEqual(f.Needed, map[string]int64{"qualified_teachers": 11}) ||
		f.MessageZh == "" || f.MessageEn == "" {
		t.Errorf("A01 2023 shortfall: %s", show(f))
	}
	if v, _ := y.Stages[0].Values.Get("qualified_teachers_per_100"); len(y.Stages) != 1 ||
		round4(evaluation.Number(v)) != 3.3333 {
		t.Errorf("A01 2023 stages: %s", show(y.Stages))
	}
	// 2024: brought up; only the teachers' value moved (3.3333 → 5).
	y = a01.Years[1]
	wantChanges := &Changes{Since: 2023, Resolved: []string{"qualified_teachers_per_100/primary"}, New: []string{},
		Values: []ValueChange{{Stage: evaluation.Primary, Indicator: "qualified_teachers_per_100",
			Previous: 40.0 / 12, Now: 5}}}
	if !y.Complies || len(y.Shortfalls) != 0 || !sameChanges(y.Changes, wantChanges) {
		t.Errorf("A01 2024: %s", show(y))
	}
	// 2025: a large class (46 > 45) is new; no value moved.
	y = a09.Years[2]
	wantChanges = &Changes{Since: 2024, Resolved: []string{}, New: []string{"class_size/primary"},
		Values: []ValueChange{}}
	if y.Complies || y.LargeClasses != 1 || len(y.Shortfalls) != 1 ||
		!reflect.DeepEqual(y.Shortfalls[0].Needed, map[string]int64{"largest_class": -1}) ||
		!sameChanges(y.Changes, wantChanges) {
		t.Errorf("A09 2025: %s", show(y))
	}
	// A10: not reported in 2024, so 2025 compares with 2023.
	if y := a10.Years[1]; !reflect.DeepEqual(y, SchoolYear{Year: 2024, Shortfalls: []SchoolShortfall{}}) {
		t.Errorf("A10 2024: %s", show(y))
	}
	if c := a10.Years[2].Changes; c == nil || c.Since != 2023 {
		t.Errorf("A10 2025 changes: %s", show(c))
	}
	// A nine-year school: both stages, in order, and its compulsory pupils 166 + 210.
	if y := s002.Years[0]; y.Kind != evaluation.KindNineYear || y.Students != 376 || len(y.Stages) != 2 ||
		y.Stages[0].Stage != evaluation.Primary || y.Stages[1].Stage != evaluation.Junior {
		t.Errorf("S002 2023: %s", show(y))
	}
	// The teaching point of 49 pupils is left out, with the engine's reason, and has no values.
	if y := t001.Years[0]; !y.Excluded || y.ExcludedNote != "教学点学生不足 50 人,不参与资源配置计算" || y.Stages != nil ||
		y.Students != 49 || !y.Complies {
		t.Errorf("T001 2023: %s", show(y))
	}
}

// District C's ledger: an oversized school and the school size it needs (2400 − 2000 = 400 pupils fewer).
func TestSchoolsOversized(t *testing.T) {
	ledgers := Schools(newScenario(t).C.Years)
	c01, c04 := ledgers[0], ledgers[3]
	if y := c01.Years[0]; !y.Oversized || y.Students != 2400 || len(y.Shortfalls) != 1 ||
		y.Shortfalls[0].Key != "school_size" ||
		!reflect.DeepEqual(y.Shortfalls[0].Needed, map[string]int64{"students": -400}) {
		t.Errorf("C01 2023: %s", show(y))
	}
	// Halved back to 1200 pupils with every quantity halved: the values stay, so none is listed as moved.
	want := &Changes{Since: 2023, Resolved: []string{"school_size"}, New: []string{}, Values: []ValueChange{}}
	if y := c04.Years[1]; y.Oversized || !y.Complies || !sameChanges(y.Changes, want) {
		t.Errorf("C04 2024: %s", show(y))
	}
}

func TestSchoolsCases(t *testing.T) {
	named := func(y int, name string, change func(*evaluation.School)) Year {
		s := primary(t, "X01")
		s.Name = name
		change(&s)
		return submitted(t, y, []evaluation.School{primary(t, "X02"), s})
	}
	same := func(*evaluation.School) {}
	tests := []struct {
		name  string
		years []Year
		check func(t *testing.T, ls []SchoolLedger)
	}{
		{"nothing submitted", []Year{{Year: 2023}}, func(t *testing.T, ls []SchoolLedger) {
			if ls == nil || len(ls) != 0 {
				t.Errorf("ledgers %s", show(ls))
			}
		}},
		{"the newest name, whatever the order", []Year{named(2024, "新名", same), named(2023, "旧名", same)},
			func(t *testing.T, ls []SchoolLedger) {
				if ls[0].Name != "新名" || ls[0].Years[0].Year != 2023 {
					t.Errorf("ledger %s", show(ls[0]))
				}
			}},
		{"a year without a submission", []Year{named(2023, "x", same), {Year: 2024}, named(2025, "x", same)},
			func(t *testing.T, ls []SchoolLedger) {
				for _, l := range ls {
					if y := l.Years[1]; y.Reported || l.Years[2].Changes.Since != 2023 {
						t.Errorf("%s: %s", l.Code, show(l.Years))
					}
				}
			}},
		// 9500 → 9500.01 m² moves sports area per pupil from 7.916667 to 7.916675: 7.9167 both as shown.
		// 9500 → 9520 moves it to 7.9333.
		{"changes below the shown precision are not changes",
			[]Year{named(2023, "x", same),
				named(2024, "x", func(s *evaluation.School) { s.Facilities.SportsAreaM2 = 9500.01 }),
				named(2025, "x", func(s *evaluation.School) { s.Facilities.SportsAreaM2 = 9520 })},
			func(t *testing.T, ls []SchoolLedger) {
				if c := ls[0].Years[1].Changes; len(c.Values) != 0 {
					t.Errorf("2024 changes %s", show(c))
				}
				if c := ls[0].Years[2].Changes; len(c.Values) != 1 ||
					c.Values[0].Indicator != "sports_area_per_student" ||
					round4(c.Values[0].Now) != 7.9333 {
					t.Errorf("2025 changes %s", show(c))
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ls := Schools(tc.years)
			noNilLists(t, ls)
			tc.check(t, ls)
		})
	}
}

// sameChanges compares changes with values as shown (4 decimals).
func sameChanges(got, want *Changes) bool {
	if got == nil || got.Since != want.Since || !slices.Equal(got.Resolved, want.Resolved) ||
		!slices.Equal(got.New, want.New) || len(got.Values) != len(want.Values) || got.Values == nil {
		return false
	}
	for i, v := range got.Values {
		w := want.Values[i]
		if v.Stage != w.Stage || v.Indicator != w.Indicator || round4(v.Previous) != round4(w.Previous) ||
			round4(v.Now) != round4(w.Now) {
			return false
		}
	}
	return true
}
