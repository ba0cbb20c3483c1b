package progress

import (
	"reflect"
	"slices"
	"testing"

	"junheng/evaluation"
)

// want is what a test checks of a DistrictYear; the milestone's missed parts are checked by key.
type want struct {
	year         int
	submitted    bool
	verdict      evaluation.Verdict
	certified    bool
	schools      int
	nonCompliant []string
	broughtUp    *BroughtUp
	oversized    Count
	largeClasses Count
	milestone    *Milestone // nil: no milestone this year
	missed       []string
	flags        []string
}

// Hand-derived expectations of the scenario (scenario_test.go). Shares are exact: 2/8 = 1/4, 1/4 of oversized 4 → 3.
func TestProgressScenario(t *testing.T) {
	s := newScenario(t)
	none := []string{}
	q := ptr(0.25) // the target of both yearly measures
	// noCount is a first year's count: nothing to compare with.
	noCount := func(now int, schools ...string) Count {
		return Count{Now: now, Target: q, Schools: append(none, schools...), New: none, Resolved: none}
	}
	noLarge := func(prev *int) Count {
		c := Count{Previous: prev, Schools: none, New: none, Resolved: none, Stages: none}
		if prev != nil {
			c.Change = ptr(0)
		}
		return c
	}
	zeroToZero := Count{Previous: ptr(0), Change: ptr(0), Target: q, Met: ptr(true), Schools: none, New: none,
		Resolved: none}
	tests := []struct {
		d     District
		years []want
	}{
		{s.A, []want{
			{year: 2023, submitted: true, verdict: evaluation.DoesNotMeet, schools: 14,
				nonCompliant: []string{"A01", "A02", "A03", "A04", "A05", "A06", "A07", "A08"},
				oversized:    noCount(0), largeClasses: noLarge(nil), flags: none},
			// 2 of last year's 8 comply: exactly 25%, met.
			{year: 2024, submitted: true, verdict: evaluation.DoesNotMeet, schools: 13,
				nonCompliant: []string{"A03", "A04", "A05", "A06", "A07", "A08"},
				broughtUp: &BroughtUp{Base: 8, Count: 2, Share: ptr(0.25), Target: 0.25, Met: true,
					Schools: []string{"A01", "A02"}, Gone: none, Worse: none},
				oversized: zeroToZero, largeClasses: noLarge(ptr(0)),
				milestone: &s.A.Plan.Milestones[0], missed: none, flags: none},
			// 1 of the 6 comply: 16.67% < 25%. A09 gets a large class (complied last year: worse, and large
			// classes 0 → 1 in the elimination year). A10, back after a year away, is not "worse". The target
			// year brings its own milestone: meeting the standard, which A does not.
			{year: 2025, submitted: true, verdict: evaluation.DoesNotMeet, schools: 14,
				nonCompliant: []string{"A04", "A05", "A06", "A07", "A08", "A09"},
				broughtUp: &BroughtUp{Base: 6, Count: 1, Share: ptr(1.0 / 6), Target: 0.25, Met: false,
					Schools: []string{"A03"}, Gone: none, Worse: []string{"A09"}},
				oversized: zeroToZero,
				largeClasses: Count{Now: 1, Previous: ptr(0), Change: ptr(1), Schools: []string{"A09"},
					Stages: []string{"A09/primary"}, New: []string{"A09/primary"}, Resolved: none},
				milestone: &Milestone{Year: 2025, Schools: none, Indicators: none},
				missed:    []string{FlagMilestoneVerdict},
				flags: []string{FlagBroughtUpShort, FlagSchoolsWorse, FlagLargeClassesUp, FlagNotEliminated,
					FlagMilestoneMissed, FlagTargetYearMissed, FlagCityTargetMissed}},
		}},
		{s.B, []want{
			{year: 2023, submitted: true, verdict: evaluation.Meets, schools: 4, nonCompliant: none,
				oversized: noCount(0), largeClasses: noLarge(nil), flags: none},
			// No non-compliant school last year: base 0, no share, met.
			{year: 2024, submitted: true, verdict: evaluation.Meets, schools: 4, nonCompliant: none,
				broughtUp: &BroughtUp{Target: 0.25, Met: true, Schools: none, Gone: none, Worse: none},
				oversized: zeroToZero, largeClasses: noLarge(ptr(0)), flags: none},
			{year: 2025, submitted: true, verdict: evaluation.Meets, schools: 4, nonCompliant: none,
				broughtUp: &BroughtUp{Target: 0.25, Met: true, Schools: none, Gone: none, Worse: none},
				oversized: zeroToZero, largeClasses: noLarge(ptr(0)), flags: none},
		}},
		{s.C, []want{
			{year: 2023, submitted: true, verdict: evaluation.DoesNotMeet, schools: 11,
				nonCompliant: []string{"C01", "C02", "C03", "C04"},
				oversized:    noCount(4, "C01", "C02", "C03", "C04"), largeClasses: noLarge(nil), flags: none},
			// C04 brought up: 1 of 4, exactly 25%; oversized 4 → 3, exactly 25% fewer. C05 and C06 got worse. The
			// milestone misses C01 (still oversized), Z99 (never reported), school_size (3 shortfalls) and the
			// oversized maximum (3 > 2); class_size has no shortfall.
			{year: 2024, submitted: true, verdict: evaluation.DoesNotMeet, schools: 11,
				nonCompliant: []string{"C01", "C02", "C03", "C05", "C06"},
				broughtUp: &BroughtUp{Base: 4, Count: 1, Share: ptr(0.25), Target: 0.25, Met: true,
					Schools: []string{"C04"}, Gone: none, Worse: []string{"C05", "C06"}},
				oversized: Count{Now: 3, Previous: ptr(4), Change: ptr(-1), Reduced: ptr(0.25), Target: q,
					Met: ptr(true), Schools: []string{"C01", "C02", "C03"}, New: none, Resolved: []string{"C04"}},
				largeClasses: noLarge(ptr(0)),
				milestone:    &s.C.Plan.Milestones[0],
				missed: []string{FlagMilestoneSchool, FlagMilestoneSchool, FlagMilestoneIndicator,
					FlagMilestoneOversized},
				flags: []string{FlagSchoolsWorse, FlagMilestoneMissed}},
			// C03 and C05 brought up (2 of 5). Oversized 3 → 3 (0% fewer, missed) with C07 new; C07 complied
			// last year.
			{year: 2025, submitted: true, verdict: evaluation.DoesNotMeet, schools: 11,
				nonCompliant: []string{"C01", "C02", "C06", "C07"},
				broughtUp: &BroughtUp{Base: 5, Count: 2, Share: ptr(0.4), Target: 0.25, Met: true,
					Schools: []string{"C03", "C05"}, Gone: none, Worse: []string{"C07"}},
				oversized: Count{Now: 3, Previous: ptr(3), Change: ptr(0), Reduced: ptr(0.0), Target: q,
					Met: ptr(false), Schools: []string{"C01", "C02", "C07"}, New: []string{"C07"},
					Resolved: []string{"C03"}},
				largeClasses: noLarge(ptr(0)),
				flags: []string{FlagSchoolsWorse, FlagOversizedShort, FlagNewOversized, FlagNotEliminated,
					FlagCityTargetMissed}}, // 2025: every district is to meet the standard
		}},
		{s.D, []want{
			{year: 2023, submitted: true, verdict: evaluation.DoesNotMeet, schools: 5, nonCompliant: []string{"D01"},
				oversized: noCount(0), largeClasses: noLarge(nil), flags: none},
			{year: 2024, submitted: true, verdict: evaluation.Meets, certified: true, schools: 5, nonCompliant: none,
				broughtUp: &BroughtUp{Base: 1, Count: 1, Share: ptr(1.0), Target: 0.25, Met: true,
					Schools: []string{"D01"}, Gone: none, Worse: none},
				oversized: zeroToZero, largeClasses: noLarge(ptr(0)),
				// The plan left out the milestone's indicators: shown as [].
				milestone: &Milestone{Year: 2024, Schools: []string{"D01"}, Indicators: none}, missed: none,
				flags: none},
			// Certified last year, nothing submitted: still certified, and out of the campaign, so not flagged.
			{year: 2025, certified: true, nonCompliant: none, oversized: emptyCount(), largeClasses: emptyCount(),
				flags: none},
		}},
		// E has no entry for 2024, so 2025 has no previous year. Its target year passed uncertified.
		{s.E, []want{
			{year: 2023, submitted: true, verdict: evaluation.DoesNotMeet, schools: 4, nonCompliant: none,
				oversized: noCount(0), largeClasses: noLarge(nil), flags: none},
			{year: 2025, submitted: true, verdict: evaluation.DoesNotMeet, schools: 4, nonCompliant: none,
				oversized: noCount(0), largeClasses: noLarge(nil),
				flags: []string{FlagTargetYearMissed, FlagCityTargetMissed}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.d.Name, func(t *testing.T) {
			got := Progress(tc.d, DefaultRules())
			noNilLists(t, got)
			if len(got) != len(tc.years) {
				t.Fatalf("%d years, want %d", len(got), len(tc.years))
			}
			for i, w := range tc.years {
				checkYear(t, got[i], w)
			}
		})
	}
}

func checkYear(t *testing.T, got DistrictYear, w want) {
	t.Helper()
	if got.Year != w.year || got.Submitted != w.submitted || got.Verdict != string(w.verdict) ||
		got.Certified != w.certified || got.Schools != w.schools {
		t.Errorf("%d: year %d submitted %v verdict %q certified %v schools %d; want %d %v %q %v %d", w.year, got.Year,
			got.Submitted, got.Verdict, got.Certified, got.Schools, w.year, w.submitted, w.verdict,
			w.certified, w.schools)
	}
	if !slices.Equal(got.NonCompliant, w.nonCompliant) {
		t.Errorf("%d: non-compliant %v, want %v", w.year, got.NonCompliant, w.nonCompliant)
	}
	if !reflect.DeepEqual(got.BroughtUp, w.broughtUp) {
		t.Errorf("%d: brought up\n got %s\nwant %s", w.year, show(got.BroughtUp), show(w.broughtUp))
	}
	if !reflect.DeepEqual(got.Oversized, w.oversized) {
		t.Errorf("%d: oversized\n got %s\nwant %s", w.year, show(got.Oversized), show(w.oversized))
	}
	if !reflect.DeepEqual(got.LargeClasses, w.largeClasses) {
		t.Errorf("%d: large classes\n got %s\nwant %s", w.year, show(got.LargeClasses), show(w.largeClasses))
	}
	switch m := got.Milestone; {
	case (m == nil) != (w.milestone == nil):
		t.Errorf("%d: milestone %s, want %s", w.year, show(m), show(w.milestone))
	case m != nil:
		if !reflect.DeepEqual(m.Milestone, *w.milestone) || m.Met != (len(w.missed) == 0) ||
			!slices.Equal(flagKeys(m.Missed), w.missed) {
			t.Errorf("%d: milestone %s, want %s missed %v", w.year, show(m), show(w.milestone), w.missed)
		}
	}
	if keys := flagKeys(got.Flags); !slices.Equal(keys, w.flags) {
		t.Errorf("%d: flags %v, want %v\n%s", w.year, keys, w.flags, show(got.Flags))
	}
	for _, f := range got.Flags {
		if f.MessageZh == "" || f.MessageEn == "" {
			t.Errorf("%d: flag %s lacks a message", w.year, f.Key)
		}
	}
}

// The messages name the numbers and schools, in both languages.
func TestProgressMessages(t *testing.T) {
	s := newScenario(t)
	a, c := Progress(s.A, DefaultRules()), Progress(s.C, DefaultRules())
	tests := []struct {
		got    Flag
		zh, en string
	}{
		{a[2].Flags[0], "上年未达标学校 6 所, 本年达标 1 所 (16.67%), 低于 25%",
			"1 of last year's 6 non-compliant schools comply now (16.67%), below 25%"},
		{c[1].Milestone.Missed[0], "学校 C01 仍有 1 项未达标", "school C01 still has 1 shortfall"},
		{c[1].Milestone.Missed[1], "学校 Z99 本年未填报", "school Z99 was not reported"},
		{c[1].Milestone.Missed[2], "学校规模仍有 3 处未达标", "school size still falls short in 3 places"},
		{c[1].Milestone.Missed[3], "大规模学校 3 所, 计划不超过 2 所", "oversized schools: 3, planned at most 2"},
		{c[2].Flags[1], "大规模学校上年 3 所, 本年 3 所 (减少 0.00%), 低于 25%",
			"oversized schools: 3 last year, 3 now (0.00% fewer), below 25%"},
		{c[2].Flags[2], "新出现大规模学校 1 所: C07", "schools newly over the size limit: C07"},
	}
	for _, tc := range tests {
		if tc.got.MessageZh != tc.zh || tc.got.MessageEn != tc.en {
			t.Errorf("%s:\n got %q / %q\nwant %q / %q", tc.got.Key, tc.got.MessageZh, tc.got.MessageEn, tc.zh, tc.en)
		}
	}
}

// A coefficient above its limit is flagged when it rises as shown, not when it falls or stays. Two primary schools
// of 1200 pupils with equipment a and b yuan per pupil have CV = |a − b| / (a + b); S001's 2.6 million yuan beside
// 26, 30, 28 and 28 million give 23.4/28.6 = 0.8182, 27.4/32.6 = 0.8405, 25.4/30.6 = 0.8301, 0.8301.
func TestProgressCoefficientWorse(t *testing.T) {
	year := func(y int, million float64) Year {
		rich := primary(t, "X02")
		rich.Facilities.EquipmentValueYuan = million * 1e6
		return submitted(t, y, []evaluation.School{primary(t, "X01"), rich})
	}
	got := Progress(District{Code: "370299",
		Years: []Year{year(2023, 26), year(2024, 30), year(2025, 28), year(2026, 28)}}, DefaultRules())
	wantCV := []float64{0.8182, 0.8405, 0.8301, 0.8301}
	wantFlag := []bool{false, true, false, false}
	for i, dy := range got {
		if len(dy.Coefficients) != 7 || dy.Coefficients[5].Indicator != "equipment_value_per_student" {
			t.Fatalf("%d: coefficients %s", dy.Year, show(dy.Coefficients))
		}
		c := dy.Coefficients[5]
		if round4(c.CV) != wantCV[i] || c.Passes || c.Limit != 0.5 {
			t.Errorf("%d: %s, want CV %v above 0.5", dy.Year, show(c), wantCV[i])
		}
		if i > 0 && (c.Previous == nil || round4(*c.Previous) != wantCV[i-1] || c.Change == nil ||
			round4(*c.Change) != round4(evaluation.Number(float64(c.CV)-float64(*c.Previous)))) {
			t.Errorf("%d: previous/change %s", dy.Year, show(c))
		}
		if flagged := slices.Contains(flagKeys(dy.Flags), FlagCoefficientWorse); flagged != wantFlag[i] {
			t.Errorf("%d: coefficient flag %v, want %v: %s", dy.Year, flagged, wantFlag[i], show(dy.Flags))
		}
	}
	zh := "差异系数超过上限且比上年上升: 小学生均教学仪器设备值 0.8182 → 0.8405 (上限 0.5)"
	en := "difference coefficients above their limit and higher than last year: " +
		"primary teaching equipment value per student 0.8182 → 0.8405 (limit 0.5)"
	if f := got[1].Flags[0]; f.MessageZh != zh || f.MessageEn != en {
		t.Errorf("message %q / %q", f.MessageZh, f.MessageEn)
	}
}

// Edge cases of the yearly measures and the plan, each on a small district evaluated by the engine.
func TestProgressCases(t *testing.T) {
	meets := func(y int) Year { return submitted(t, y, sampleSchools(t)) }
	certified := func(y Year) Year { y.Certified = true; return y }
	x := func(change ...func(evaluation.School) evaluation.School) []evaluation.School {
		s := primary(t, "X01")
		for _, c := range change {
			s = c(s)
		}
		return with(t, s)
	}
	tests := []struct {
		name  string
		plan  *Plan
		years []Year
		check func(t *testing.T, last DistrictYear)
	}{
		{"a milestone without a submission has no data", &Plan{TargetYear: 2024,
			Milestones: []Milestone{{Year: 2024, Schools: []string{"S001"}}}},
			[]Year{meets(2023), {Year: 2024}}, func(t *testing.T, last DistrictYear) {
				wantMissed(t, last, FlagMilestoneNoData)
				wantFlags(t, last, FlagNoSubmission, FlagMilestoneMissed, FlagTargetYearMissed)
			}},
		{"a certified district owes no target-year verdict", &Plan{TargetYear: 2024},
			[]Year{certified(meets(2023)), {Year: 2024}}, func(t *testing.T, last DistrictYear) {
				wantMissed(t, last)
				wantFlags(t, last)
			}},
		{"but a planned milestone still needs data", &Plan{TargetYear: 2024, Milestones: []Milestone{{Year: 2024}}},
			[]Year{certified(meets(2023)), {Year: 2024}}, func(t *testing.T, last DistrictYear) {
				wantMissed(t, last, FlagMilestoneNoData)
				wantFlags(t, last, FlagMilestoneMissed)
			}},
		{"meeting in the target year reaches it", &Plan{TargetYear: 2024}, []Year{meets(2024)},
			func(t *testing.T, last DistrictYear) {
				wantMissed(t, last)
				wantFlags(t, last)
			}},
		{"after the target year, still flagged", &Plan{TargetYear: 2023},
			[]Year{submitted(t, 2024, x(short))}, func(t *testing.T, last DistrictYear) {
				if last.Milestone != nil {
					t.Errorf("milestone %s", show(last.Milestone))
				}
				wantFlags(t, last, FlagTargetYearMissed)
			}},
		{"more large classes than planned", &Plan{TargetYear: 2026,
			Milestones: []Milestone{{Year: 2024, LargeClassesMax: ptr(0), OversizedMax: ptr(1)}}},
			[]Year{submitted(t, 2024, x(largeClass, oversize))}, func(t *testing.T, last DistrictYear) {
				wantMissed(t, last, FlagMilestoneClasses)
				wantFlags(t, last, FlagMilestoneMissed)
			}},
		{"a year after a gap has no previous year", nil,
			[]Year{submitted(t, 2023, x(short)), submitted(t, 2025, x(oversize))},
			func(t *testing.T, last DistrictYear) {
				if last.BroughtUp != nil || last.Oversized.Previous != nil || last.Oversized.Met != nil ||
					len(last.Oversized.New) != 0 || last.Coefficients[0].Previous != nil {
					t.Errorf("compared with a year that is not the previous one: %s", show(last))
				}
				wantFlags(t, last, FlagNotEliminated, FlagCityTargetMissed)
			}},
		{"a school gone is left out of the base", nil,
			[]Year{submitted(t, 2023, x(short)), meets(2024)}, func(t *testing.T, last DistrictYear) {
				b := last.BroughtUp
				if b.Base != 0 || b.Share != nil || !b.Met || !slices.Equal(b.Gone, []string{"X01"}) {
					t.Errorf("brought up %s", show(b))
				}
			}},
		{"an oversized school where there was none", nil,
			[]Year{submitted(t, 2023, x()), submitted(t, 2024, x(oversize))}, func(t *testing.T, last DistrictYear) {
				o := last.Oversized
				if o.Reduced != nil || o.Met == nil || *o.Met || *o.Change != 1 {
					t.Errorf("oversized %s", show(o))
				}
				wantFlags(t, last, FlagSchoolsWorse, FlagOversizedShort, FlagNewOversized)
				if m := last.Flags[1].MessageZh; m != "上年无大规模学校, 本年 1 所" {
					t.Errorf("message %q", m)
				}
			}},
		{"fewer large classes raise no flag", nil,
			[]Year{submitted(t, 2023, x(largeClass)), submitted(t, 2024, x())}, func(t *testing.T, last DistrictYear) {
				l := last.LargeClasses
				if l.Now != 0 || *l.Previous != 1 || *l.Reduced != 1 ||
					!slices.Equal(l.Resolved, []string{"X01/primary"}) {
					t.Errorf("large classes %s", show(l))
				}
				wantFlags(t, last)
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Progress(District{Code: "370299", Plan: tc.plan, Years: tc.years}, DefaultRules())
			noNilLists(t, got)
			tc.check(t, got[len(got)-1])
		})
	}
}

func wantFlags(t *testing.T, dy DistrictYear, keys ...string) {
	t.Helper()
	if got := flagKeys(dy.Flags); !slices.Equal(got, append([]string{}, keys...)) {
		t.Errorf("%d: flags %v, want %v", dy.Year, got, keys)
	}
}

// wantMissed checks the year's milestone: met when no key is given.
func wantMissed(t *testing.T, dy DistrictYear, keys ...string) {
	t.Helper()
	m := dy.Milestone
	if m == nil || m.Met != (len(keys) == 0) || !slices.Equal(flagKeys(m.Missed), append([]string{}, keys...)) {
		t.Errorf("%d: milestone %s, want missed %v", dy.Year, show(m), keys)
	}
}

// TestPendingAndEarlierPlans: a year not yet due is not flagged, and a past year is judged against the plan
// approved then, not a later revision.
func TestPendingAndEarlierPlans(t *testing.T) {
	short := submitted(t, 2024, with(t, short(primary(t, "X01"))), lowRecognition)
	revised := &Plan{TargetYear: 2026, Milestones: []Milestone{{Year: 2025, Schools: []string{"X01"}}}}
	original := &Plan{TargetYear: 2024, Milestones: []Milestone{{Year: 2024, Schools: []string{"X01"}}}}
	d := District{Code: "370299", Plan: revised, PlanFor: map[int]*Plan{2024: original},
		Years: []Year{short, {Year: 2025, Pending: true}}}
	got := Progress(d, DefaultRules())
	wantMissed(t, got[0], FlagMilestoneSchool, FlagMilestoneVerdict)
	wantFlags(t, got[0], FlagMilestoneMissed, FlagTargetYearMissed)
	if y := got[1]; !y.Pending || y.Milestone != nil || len(y.Flags) != 0 {
		t.Errorf("2025, not yet due: %s", show(y))
	}
	city := City([]District{d}, []int{2024, 2025}, DefaultRules())
	// At risk in 2024 under the plan of then; 2025 is under the revision (target 2026): not late, and not due.
	if !slices.Equal(city[0].AtRisk, []string{"370299"}) || len(city[1].Late) != 0 || len(city[1].Lagging) != 0 {
		t.Errorf("city %s", show(city))
	}
	// Once due, the missing submission is flagged and the revised plan's milestone is missed.
	d.Years[1].Pending = false
	got = Progress(d, DefaultRules())
	wantMissed(t, got[1], FlagMilestoneNoData)
	wantFlags(t, got[1], FlagNoSubmission, FlagMilestoneMissed, FlagCityTargetMissed)
}

// A year names the rules that judged it: a result stored before the engine recorded its version was judged by
// version 1, and keeps its verdict.
func TestYearNamesItsRules(t *testing.T) {
	now := submitted(t, 2025, with(t))
	old := submitted(t, 2024, with(t))
	old.Result.Engine = 0
	got := Progress(District{Code: "370299", Years: []Year{old, now, {Year: 2026, Pending: true}}}, DefaultRules())
	if got[0].Engine != 1 || got[1].Engine != evaluation.EngineVersion || got[2].Engine != 0 {
		t.Errorf("engines %d, %d, %d; want 1, %d, 0", got[0].Engine, got[1].Engine, got[2].Engine,
			evaluation.EngineVersion)
	}
}
