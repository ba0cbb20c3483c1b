package evaluation

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// basicSchool is a single-stage school for the 2012 golden district, given by its raw figures.
func basicSchool(code string, kind Kind, pupils, classes, largest int, area, sports, equipment float64,
	computers, books, teachers, qualified, intermediate int) School {
	d := &StageData{Students: pupils, Classes: classes, LargestClass: largest, QualifiedTeachers: qualified,
		Teachers: &teachers, IntermediateTitleTeachers: &intermediate}
	s := School{Code: code, Name: code, Kind: kind, Facilities: Facilities{TeachingRoomAreaM2: area,
		SportsAreaM2: sports, EquipmentValueYuan: equipment, Computers: &computers, LibraryBooks: &books}}
	if kind == KindJunior {
		s.Stages.Junior = d
	} else {
		s.Stages.Primary = d
	}
	return s
}

// basicDistrict is the golden district of the 2012 profile, computed by hand. Each stage has a school A of 100
// pupils and a school B of 400, so the enrollment weights are 0.2 and 0.8 and, for two schools,
// X̄ = 0.2·Xa + 0.8·Xb, S = sqrt(0.2·0.8)·|Xa − Xb| = 0.4·|Xa − Xb|, CV = 0.4·|Xa − Xb| / X̄.
// Both stages have the same figures (A: raw / 100 pupils, B: raw / 400 pupils):
//
//	indicator                  A            B             Xa    Xb    X̄     CV
//	teaching room m²/pupil     500 m²       2000 m²       5     5     5     0
//	sports m²/pupil            1000 m²      2000 m²       10    5     6     0.4·5/6     = 1/3    = 0.333333
//	equipment yuan/pupil       300000       400000        3000  1000  1400  0.4·2000/1400 = 4/7  = 0.571429
//	computers per 100          20           40            20    10    12    0.4·10/12   = 1/3    = 0.333333
//	books per pupil            3000         8000          30    20    22    0.4·10/22   = 2/11   = 0.181818
//	teachers per 100           6            20            6     5     5.2   0.4·1/5.2   = 1/13   = 0.076923
//	qualified per 100          5            16            5     4     4.2   0.4·1/4.2   = 2/21   = 0.095238
//	intermediate title per 100 2            12            2     3     2.8   0.4·1/2.8   = 1/7    = 0.142857
//
// Sum 1.734932, mean 0.216866: within 0.65 (primary) and 0.55 (junior), so the district meets the standard,
// although the junior equipment coefficient alone (0.571) is above 0.55 — the 2012 rule tests the mean.
// An unweighted coefficient would differ: for sports, mean 7.5 and SD 2.5 give 0.333 by chance, but for
// equipment 2000 and 1000 give 0.5, not 0.571.
func basicDistrict() Input {
	in := Input{District: District{Code: "370211", Name: "黄岛区"}, Year: 2025, Schools: []School{
		basicSchool("PA", KindPrimary, 100, 3, 34, 500, 1000, 300000, 20, 3000, 6, 5, 2),
		basicSchool("PB", KindPrimary, 400, 10, 40, 2000, 2000, 400000, 40, 8000, 20, 16, 12),
		basicSchool("JA", KindJunior, 100, 3, 34, 500, 1000, 300000, 20, 3000, 6, 5, 2),
		basicSchool("JB", KindJunior, 400, 10, 40, 2000, 2000, 400000, 40, 8000, 20, 16, 12),
	}}
	in.Basic2012 = &Basic2012{AllSchoolsMeetProvincialStandard: true, CountyGovernmentScore: 90,
		PublicSatisfactionRate: 0.9}
	return in
}

func TestBasic2012Golden(t *testing.T) {
	r := evaluate(t, basicDistrict(), BasicBalance2012())
	if r.Verdict != Meets || r.Standard != Basic2012Name || len(r.Shortfalls) != 0 {
		t.Fatalf("verdict %s under %s, shortfalls %v", r.Verdict, r.Standard, shortfallIDs(r))
	}
	want := map[string]float64{"teaching_room_area_per_student": 0, "sports_area_per_student": 1.0 / 3,
		"equipment_value_per_student": 4.0 / 7, "computers_per_100": 1.0 / 3, "books_per_student": 2.0 / 11,
		"teachers_per_100": 1.0 / 13, "qualified_teachers_per_100": 2.0 / 21,
		"intermediate_title_teachers_per_100": 1.0 / 7}
	means := map[string]float64{"teaching_room_area_per_student": 5, "sports_area_per_student": 6,
		"equipment_value_per_student": 1400, "computers_per_100": 12, "books_per_student": 22, "teachers_per_100": 5.2,
		"qualified_teachers_per_100": 4.2, "intermediate_title_teachers_per_100": 2.8}
	for _, g := range CompulsoryStages {
		sr := r.Resource.Stages[g]
		if sr == nil || !sr.Passes || sr.CVMean == nil {
			t.Fatalf("%s: %+v", g, sr)
		}
		if len(sr.Indicators) != 8 {
			t.Errorf("%s: %d indicators, want the 8 of 2012", g, len(sr.Indicators))
		}
		for key, cv := range want {
			near(t, string(g)+" CV of "+key, float64(sr.Indicators[key].CV), cv, 1e-6)
			near(t, string(g)+" X̄ of "+key, float64(sr.Indicators[key].DistrictValue), means[key], 1e-6)
		}
		near(t, string(g)+" mean CV", float64(*sr.CVMean), 1.734932/8, 1e-6)
		for _, s := range sr.Schools {
			if !s.Passes { // no per-school rule in 2012
				t.Errorf("%s: school %s fails", g, s.Code)
			}
		}
	}
	if b := r.Basic2012; b == nil || !b.Passes {
		t.Errorf("2012 conditions: %+v", b)
	}
	if !r.Prerequisite.NotApplicable || !r.Government.NotApplicable || !r.Quality.NotApplicable ||
		!r.Recognition.NotApplicable {
		t.Error("the 2017 parts must be marked not applicable under basic-2012")
	}
}

// TestBasic2012FailsOnMean: school B of each stage reports no computers and 800 books (2 per pupil). Then
// computers: Xa 20, Xb 0, X̄ = 0.2·20 = 4, CV = 0.4·20/4 = 2; books: Xa 30, Xb 2, X̄ = 6 + 1.6 = 7.6,
// CV = 0.4·28/7.6 = 28/19 = 1.473684; sum = 1/3 + 4/7 + 2 + 28/19 + 1/13 + 2/21 + 1/7 = 4.693464, mean 0.586683:
// within 0.65, so primary passes, but above 0.55, so junior fails on the mean alone (one shortfall, cv_mean).
func TestBasic2012FailsOnMean(t *testing.T) {
	in := basicDistrict()
	zero, books := 0, 800
	for _, i := range []int{1, 3} {
		in.Schools[i].Facilities.Computers, in.Schools[i].Facilities.LibraryBooks = &zero, &books
	}
	r := evaluate(t, in, BasicBalance2012())
	if r.Verdict != DoesNotMeet || !r.Resource.Stages[Primary].Passes || r.Resource.Stages[Junior].Passes {
		t.Fatalf("verdict %s", r.Verdict)
	}
	mean := (1.0/3 + 4.0/7 + 2 + 28.0/19 + 1.0/13 + 2.0/21 + 1.0/7) / 8
	near(t, "mean", mean, 0.586683, 1e-6)
	for _, g := range CompulsoryStages {
		near(t, string(g)+" mean CV", float64(*r.Resource.Stages[g].CVMean), mean, 1e-9)
	}
	if ids := shortfallIDs(r); !reflect.DeepEqual(ids, []string{"resource:cv_mean:stage:junior"}) {
		t.Errorf("shortfalls %v", ids)
	}
	f := r.Shortfalls[0]
	if a, _ := f.Actual.Float(); math.Abs(a-mean) > 1e-9 || !strings.Contains(f.MessageZh, "0.55") {
		t.Errorf("shortfall %+v", f)
	}
}

// TestBasic2012Conditions: each district condition failing is a shortfall, and fails the verdict.
func TestBasic2012Conditions(t *testing.T) {
	in := basicDistrict()
	in.Basic2012 = &Basic2012{AllSchoolsMeetProvincialStandard: false, CountyGovernmentScore: 84.5,
		PublicSatisfactionRate: 0.8}
	r := evaluate(t, in, BasicBalance2012())
	want := []string{"resource:provincial_standard:district", "government:county_government_score:district",
		"recognition:public_satisfaction_rate:district"}
	if ids := shortfallIDs(r); r.Verdict != DoesNotMeet || r.Basic2012.Passes || !reflect.DeepEqual(ids, want) {
		t.Errorf("verdict %s, shortfalls %v", r.Verdict, ids)
	}
	in.Basic2012 = &Basic2012{AllSchoolsMeetProvincialStandard: true, CountyGovernmentScore: 85,
		PublicSatisfactionRate: 0.85}
	if r := evaluate(t, in, BasicBalance2012()); r.Verdict != Meets {
		t.Errorf("exactly 85 and 85%%: %s %v", r.Verdict, shortfallIDs(r))
	}
	p := BasicBalance2012()
	for _, key := range p.ShortfallKeys() {
		if zh, en := p.KeyName(key); zh == key || en == key {
			t.Errorf("%s has no name", key)
		}
	}
}

// TestBasic2012RequiresItsFields: the 2017 sample lacks every 2012 field; each is named. The teaching point of 49
// pupils is left out of the calculation, so nothing is asked of it; the nine-year school's whole-school
// facilities are asked for once.
func TestBasic2012RequiresItsFields(t *testing.T) {
	_, err := Evaluate(sample(t), BasicBalance2012())
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("got %v, want an input error", err)
	}
	var fields []string
	for _, p := range ie.Problems {
		fields = append(fields, p.Field)
		if !strings.Contains(p.MessageZh, "basic-2012") || !strings.Contains(p.MessageEn, "basic-2012") {
			t.Errorf("%s: %s / %s", p.Field, p.MessageZh, p.MessageEn)
		}
	}
	want := []string{"basic_2012", // then per school and stage, in the order of the profile's indicators
		"schools[0].facilities.computers", "schools[0].facilities.library_books",
		"schools[0].stages.primary.teachers", "schools[0].stages.primary.intermediate_title_teachers",
		"schools[1].facilities.computers", "schools[1].facilities.library_books",
		"schools[1].stages.primary.teachers", "schools[1].stages.primary.intermediate_title_teachers",
		"schools[1].stages.junior.teachers", "schools[1].stages.junior.intermediate_title_teachers",
		"schools[2].facilities.computers", "schools[2].facilities.library_books",
		"schools[2].stages.junior.teachers", "schools[2].stages.junior.intermediate_title_teachers"}
	if !reflect.DeepEqual(fields, want) {
		t.Errorf("fields\n%v\nwant\n%v", fields, want)
	}
	// Out-of-range district conditions are input errors under any profile.
	in := basicDistrict()
	in.Basic2012.CountyGovernmentScore, in.Basic2012.PublicSatisfactionRate = 101, 85
	_, err = Evaluate(in, BasicBalance2012())
	if !errors.As(err, &ie) || len(ie.Problems) != 2 || ie.Problems[0].Field != "basic_2012.county_government_score" ||
		ie.Problems[1].Field != "basic_2012.public_satisfaction_rate" {
		t.Errorf("got %v", err)
	}
}

// TestNational2017IgnoresBasic2012: the new fields are optional under 2017, and the 2017 result of the sample is
// what it was: same digest, no 2012 part, nothing marked not applicable.
func TestNational2017IgnoresBasic2012(t *testing.T) {
	r := evaluate(t, sample(t), National2017())
	if r.ProfileDigest != "fcb9187ef82c" || r.Verdict != Meets {
		t.Errorf("digest %s, verdict %s", r.ProfileDigest, r.Verdict)
	}
	data, _ := json.Marshal(r)
	if s := string(data); strings.Contains(s, "basic_2012") || strings.Contains(s, "not_applicable\":true,\"items\"") {
		t.Errorf("2017 result shows 2012 parts: %s", s)
	}
	in := sample(t)
	in.Basic2012 = basicDistrict().Basic2012
	if r2 := evaluate(t, in, National2017()); !reflect.DeepEqual(r2, r) {
		t.Error("the 2017 evaluation read the 2012 conditions")
	}
}

// TestBasic2012Decodes: the new fields come through the JSON decoder; a wrong type is named.
func TestBasic2012Decodes(t *testing.T) {
	data, _ := json.Marshal(basicDistrict())
	in, err := Decode(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	if r := evaluate(t, in, BasicBalance2012()); r.Verdict != Meets {
		t.Errorf("decoded golden: %s %v", r.Verdict, shortfallIDs(r))
	}
	bad := strings.Replace(string(data), `"computers":20`, `"computers":"20"`, 1)
	_, err = Decode(strings.NewReader(bad))
	var ie *InputError
	if !errors.As(err, &ie) || ie.Problems[0].Field != "schools[0].facilities.computers" {
		t.Errorf("got %v", err)
	}
}

// TestTeacherCountsWithinTeachers: when a stage gives its full-time teachers, no kind of teacher counted outnumbers
// them (a figure typed in the wrong column); equal is allowed, and without teachers nothing is compared.
func TestTeacherCountsWithinTeachers(t *testing.T) {
	in := basicDistrict()
	d := in.Schools[1].Stages.Primary // 20 teachers
	d.QualifiedTeachers, d.BackboneTeachers, d.PEArtTeachers = 21, 20, 30
	*d.IntermediateTitleTeachers = 200
	_, err := Evaluate(in, BasicBalance2012())
	want := []string{"schools[1].stages.primary.qualified_teachers", "schools[1].stages.primary.pe_art_teachers",
		"schools[1].stages.primary.intermediate_title_teachers"}
	if got := problemFields(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("fields %v, want %v (%v)", got, want, err)
	}
	var ie *InputError
	if errors.As(err, &ie) && !strings.Contains(ie.Problems[0].MessageEn, "full-time teachers (teachers) 20") {
		t.Errorf("message %q", ie.Problems[0].MessageEn)
	}
	in.Schools[1].Stages.Primary.Teachers = nil
	if _, err := Evaluate(in, National2017()); err != nil {
		t.Errorf("without teachers: %v", err)
	}
}
