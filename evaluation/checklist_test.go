package evaluation

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestSampleMeets(t *testing.T) {
	r := evaluate(t, sample(t), National2017())
	if r.Verdict != Meets || len(r.Shortfalls) != 0 {
		t.Fatalf("verdict %s, shortfalls %v", r.Verdict, shortfallIDs(r))
	}
	if len(r.Government.Items) != 15 || len(r.Quality.Items) != 9 {
		t.Fatalf("%d government and %d quality items", len(r.Government.Items), len(r.Quality.Items))
	}
	for i, it := range r.Government.Items {
		if it.No != i+1 || it.Key != governmentItemKeys[i] || !it.Passes {
			t.Errorf("government item %d: %+v", i+1, it)
		}
	}
	// The nine-year school is listed under both stages, the 49-pupil teaching point under neither.
	for _, g := range CompulsoryStages {
		var codes []string
		for _, s := range r.Resource.Stages[g].Schools {
			codes = append(codes, s.Code)
		}
		if want := map[SchoolStage][]string{Primary: {"S001", "S002"},
			Junior: {"S002", "S003"}}[g]; !slices.Equal(codes, want) {
			t.Errorf("%s schools %v, want %v", g, codes, want)
		}
	}
}

// Items 3, 4 and 5 are computed per school, at and just over their limits.
func TestSchoolItems(t *testing.T) {
	big := goodSchool("P", KindPrimary, Primary, 2000)
	big.Stages.Primary.Classes, big.Stages.Primary.LargestClass = 45, 45 // 45 classes: 4 rooms of each kind
	big.Facilities.MusicRooms, big.Facilities.ArtRooms = 4, 3
	nine := goodSchool("N", KindNineYear, Primary, 1200)
	nine.Stages.Junior = goodStage(1300) // 2500 pupils: the nine-year limit
	nine.Stages.Junior.LargestClass = 51
	nine.Facilities.MusicRooms, nine.Facilities.ArtRooms = 6, 6 // 30 + 33 classes
	over := goodSchool("J", KindJunior, Junior, 2001)
	r := evaluate(t, district(big, nine, over), National2017())
	got := shortfallIDs(r)
	want := []string{"government:music_art_rooms.art_rooms:school:P", "government:school_size:school:J",
		"government:class_size:school:N:junior"}
	for _, id := range want {
		if !slices.Contains(got, id) {
			t.Errorf("missing %s in %v", id, got)
		}
	}
	for _, id := range got {
		if id[:10] == "government" && !slices.Contains(want, id) {
			t.Errorf("unexpected %s", id)
		}
	}
	if sf := shortfall(r, "government:music_art_rooms.art_rooms:school:P"); sf.Needed["art_rooms"] != 1 {
		t.Errorf("art rooms needed %v", sf.Needed)
	}
	if sf := shortfall(r, "government:school_size:school:J"); sf.Needed["students"] != -1 {
		t.Errorf("school size needed %v", sf.Needed)
	}
	if sf := shortfall(r, "government:class_size:school:N:junior"); !maps.Equal(sf.Needed,
		map[string]int64{"largest_class": -1}) {
		t.Errorf("class size needed %v", sf.Needed)
	}
	// A class of 46 primary pupils fails; spreading 500 pupils over 10 classes needs 2 more classes.
	crowded := goodSchool("C", KindPrimary, Primary, 500)
	crowded.Stages.Primary.Classes, crowded.Stages.Primary.LargestClass = 10, 52
	sf := shortfall(evaluate(t, district(crowded), National2017()), "government:class_size:school:C:primary")
	if sf == nil || !maps.Equal(sf.Needed, map[string]int64{"largest_class": -7, "classes": 2}) {
		t.Errorf("crowded school: %+v", sf)
	}
}

func TestDistrictItems(t *testing.T) {
	for _, tc := range []struct {
		name   string
		modify func(in *Input)
		id     string // "" = passes
		needed map[string]int64
	}{
		{"special-ed funding at 6000", func(in *Input) { in.Government.SpecialEdFundingPerPupilYuan = 6000 }, "", nil},
		{"special-ed funding under", func(in *Input) { in.Government.SpecialEdFundingPerPupilYuan = 5999.99 },
			"government:special_ed_funding:district", nil},
		{"rotation at 10% and 20%",
			func(in *Input) { in.Government.RotatedTeachers, in.Government.RotatedBackboneTeachers = 100, 20 },
			"", nil},
		{"rotation under 10%",
			func(in *Input) { in.Government.RotatedTeachers, in.Government.RotatedBackboneTeachers = 99, 20 },
			"government:teacher_rotation.rotated_share:district", map[string]int64{"rotated_teachers": 1}},
		{"backbone under 20%",
			func(in *Input) { in.Government.RotatedTeachers, in.Government.RotatedBackboneTeachers = 100, 19 },
			"government:teacher_rotation.backbone_share:district", map[string]int64{"rotated_backbone_teachers": 1}},
		{"nearby junior at 95%", func(in *Input) { in.Government.NearbyEnrollmentRate.Junior = 0.95 }, "", nil},
		{"nearby primary under 100%", func(in *Input) { in.Government.NearbyEnrollmentRate.Primary = 0.999 },
			"government:nearby_enrollment:stage:primary", nil},
		{"no care system", func(in *Input) { in.Government.LeftBehindCareSystem = false },
			"government:left_behind_and_migrant_children.left_behind_care_system:district", nil},
		{"quota at 50%", func(in *Input) { in.Government.QualityHighSchoolQuotaShare = 0.5 }, "", nil},
		{"retention under 95%", func(in *Input) { in.Quality.JuniorRetentionRate = 0.949 },
			"quality:junior_retention:district", nil},
		{"training budget at 5%", func(in *Input) { in.Quality.TeacherTrainingBudgetShareMin = 0.05 }, "", nil},
		{"monitoring difference just under 0.15",
			func(in *Input) { in.Quality.MonitoringDifferenceRate = 0.1499 }, "", nil},
		{"monitoring difference at 0.15 (strict)", func(in *Input) { in.Quality.MonitoringDifferenceRate = 0.15 },
			"quality:quality_monitoring.difference_rate:district", nil},
		{"homework burden", func(in *Input) { in.Quality.NoExcessBurden = false },
			"quality:homework_burden:district", nil},
		{"recognition at 85%", func(in *Input) { in.RecognitionRate = new(0.85) }, "", nil},
		{"certified 3 years before", func(in *Input) { in.BasicBalanceCertifiedYear = new(2022) }, "", nil},
		{"certified 2 years before", func(in *Input) { in.BasicBalanceCertifiedYear = new(2023) },
			"prerequisite:basic_balance_certified_year:district", nil},
	} {
		in := district(goodSchool("S", KindPrimary, Primary, 600), goodSchool("J", KindJunior, Junior, 600))
		tc.modify(&in)
		r := evaluate(t, in, National2017())
		switch got := shortfallIDs(r); {
		case tc.id == "" && (len(got) != 0 || r.Verdict != Meets):
			t.Errorf("%s: %s with %v", tc.name, r.Verdict, got)
		case tc.id != "" && (!slices.Equal(got, []string{tc.id}) || r.Verdict != DoesNotMeet):
			t.Errorf("%s: %s with %v, want only %s", tc.name, r.Verdict, got, tc.id)
		case tc.needed != nil && !maps.Equal(r.Shortfalls[0].Needed, tc.needed):
			t.Errorf("%s: needed %v, want %v", tc.name, r.Shortfalls[0].Needed, tc.needed)
		}
	}
}

func TestVetoes(t *testing.T) {
	for _, v := range National2017().Vetoes {
		in := district(goodSchool("S", KindPrimary, Primary, 600))
		in.Vetoes = []string{v.Key}
		r := evaluate(t, in, National2017())
		if r.Verdict != DoesNotMeet || len(r.Vetoes) != 1 || r.Vetoes[0].Key != v.Key ||
			r.Vetoes[0].Source != "reported" {
			t.Errorf("%s: %s, vetoes %+v", v.Key, r.Verdict, r.Vetoes)
		}
		if sf := shortfall(r, "veto:"+v.Key+":district"); sf == nil || sf.MessageZh != "一票否决:"+v.NameZh {
			t.Errorf("%s: shortfall %+v", v.Key, sf)
		}
	}
	in := district(goodSchool("S", KindPrimary, Primary, 600))
	in.RecognitionRate = new(0.8499)
	r := evaluate(t, in, National2017())
	if r.Verdict != DoesNotMeet || len(r.Vetoes) != 1 || r.Vetoes[0].Key != RecognitionVetoKey ||
		r.Vetoes[0].Source != "computed" {
		t.Errorf("low recognition: %s, vetoes %+v", r.Verdict, r.Vetoes)
	}
	if sf := shortfall(r, "recognition:recognition_rate:district"); sf == nil ||
		sf.MessageZh != "社会认可度为 84.99%,低于要求 85%(一票否决项)" {
		t.Errorf("recognition shortfall %+v", sf)
	}
	in.Vetoes = []string{"grade_inflation"}
	var ie *InputError
	if _, err := Evaluate(in, National2017()); !asInputError(err, &ie) || ie.Problems[0].Field != "vetoes[0]" {
		t.Errorf("unknown veto: %v", err)
	}
}

// A missing part is reported as missing, not passing, while the rest is still evaluated.
func TestMissingParts(t *testing.T) {
	crowded := goodSchool("S", KindPrimary, Primary, 600)
	crowded.Stages.Primary.LargestClass = 46
	in := district(crowded)
	in.Government, in.Quality, in.RecognitionRate, in.BasicBalanceCertifiedYear = nil, nil, nil, nil
	r := evaluate(t, in, National2017())
	want := []string{"prerequisite:not_reported:district", "government:class_size:school:S:primary",
		"government:not_reported:district", "quality:not_reported:district", "recognition:not_reported:district"}
	if got := shortfallIDs(r); !slices.Equal(got, want) {
		t.Errorf("shortfalls %v, want %v", got, want)
	}
	if !r.Government.Missing || r.Government.Passes || !r.Quality.Missing || !r.Recognition.Missing ||
		!r.Prerequisite.Missing || r.Recognition.Rate != nil || !r.Resource.Passes || r.Verdict != DoesNotMeet {
		t.Errorf("parts: %+v %+v %+v %+v", r.Government.Missing, r.Quality.Missing, r.Recognition, r.Prerequisite)
	}
	for _, it := range r.Government.Items {
		computed := it.Key == "music_art_rooms" || it.Key == "school_size" || it.Key == "class_size"
		if it.Missing == computed || (computed && it.Passes == (it.Key == "class_size")) {
			t.Errorf("item %s: missing %v passes %v", it.Key, it.Missing, it.Passes)
		}
		if it.Missing && (it.Passes || it.NotApplicable || it.Actual != "missing" || !it.Criteria[0].Actual.IsNull()) {
			t.Errorf("missing item %s: %+v", it.Key, it)
		}
	}
	if sf := shortfall(r, "government:not_reported:district"); sf.MessageEn !=
		"government guarantee data not reported; counted as not met" {
		t.Errorf("message %q", sf.MessageEn)
	}
}

func TestShortfallIDsUnique(t *testing.T) {
	in := generated(3, "370211", 400, 0.7)
	in.Vetoes = []string{"irregular_school_choice", "data_falsification"}
	in.Government.RotatedTeachers, in.Government.RotatedBackboneTeachers = 10, 1
	r := evaluate(t, in, National2017())
	seen := map[string]bool{}
	for _, sf := range r.Shortfalls {
		if seen[sf.ID] || sf.MessageZh == "" || sf.MessageEn == "" || sf.Key == "" {
			t.Fatalf("shortfall %+v repeated or incomplete", sf)
		}
		seen[sf.ID] = true
	}
	if len(seen) < 100 {
		t.Fatalf("only %d shortfalls", len(seen))
	}
}

// Issue 14, item 1: a teaching point under the cutoff is left out of the resource calculation only. Items 3 to 5
// hold it like any school: one class of 49 primary pupils breaks the limit of 45 at 49 pupils as at 50 (no cliff),
// needing the largest class down by 4 and ceil(49/45) − 1 = 1 more class. A profile may exempt small points.
func TestSmallTeachingPointSchoolItems(t *testing.T) {
	for _, tc := range []struct {
		pupils   int
		exempt   bool
		excluded bool             // from the resource calculation
		needed   map[string]int64 // of the class-size shortfall; nil = none
	}{
		{49, false, true, map[string]int64{"largest_class": -4, "classes": 1}},
		{50, false, false, map[string]int64{"largest_class": -5, "classes": 1}},
		{49, true, true, nil},
		{50, true, false, map[string]int64{"largest_class": -5, "classes": 1}},
	} {
		tp := goodSchool("T", KindTeachingPoint, Primary, tc.pupils)
		tp.Stages.Primary.Classes, tp.Stages.Primary.LargestClass = 1, tc.pupils
		p := National2017()
		p.ExemptSmallPoints = tc.exempt
		r := evaluate(t, district(goodSchool("P", KindPrimary, Primary, 600), tp), p)
		name := fmt.Sprintf("%d pupils, exempt %v", tc.pupils, tc.exempt)
		if excluded := len(r.Resource.Excluded) == 1; excluded != tc.excluded {
			t.Errorf("%s: excluded %+v", name, r.Resource.Excluded)
		}
		sf := shortfall(r, "government:class_size:school:T:primary")
		switch {
		case tc.needed == nil && sf != nil:
			t.Errorf("%s: unexpected %s", name, sf.MessageEn)
		case tc.needed != nil && (sf == nil || !maps.Equal(sf.Needed, tc.needed) || r.Verdict != DoesNotMeet):
			t.Errorf("%s: %s with %+v, want needed %v", name, r.Verdict, sf, tc.needed)
		}
	}
}

// Issue 14, item 2: school size counts the whole school. A twelve-year school's senior pupils count against its
// 2500 (1000 + 1000 + 501 = 2501 is one too many); a complete secondary school's junior part is held to 2000 and
// its senior pupils stay out.
func TestSchoolSizeWholeSchool(t *testing.T) {
	twelve := func(senior int) School {
		s := goodSchool("X", KindTwelveYear, Primary, 1000)
		s.Stages.Junior = goodStage(1000)
		s.Stages.Senior = &SeniorData{Students: senior}
		s.Facilities.MusicRooms, s.Facilities.ArtRooms = 5, 5 // 25 + 25 classes
		return s
	}
	complete := func(junior, senior int) School {
		s := goodSchool("X", KindCompleteSecondary, Junior, junior)
		s.Stages.Senior = &SeniorData{Students: senior}
		return s
	}
	for _, tc := range []struct {
		name   string
		school School
		zh     string // the school-size message; "" = passes
	}{
		{"twelve-year 1000 + 1000 + 500", twelve(500), ""},
		{"twelve-year 1000 + 1000 + 501", twelve(501), "X 学校X:学校规模为 2501 人,超过上限 2500 人;需减少在校生 1 人(含高中学段学生)"},
		{"complete secondary 2000 + 1500 senior", complete(2000, 1500), ""},
		{"complete secondary 2001 + 10 senior", complete(2001, 10),
			"X 学校X:学校规模为 2001 人,超过上限 2000 人;需减少在校生 1 人(仅计初中学段学生)"},
	} {
		r := evaluate(t, district(tc.school), National2017())
		var got []string
		for _, sf := range r.Shortfalls {
			if sf.Part == PartGovernment {
				got = append(got, sf.MessageZh)
			}
		}
		if want := []string{tc.zh}; (tc.zh == "" && len(got) != 0) || (tc.zh != "" && !slices.Equal(got, want)) {
			t.Errorf("%s: government shortfalls %q, want %q", tc.name, got, tc.zh)
		}
	}
}

// Issue 14, item 3: a stage the district has no pupils in is not applicable (met) for nearby enrollment and junior
// retention, and says so in the result; a stage whose only pupils are in a small teaching point is checked.
func TestStageNotApplicable(t *testing.T) {
	in := district(goodSchool("J", KindJunior, Junior, 600))
	in.Government.NearbyEnrollmentRate.Primary = 0
	r := evaluate(t, in, National2017())
	if r.Verdict != Meets || len(r.Shortfalls) != 0 {
		t.Errorf("junior-only district: %s with %v", r.Verdict, shortfallIDs(r))
	}
	nearby := r.Government.Items[12]
	if cr := nearby.Criteria; !nearby.Passes || nearby.NotApplicable || !cr[0].NotApplicable || !cr[0].Passes ||
		!cr[0].Actual.IsNull() || cr[1].NotApplicable || nearby.Actual != "primary=not_applicable; junior=0.96" {
		t.Errorf("junior-only district, nearby enrollment: %+v", nearby)
	}

	in = district(goodSchool("P", KindPrimary, Primary, 600))
	in.Quality.JuniorRetentionRate, in.Government.NearbyEnrollmentRate.Junior = 0, 0
	r = evaluate(t, in, National2017())
	if r.Verdict != Meets || len(r.Shortfalls) != 0 {
		t.Errorf("primary-only district: %s with %v", r.Verdict, shortfallIDs(r))
	}
	retention := r.Quality.Items[0]
	if !retention.Passes || !retention.NotApplicable || retention.Actual != "not_applicable" ||
		retention.Required != "≥ 0.95" {
		t.Errorf("primary-only district, junior retention: %+v", retention)
	}
	data, err := json.Marshal(r.Quality.Items[:2])
	if err != nil || strings.Count(string(data), `"not_applicable":true`) != 2 { // the item and its criterion
		t.Errorf("JSON %s, %v", data, err)
	}

	in = district(goodSchool("J", KindJunior, Junior, 600), goodSchool("T", KindTeachingPoint, Primary, 30))
	in.Government.NearbyEnrollmentRate.Primary = 0.99
	r = evaluate(t, in, National2017())
	if got := shortfallIDs(r); !slices.Equal(got, []string{"government:nearby_enrollment:stage:primary"}) {
		t.Errorf("primary pupils only in a small teaching point: %v", got)
	}
}

// Issue 14, item 4: a per-school item counts distinct failing schools, and its failing checks beside them.
func TestFailingSchoolsCount(t *testing.T) {
	a := goodSchool("A", KindPrimary, Primary, 600) // 15 classes: 2 rooms of each kind
	a.Facilities.MusicRooms, a.Facilities.ArtRooms = 0, 0
	b := goodSchool("B", KindPrimary, Primary, 600)
	b.Facilities.ArtRooms = 1
	n := goodSchool("N", KindNineYear, Primary, 400)
	n.Stages.Junior = goodStage(400)
	n.Stages.Primary.LargestClass, n.Stages.Junior.LargestClass = 46, 51
	n.Facilities.MusicRooms, n.Facilities.ArtRooms = 2, 2 // 10 + 10 classes
	r := evaluate(t, district(a, b, n), National2017())
	for i, want := range map[int]string{2: "failing_schools=2; failing_checks=3",
		3: "failing_schools=0; failing_checks=0",
		4: "failing_schools=1; failing_checks=2"} {
		if it := r.Government.Items[i]; it.Actual != want || it.Required != "failing_schools=0" {
			t.Errorf("item %d: %q / %q, want %q", i+1, it.Actual, it.Required, want)
		}
	}
}

// Issue 14, item 5: with no eligible teacher, rotation is not applicable and met; rotated teachers with nobody
// eligible are still an input error.
func TestRotationNoEligibleTeacher(t *testing.T) {
	in := district(goodSchool("S", KindPrimary, Primary, 600))
	g := in.Government
	g.EligibleRotationTeachers, g.RotatedTeachers, g.RotatedBackboneTeachers = 0, 0, 0
	r := evaluate(t, in, National2017())
	rotation := r.Government.Items[10]
	if r.Verdict != Meets || !rotation.Passes || !rotation.NotApplicable ||
		rotation.Actual != "rotated_share=not_applicable; backbone_share=not_applicable" {
		t.Errorf("%s with %v; item 11: %+v", r.Verdict, shortfallIDs(r), rotation)
	}
	if _, err := json.Marshal(r); err != nil { // 0/0 would be NaN
		t.Error(err)
	}
	g.RotatedTeachers = 1
	var ie *InputError
	_, err := Evaluate(in, National2017())
	if !asInputError(err, &ie) || ie.Problems[0].Field != "government.rotated_teachers" {
		t.Errorf("1 rotated of 0 eligible: %v", err)
	}
}

// Issue 14, item 6: a value shown beside its limit gets the decimals it takes to differ from it.
func TestBeside(t *testing.T) {
	for _, tc := range []struct {
		actual, limit float64
		decimals      int
		pct           bool
		a, l          string
	}{
		{0.4500000517, 0.45, 3, false, "0.4500001", "0.45"},
		{0.46, 0.45, 3, false, "0.46", "0.45"},
		{0.45, 0.45, 3, false, "0.45", "0.45"},
		{4.19996, 4.2, 3, false, "4.19996", "4.2"},
		{4.19996, 4.2, 4, false, "4.19996", "4.2"},
		{5999.9999, 6000, 3, false, "5999.9999", "6000"},
		{0.4569, 0.4567, 3, false, "0.4569", "0.4567"}, // the limit is not rounded onto the actual either
		{0.9499999, 0.95, 2, true, "94.99999", "95"},
		{0.9449, 0.95, 2, true, "94.49", "95"},
		{0.123456, 0.5, 2, true, "12.35", "50"},
	} {
		if a, l := Beside(tc.actual, tc.limit, tc.decimals, tc.pct); a != tc.a || l != tc.l {
			t.Errorf("Beside(%v, %v, %d, %v) = %s, %s; want %s, %s", tc.actual, tc.limit, tc.decimals, tc.pct, a, l,
				tc.a, tc.l)
		}
	}
}

// Issue 14, item 6: messages and item summaries never show a failing value equal to its limit.
func TestMessagesTellValueFromLimit(t *testing.T) {
	cv := (&finding{Shortfall: Shortfall{Part: PartResource, Key: "sports_area_per_student", Scope: ScopeStage,
		Stage: Junior, Actual: num(0.4500000517), Op: AtMost, Required: num(0.45)},
		nameZh: "生均体育运动场馆面积差异系数", nameEn: "difference coefficient of sports area"}).shortfall()
	if cv.MessageZh != "初中阶段:生均体育运动场馆面积差异系数为 0.4500001,超过上限 0.45" ||
		cv.MessageEn != "junior stage: difference coefficient of sports area is 0.4500001, above the limit 0.45" {
		t.Errorf("%q / %q", cv.MessageZh, cv.MessageEn)
	}
	big := (&finding{Shortfall: Shortfall{Part: PartResource, Key: "k", Scope: ScopeDistrict,
		Actual: num(12345.6786), Op: AtLeast, Required: num(12345.679)}, nameZh: "值", nameEn: "value",
		unit: "元"}).shortfall()
	if big.MessageEn != "value is 12,345.6786 yuan, below the required 12,345.679 yuan" {
		t.Errorf("%q", big.MessageEn)
	}
	for _, tc := range []struct {
		modify          func(in *Input)
		id, zh, en      string
		actual, require string // of the item
		item            int    // index among the government items, or 100 + index among the quality items
	}{
		{func(in *Input) { in.Government.SpecialEdFundingPerPupilYuan = 5999.9999 },
			"government:special_ed_funding:district",
			"特殊教育学校生均公用经费为 5999.9999 元,低于要求 6000 元",
			"special-education funding per pupil is 5999.9999 yuan, below the required 6000 yuan",
			"5999.9999", "≥ 6000", 6},
		{func(in *Input) { in.Quality.JuniorRetentionRate = 0.9499999 }, "quality:junior_retention:district",
			"初中三年巩固率为 94.99999%,低于要求 95%", "junior three-year retention is 94.99999%, below the required 95%",
			"0.9499999", "≥ 0.95", 100},
		{func(in *Input) { in.Government.NearbyEnrollmentRate.Primary = 0.99999 },
			"government:nearby_enrollment:stage:primary",
			"小学阶段:就近划片入学比例为 99.999%,低于要求 100%",
			"primary stage: zoned nearby enrollment is 99.999%, below the required 100%",
			"primary=0.99999; junior=0.96", "primary ≥ 1; junior ≥ 0.95", 12},
	} {
		in := district(goodSchool("S", KindPrimary, Primary, 600), goodSchool("J", KindJunior, Junior, 600))
		tc.modify(&in)
		r := evaluate(t, in, National2017())
		sf := shortfall(r, tc.id)
		if sf == nil || sf.MessageZh != tc.zh || sf.MessageEn != tc.en {
			t.Errorf("%s: %+v", tc.id, sf)
		}
		it := r.Government.Items
		if tc.item >= 100 {
			it, tc.item = r.Quality.Items, tc.item-100
		}
		if it[tc.item].Actual != tc.actual || it[tc.item].Required != tc.require {
			t.Errorf("%s: item %q / %q, want %q / %q", tc.id, it[tc.item].Actual, it[tc.item].Required,
				tc.actual, tc.require)
		}
	}
}
