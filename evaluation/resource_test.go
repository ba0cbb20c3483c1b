package evaluation

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.6f, want %.6f (±%g)", what, got, want, tol)
	}
}

// unweightedCV is the wrong coefficient some software computes: every school counts the same.
func unweightedCV(values []float64) float64 {
	var mean, ss float64
	for _, v := range values {
		mean += v
	}
	mean /= float64(len(values))
	for _, v := range values {
		ss += (v - mean) * (v - mean)
	}
	return math.Sqrt(ss/float64(len(values))) / mean
}

// The worked check of STANDARD.md 3.1: pupils 45, 37, 89, 76, 55 with quantities 279, 137, 935, 160, 402.
func TestWorkedExampleWeightedCV(t *testing.T) {
	pupils := []int{45, 37, 89, 76, 55}
	area := []float64{279, 137, 935, 160, 402}
	var schools []School
	var values []float64
	for i, n := range pupils {
		s := goodSchool(string(rune('A'+i)), KindPrimary, Primary, n)
		s.Facilities.SportsAreaM2 = area[i]
		schools = append(schools, s)
		values = append(values, area[i]/float64(n))
	}
	r := evaluate(t, district(schools...), National2017())
	ind := r.Resource.Stages[Primary].Indicators["sports_area_per_student"]
	near(t, "X̄", float64(ind.DistrictValue), 1913.0/302, 1e-12)
	near(t, "weighted CV", float64(ind.CV), 0.515257, 1e-6)
	if ind.CVPasses {
		t.Error("weighted CV 0.515 passes the 0.50 limit")
	}
	if u := unweightedCV(values); math.Abs(u-0.488771) > 1e-6 || u > 0.50 {
		t.Errorf("unweighted CV = %.6f, want 0.488771, which would pass", u)
	}
	s := shortfall(r, "resource:sports_area_per_student:stage:primary")
	if s == nil {
		t.Fatalf("no CV shortfall in %v", shortfallIDs(r))
	}
	if req, _ := s.Required.Float(); req != 0.5 || s.Op != AtMost || !slices.Equal(s.Schools, []string{"D", "B", "A"}) {
		t.Errorf("CV shortfall = %+v", s)
	}

	// The 2012 rule tests the mean of the coefficients instead: the same data pass it.
	p := National2017()
	p.Name, p.CVRule = "mean-rule", CVMean
	mean := evaluate(t, district(schools...), p).Resource.Stages[Primary]
	if m := float64(*mean.CVMean); m >= 0.5 || shortfall(evaluate(t, district(schools...), p), s.ID) != nil {
		t.Errorf("mean of coefficients %.3f should pass and raise no per-indicator shortfall", m)
	}
}

// STANDARD.md 3.1: 166 primary + 210 junior pupils share 23,226 units → 23226/(166+1.1×210) per weighted pupil,
// primary 9,711, junior the rest 13,515 (the reference rounds 58.5 first; exact shares are 9,711.6 and 13,514.4).
func TestSplitNineYear(t *testing.T) {
	s := goodSchool("S", KindNineYear, Primary, 166)
	s.Stages.Junior = goodStage(210)
	s.Facilities.TeachingRoomAreaM2 = 23226
	r := evaluate(t, district(s), National2017())
	primary := get(r.Resource.Stages[Primary].Schools[0].Values, "teaching_room_area_per_student") * 166
	junior := get(r.Resource.Stages[Junior].Schools[0].Values, "teaching_room_area_per_student") * 210
	near(t, "primary share", primary, 23226*166/397.0, 1e-9)
	near(t, "junior share", junior, 23226*231/397.0, 1e-9)
	near(t, "primary vs reference 9,711", primary, 9711, 1)
	near(t, "junior vs reference 13,515", junior, 13515, 1)
	near(t, "sum", primary+junior, 23226, 1e-9)
}

// A complete secondary school splits junior : senior = 1 : 1.2 (1.1 : 1.32), and only its junior stage is listed.
func TestSplitCompleteSecondary(t *testing.T) {
	s := goodSchool("C", KindCompleteSecondary, Junior, 100)
	s.Stages.Senior = &SeniorData{Students: 100}
	s.Facilities.SportsAreaM2 = 2200
	r := evaluate(t, district(s), National2017())
	near(t, "junior sports per student", get(r.Resource.Stages[Junior].Schools[0].Values,
		"sports_area_per_student"), 10, 1e-12)
	if _, ok := r.Resource.Stages[Primary]; ok {
		t.Error("a stage without schools is listed")
	}
}

func TestThresholdExactlyAtLimit(t *testing.T) {
	for _, tc := range []struct {
		qualified int
		met       bool
	}{{42, true}, {41, false}} {
		s := goodSchool("S", KindPrimary, Primary, 1000)
		s.Stages.Primary.QualifiedTeachers = tc.qualified
		sr := evaluate(t, district(s), National2017()).Resource.Stages[Primary].Schools[0]
		if met := !slices.Contains(sr.BelowThreshold, "qualified_teachers_per_100"); met != tc.met ||
			sr.MetCount != 6+btoi(tc.met) {
			t.Errorf("%d teachers per 1000: met = %v, met_count %d", tc.qualified, met, sr.MetCount)
		}
	}
	// Two equal schools at 3 and 1 m² per pupil: CV = 2/4 = 0.5 exactly, which passes; a hair more fails.
	for _, tc := range []struct {
		area   float64
		passes bool
	}{{300, true}, {301, false}} {
		a, b := goodSchool("A", KindPrimary, Primary, 100), goodSchool("B", KindPrimary, Primary, 100)
		a.Facilities.SportsAreaM2, b.Facilities.SportsAreaM2 = tc.area, 100
		ind := evaluate(t, district(a, b), National2017()).
			Resource.Stages[Primary].Indicators["sports_area_per_student"]
		if ind.CVPasses != tc.passes {
			t.Errorf("areas %v/100: CV %.17f passes = %v", tc.area, float64(ind.CV), ind.CVPasses)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// The per-school rule: six of seven at the threshold and the seventh at 85% or more of it.
func TestPerSchoolFloor(t *testing.T) {
	for _, tc := range []struct {
		name   string
		modify func(s *School)
		passes bool
		floor  []string
	}{
		{"one at exactly 85%", func(s *School) { s.Facilities.SportsAreaM2 = 0.85 * 7.5 * 1000 }, true, nil},
		{"one just under 85%", func(s *School) { s.Facilities.SportsAreaM2 = 0.85*7.5*1000 - 1 }, false,
			[]string{"sports_area_per_student"}},
		{"two under the threshold, above 85%", func(s *School) {
			s.Facilities.SportsAreaM2, s.Facilities.EquipmentValueYuan = 7000, 1900*1000
		}, false, nil},
	} {
		s := goodSchool("S", KindPrimary, Primary, 1000)
		tc.modify(&s)
		r := evaluate(t, district(s), National2017())
		sr := r.Resource.Stages[Primary].Schools[0]
		if sr.Passes != tc.passes || !slices.Equal(sr.BelowFloor, tc.floor) || r.Resource.Passes != tc.passes {
			t.Errorf("%s: passes %v, below floor %v", tc.name, sr.Passes, sr.BelowFloor)
		}
		hasSchoolShortfall := shortfall(r, "resource:sports_area_per_student:school:S:primary") != nil
		if hasSchoolShortfall == tc.passes {
			t.Errorf("%s: school shortfall listed = %v", tc.name, hasSchoolShortfall)
		}
	}
}

func TestTeachingPointCutoff(t *testing.T) {
	for _, tc := range []struct {
		pupils   int
		included bool
	}{{49, false}, {50, true}} {
		tp := goodSchool("T", KindTeachingPoint, Primary, tc.pupils)
		tp.Facilities.MusicRooms = 0 // fails item 3, which holds every school, excluded or not
		r := evaluate(t, district(goodSchool("S", KindPrimary, Primary, 600), tp), National2017())
		codes := []string{}
		for _, s := range r.Resource.Stages[Primary].Schools {
			codes = append(codes, s.Code)
		}
		excluded := len(r.Resource.Excluded) == 1 && r.Resource.Excluded[0].Code == "T"
		if slices.Contains(codes, "T") != tc.included || excluded == tc.included {
			t.Errorf("%d pupils: schools %v, excluded %+v", tc.pupils, codes, r.Resource.Excluded)
		}
		if r.Government.Items[2].Passes {
			t.Errorf("%d pupils: item 3 passes without a music room", tc.pupils)
		}
	}
	// A profile may change the cutoff.
	p := National2017()
	p.Name, p.TeachingPointCutoff = "cutoff-30", 30
	r := evaluate(t, district(goodSchool("T", KindTeachingPoint, Primary, 40)), p)
	if len(r.Resource.Excluded) != 0 {
		t.Error("cutoff 30 excluded a point of 40 pupils")
	}
}

// Needed quantities: the figures of the issue, and for every school shortfall of a generated district, the needed
// amount closes it and one unit less does not.
func TestNeeded(t *testing.T) {
	s := goodSchool("S007", KindJunior, Junior, 600)
	s.Facilities.SportsAreaM2 = 4860 // 8.1 m² per pupil
	s.Stages.Junior.QualifiedTeachers = 30
	s.Facilities.EquipmentValueYuan = 1_090_000
	r := evaluate(t, district(s), National2017())
	for id, want := range map[string]map[string]int64{
		"resource:sports_area_per_student:school:S007:junior":     {"sports_area_m2": 1260},
		"resource:qualified_teachers_per_100:school:S007:junior":  {"qualified_teachers": 2},
		"resource:equipment_value_per_student:school:S007:junior": {"equipment_value_yuan": 410_000},
	} {
		sf := shortfall(r, id)
		if sf == nil || len(sf.Needed) != 1 || sf.Needed[keyOf(want)] != want[keyOf(want)] {
			t.Errorf("%s: %+v, want needed %v", id, sf, want)
		}
	}
	if sf := shortfall(r, "resource:sports_area_per_student:school:S007:junior"); sf.MessageZh !=
		"S007 学校S007(初中):生均体育运动场馆面积为 8.1 m²,低于要求 10.2 m²;需增加体育运动场馆面积 1260 m²(低于标准值的 85%)" ||
		sf.MessageEn != "S007 学校S007 (junior): sports ground and hall area per student is 8.1 m², below the "+
			"required 10.2 m²; needs +1260 m² of sports area (under 85% of the threshold)" {
		t.Errorf("messages:\n%s\n%s", sf.MessageZh, sf.MessageEn)
	}

	in := generated(1, "370211", 300, 0.8)
	res := evaluate(t, in, National2017())
	checked := 0
	for _, sf := range res.Shortfalls {
		if sf.Part != PartResource || sf.Scope != ScopeSchool {
			continue
		}
		key := keyOf(sf.Needed)
		for _, delta := range []int64{sf.Needed[key], sf.Needed[key] - 1} {
			fixed := clone(in)
			addQuantity(t, &fixed, sf.School, sf.Stage, key, delta)
			value := valueOf(t, evaluate(t, fixed, National2017()), sf.Stage, sf.School, sf.Key)
			required, _ := sf.Required.Float()
			if closes := compare(value, AtLeast, required); closes != (delta == sf.Needed[key]) {
				t.Fatalf("%s: adding %d %s gives %.6f against %v", sf.ID, delta, key, value, required)
			}
		}
		checked++
	}
	if checked < 20 {
		t.Fatalf("only %d school shortfalls generated", checked)
	}
}

func get(vs Values, key string) float64 {
	v, _ := vs.Get(key)
	return v
}

func keyOf(m map[string]int64) string {
	for k := range m {
		return k
	}
	return ""
}

// clone copies the schools deeply enough to change their counts.
func clone(in Input) Input {
	out := in
	out.Schools = slices.Clone(in.Schools)
	for i := range out.Schools {
		for _, d := range []**StageData{&out.Schools[i].Stages.Primary, &out.Schools[i].Stages.Junior} {
			if *d != nil {
				c := **d
				if c.Facilities != nil {
					f := *c.Facilities
					c.Facilities = &f
				}
				*d = &c
			}
		}
	}
	return out
}

func addQuantity(t *testing.T, in *Input, code string, g SchoolStage, key string, n int64) {
	for i := range in.Schools {
		s := &in.Schools[i]
		if s.Code != code {
			continue
		}
		d, f, v := s.stage(g), &s.Facilities, float64(n)
		if d.Facilities != nil { // given per stage: the needed amount is the stage's
			f = d.Facilities
		}
		switch key {
		case "qualified_teachers":
			d.QualifiedTeachers += int(n)
		case "backbone_teachers":
			d.BackboneTeachers += int(n)
		case "pe_art_teachers":
			d.PEArtTeachers += int(n)
		case "teaching_room_area_m2":
			f.TeachingRoomAreaM2 += v
		case "sports_area_m2":
			f.SportsAreaM2 += v
		case "equipment_value_yuan":
			f.EquipmentValueYuan += v
		case "multimedia_rooms":
			f.MultimediaRooms += int(n)
		default:
			t.Fatalf("unexpected needed key %s", key)
		}
		return
	}
	t.Fatalf("no school %s", code)
}

func valueOf(t *testing.T, r Result, g SchoolStage, code, key string) float64 {
	for _, s := range r.Resource.Stages[g].Schools {
		if s.Code == code {
			return get(s.Values, key)
		}
	}
	t.Fatalf("school %s not in stage %s", code, g)
	return 0
}

// A facility of a combined school is needed as a whole-school amount: after the split, the stage reaches the
// threshold.
func TestNeededCombinedSchool(t *testing.T) {
	s := goodSchool("S002", KindNineYear, Primary, 166)
	s.Stages.Junior = goodStage(210)
	s.Stages.Junior.QualifiedTeachers = 14
	s.Facilities.SportsAreaM2 = 3000
	r := evaluate(t, district(s), National2017())
	sf := shortfall(r, "resource:sports_area_per_student:school:S002:junior")
	// The junior stage gets 231/397 of the area and needs 10.2 × 210 = 2142 m²: 2142 × 397 / 231 = 3681.3.
	if sf == nil || sf.Needed["sports_area_m2"] != 682 {
		t.Fatalf("needed = %+v", sf)
	}
	if want := "按全校总量计,分摊后本学段达标"; !strings.Contains(sf.MessageZh, want) {
		t.Errorf("message %q does not say the amount is whole-school", sf.MessageZh)
	}
}
