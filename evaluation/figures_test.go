package evaluation

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// item returns the checklist item key of r's government part.
func govItem(t *testing.T, r Result, key string) Item {
	t.Helper()
	for _, it := range r.Government.Items {
		if it.Key == key {
			return it
		}
	}
	t.Fatalf("no government item %s", key)
	return Item{}
}

// Item 8 is judged from both pay figures when given; the yes/no alone still passes, shown as declared.
func TestTeacherPay(t *testing.T) {
	for _, tc := range []struct {
		name             string
		declared         bool
		teacher, civil   *float64
		passes           bool
		actual, required string
		id               string
	}{
		{"yes/no only, declared", true, nil, nil, true, DeclaredFiguresMissing, "= true", ""},
		{"yes/no only, not declared", false, nil, nil, false, "false", "= true", "government:teacher_pay:district"},
		{"figures above", true, new(98000.0), new(96500.0), true, "98000", "≥ 96500", ""},
		{"figures equal", true, new(96500.0), new(96500.0), true, "96500", "≥ 96500", ""},
		// The figures decide; the yes/no is not read even when it contradicts them.
		{"figures below, declared yes", true, new(95000.0), new(96500.0), false, "95000", "≥ 96500",
			"government:teacher_pay.teacher_average_pay:district"},
		{"figures above, declared no", false, new(96501.0), new(96500.0), true, "96501", "≥ 96500", ""},
	} {
		in := district(goodSchool("S", KindPrimary, Primary, 600))
		g := in.Government
		g.TeacherPayNotBelowCivilServants = tc.declared
		g.TeacherAveragePayYuan, g.CivilServantAveragePayYuan = tc.teacher, tc.civil
		r := evaluate(t, in, National2017())
		it := govItem(t, r, "teacher_pay")
		if it.Passes != tc.passes || it.Actual != tc.actual || it.Required != tc.required {
			t.Errorf("%s: passes %v, actual %q, required %q", tc.name, it.Passes, it.Actual, it.Required)
		}
		if ids := shortfallIDs(r); (tc.id == "") != (len(ids) == 0) ||
			tc.id != "" && !slices.Equal(ids, []string{tc.id}) {
			t.Errorf("%s: shortfalls %v, want %q", tc.name, ids, tc.id)
		}
	}
	in := district(goodSchool("S", KindPrimary, Primary, 600))
	in.Government.TeacherAveragePayYuan, in.Government.CivilServantAveragePayYuan = new(95000.0), new(96500.0)
	sf := shortfall(evaluate(t, in, National2017()), "government:teacher_pay.teacher_average_pay:district")
	if sf == nil || !strings.Contains(sf.MessageZh, "教师平均工资收入") || !strings.Contains(sf.MessageZh, "96,500 元") {
		t.Errorf("shortfall %+v", sf)
	}
}

// Item 14 takes the tilt to rural and weak schools as a second criterion when both shares are given.
func TestHighSchoolQuotaTilt(t *testing.T) {
	for _, tc := range []struct {
		name             string
		toRuralWeak, grd *float64
		passes           bool
		actual, required string
		id               string
	}{
		{"no tilt figures: the 50% alone", nil, nil, true, "0.55", "≥ 0.5", ""},
		{"tilted", new(0.40), new(0.35), true, "high_school_quota=0.55; rural_weak_tilt=0.4",
			"high_school_quota ≥ 0.5; rural_weak_tilt ≥ 0.35", ""},
		{"exactly proportional", new(0.35), new(0.35), true, "high_school_quota=0.55; rural_weak_tilt=0.35",
			"high_school_quota ≥ 0.5; rural_weak_tilt ≥ 0.35", ""},
		{"tilted away", new(0.30), new(0.35), false, "high_school_quota=0.55; rural_weak_tilt=0.3",
			"high_school_quota ≥ 0.5; rural_weak_tilt ≥ 0.35", "government:high_school_quota.rural_weak_tilt:district"},
	} {
		in := district(goodSchool("S", KindPrimary, Primary, 600))
		in.Government.QuotaShareToRuralWeakRate, in.Government.RuralWeakGraduateShareRate = tc.toRuralWeak, tc.grd
		r := evaluate(t, in, National2017())
		it := govItem(t, r, "high_school_quota")
		if it.Passes != tc.passes || it.Actual != tc.actual || it.Required != tc.required {
			t.Errorf("%s: passes %v, actual %q, required %q", tc.name, it.Passes, it.Actual, it.Required)
		}
		if ids := shortfallIDs(r); (tc.id == "") != (len(ids) == 0) ||
			tc.id != "" && !slices.Equal(ids, []string{tc.id}) {
			t.Errorf("%s: shortfalls %v, want %q", tc.name, ids, tc.id)
		}
	}
}

// Figures that mean something only together are refused alone, naming the missing one; rates stay fractions.
func TestGovernmentPairs(t *testing.T) {
	for _, tc := range []struct {
		name   string
		modify func(g *Government)
		fields []string
	}{
		{"teacher pay alone", func(g *Government) { g.TeacherAveragePayYuan = new(98000.0) },
			[]string{"government.civil_servant_average_pay_yuan"}},
		{"civil servants' pay alone", func(g *Government) { g.CivilServantAveragePayYuan = new(96500.0) },
			[]string{"government.teacher_average_pay_yuan"}},
		{"negative pay",
			func(g *Government) { g.TeacherAveragePayYuan, g.CivilServantAveragePayYuan = new(-1.0), new(1.0) },
			[]string{"government.teacher_average_pay_yuan"}},
		{"rural/weak share alone", func(g *Government) { g.QuotaShareToRuralWeakRate = new(0.4) },
			[]string{"government.rural_weak_graduate_share_rate"}},
		{"graduate share alone", func(g *Government) { g.RuralWeakGraduateShareRate = new(0.4) },
			[]string{"government.quota_share_to_rural_weak_rate"}},
		{"share as a percentage", func(g *Government) {
			g.QuotaShareToRuralWeakRate, g.RuralWeakGraduateShareRate = new(40.0), new(0.35)
		},
			[]string{"government.quota_share_to_rural_weak_rate"}},
	} {
		in := district(goodSchool("S", KindPrimary, Primary, 600))
		tc.modify(in.Government)
		if got := fieldsOf(in.Problems()); !slices.Equal(got, tc.fields) {
			t.Errorf("%s: problems %v, want %v", tc.name, got, tc.fields)
		}
	}
}

func fieldsOf(ps []Problem) []string {
	var fields []string
	for _, p := range ps {
		if p.MessageZh == "" || p.MessageEn == "" {
			panic("problem without message")
		}
		fields = append(fields, p.Field)
	}
	return fields
}

// nineYearPerStage is a nine-year school of 166 primary and 210 junior pupils giving each stage its facilities.
func nineYearPerStage() School {
	s := goodSchool("N", KindNineYear, Primary, 166)
	s.Stages.Junior = goodStage(210)
	s.Stages.Junior.QualifiedTeachers = ceil(7 * 210)
	s.Facilities = Facilities{}
	// 830 m² / 166 = 5.0 and 1260 m² / 210 = 6.0 per pupil; split by weight (2090 over 166 + 231 weighted
	// pupils) both stages would get 5.2645.
	s.Stages.Primary.Facilities = &Facilities{TeachingRoomAreaM2: 830, SportsAreaM2: 1494, EquipmentValueYuan: 415000,
		MultimediaRooms: 4, MusicRooms: 1, ArtRooms: 1}
	s.Stages.Junior.Facilities = &Facilities{TeachingRoomAreaM2: 1260, SportsAreaM2: 2520, EquipmentValueYuan: 630000,
		MultimediaRooms: 6, MusicRooms: 1, ArtRooms: 1}
	return s
}

// Facilities given per stage are used as they are: nothing is split, and item 3 counts the stages' rooms together.
func TestStageFacilities(t *testing.T) {
	s := nineYearPerStage()
	s.Stages.Primary.Classes, s.Stages.Junior.Classes = 6, 7 // 13 classes: 2 music and 2 art rooms, one per stage
	for _, p := range []Profile{National2017(), noSplit()} {
		r := evaluate(t, district(s), p)
		near(t, "primary area", get(r.Resource.Stages[Primary].Schools[0].Values,
			"teaching_room_area_per_student"), 5, 1e-12)
		near(t, "junior area", get(r.Resource.Stages[Junior].Schools[0].Values,
			"teaching_room_area_per_student"), 6, 1e-12)
		near(t, "junior sports", get(r.Resource.Stages[Junior].Schools[0].Values, "sports_area_per_student"), 12, 1e-12)
		if r.Verdict != Meets {
			t.Errorf("%s: %s with %v", p.Name, r.Verdict, shortfallIDs(r))
		}
	}
	// Junior sports area under 85% (1800 / 210 = 8.57 < 8.67): the needed amount is the stage's own
	// (10.2 × 210 − 1800 = 342 m²), not a whole-school amount to split.
	s.Stages.Junior.Facilities.SportsAreaM2 = 1800
	sf := shortfall(evaluate(t, district(s), National2017()), "resource:sports_area_per_student:school:N:junior")
	if sf == nil || sf.Needed["sports_area_m2"] != 342 || strings.Contains(sf.MessageZh, "分摊") {
		t.Errorf("shortfall %+v", sf)
	}
}

func noSplit() Profile {
	p := National2017()
	p.Name, p.SplitSharedFacilities = "no-split", false
	return p
}

// Facilities come in one form per school: mixed, partial or misplaced forms are input errors naming the field.
func TestStageFacilitiesForm(t *testing.T) {
	whole := Facilities{TeachingRoomAreaM2: 2090, SportsAreaM2: 4000, EquipmentValueYuan: 1e6, MultimediaRooms: 10,
		MusicRooms: 2, ArtRooms: 2}
	for _, tc := range []struct {
		name   string
		modify func(s *School)
		fields []string
	}{
		{"per stage", func(s *School) {}, nil},
		{"both forms", func(s *School) { s.Facilities = whole },
			[]string{"schools[0].stages.primary.facilities", "schools[0].stages.junior.facilities"}},
		{"one stage only", func(s *School) { s.Stages.Junior.Facilities = nil },
			[]string{"schools[0].stages.junior.facilities"}},
		{"single-stage school", func(s *School) { s.Kind, s.Stages.Junior = KindPrimary, nil },
			[]string{"schools[0].stages.primary.facilities"}},
		{"negative stage figure", func(s *School) { s.Stages.Junior.Facilities.ArtRooms = -1 },
			[]string{"schools[0].stages.junior.facilities.art_rooms"}},
	} {
		s := nineYearPerStage()
		tc.modify(&s)
		if got := fieldsOf(district(s).Problems()); !slices.Equal(got, tc.fields) {
			t.Errorf("%s: problems %v, want %v", tc.name, got, tc.fields)
		}
	}
}

// A profile that does not split refuses whole-school facilities of a combined school with more than one stage.
func TestSplitSharedFacilitiesOff(t *testing.T) {
	nine := goodSchool("N", KindNineYear, Primary, 166)
	nine.Stages.Junior = goodStage(210)
	oneStage := goodSchool("M", KindNineYear, Primary, 300) // a nine-year school with primary pupils only
	in := district(nine, oneStage, goodSchool("S", KindPrimary, Primary, 600))
	if err := Validate(in, National2017()); err != nil {
		t.Fatalf("the default splits: %v", err)
	}
	err := Validate(in, noSplit())
	ie, ok := err.(*InputError)
	if !ok || !slices.Equal(fieldsOf(ie.Problems), []string{"schools[0].facilities"}) {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(ie.Problems[0].MessageZh, "不分摊") || !strings.Contains(ie.Problems[0].MessageEn, "each stage") {
		t.Errorf("messages %+v", ie.Problems[0])
	}
	if _, err := Evaluate(district(nineYearPerStage()), noSplit()); err != nil {
		t.Errorf("per-stage facilities under no split: %v", err)
	}
}

// The new fields flow through Decode, a school may leave out its whole-school facilities when its stages give
// theirs, and a stored document with the yes/no alone still decodes.
func TestDecodeFiguresAndStageFacilities(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal([]byte(sampleText(t)), &doc); err != nil {
		t.Fatal(err)
	}
	gov := doc["government"].(map[string]any)
	gov["teacher_average_pay_yuan"], gov["civil_servant_average_pay_yuan"] = 98000, 96500
	gov["quota_share_to_rural_weak_rate"], gov["rural_weak_graduate_share_rate"] = 0.4, 0.35
	nine := doc["schools"].([]any)[1].(map[string]any) // S002, 166 + 210 pupils
	delete(nine, "facilities")
	encode := func() string {
		data, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	// Neither form: Decode names the whole-school object, as it did when it was required.
	_, err := Decode(strings.NewReader(encode()))
	if !slices.Equal(problemFields(t, err), []string{"schools[1].facilities"}) {
		t.Errorf("no facilities: %v", err)
	}
	stages := nine["stages"].(map[string]any)
	stages["primary"].(map[string]any)["facilities"] = map[string]any{"teaching_room_area_m2": 900,
		"sports_area_m2": 1400, "equipment_value_yuan": 350000, "multimedia_rooms": 5, "music_rooms": 1, "art_rooms": 0}
	stages["junior"].(map[string]any)["facilities"] = map[string]any{"teaching_room_area_m2": 1400,
		"sports_area_m2": 2800, "equipment_value_yuan": 550000, "multimedia_rooms": 7, "music_rooms": 0, "art_rooms": 1}
	in, err := Decode(strings.NewReader(encode()))
	if err != nil {
		t.Fatal(err)
	}
	g, s := in.Government, in.Schools[1]
	if *g.TeacherAveragePayYuan != 98000 || *g.CivilServantAveragePayYuan != 96500 ||
		*g.QuotaShareToRuralWeakRate != 0.4 || *g.RuralWeakGraduateShareRate != 0.35 ||
		s.Facilities != (Facilities{}) || s.Stages.Junior.Facilities.TeachingRoomAreaM2 != 1400 {
		t.Fatalf("decoded %+v %+v", g, s)
	}
	if r := evaluate(t, in, National2017()); r.Verdict != Meets {
		t.Errorf("%s with %v", r.Verdict, shortfallIDs(r))
	}
	// What the API writes back (zeros for the whole school) decodes to the same input.
	data, _ := json.Marshal(in)
	if again, err := Decode(strings.NewReader(string(data))); err != nil || !reflect.DeepEqual(again, in) {
		t.Errorf("re-decoded: %v", err)
	}
	if old := sample(t); old.Government.TeacherAveragePayYuan != nil ||
		old.Government.QuotaShareToRuralWeakRate != nil {
		t.Error("the sample has no figures")
	}
}
