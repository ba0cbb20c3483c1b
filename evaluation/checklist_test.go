package evaluation

import (
	"maps"
	"slices"
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
		if want := map[Stage][]string{Primary: {"S001", "S002"}, Junior: {"S002", "S003"}}[g]; !slices.Equal(codes, want) {
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
	if sf := shortfall(r, "government:class_size:school:N:junior"); !maps.Equal(sf.Needed, map[string]int64{"largest_class": -1}) {
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
		{"special-ed funding under", func(in *Input) { in.Government.SpecialEdFundingPerPupilYuan = 5999.99 }, "government:special_ed_funding:district", nil},
		{"rotation at 10% and 20%", func(in *Input) { in.Government.RotatedTeachers, in.Government.RotatedBackboneTeachers = 100, 20 }, "", nil},
		{"rotation under 10%", func(in *Input) { in.Government.RotatedTeachers, in.Government.RotatedBackboneTeachers = 99, 20 },
			"government:teacher_rotation.rotated_share:district", map[string]int64{"rotated_teachers": 1}},
		{"backbone under 20%", func(in *Input) { in.Government.RotatedTeachers, in.Government.RotatedBackboneTeachers = 100, 19 },
			"government:teacher_rotation.backbone_share:district", map[string]int64{"rotated_backbone_teachers": 1}},
		{"nearby junior at 95%", func(in *Input) { in.Government.NearbyEnrollmentRate.Junior = 0.95 }, "", nil},
		{"nearby primary under 100%", func(in *Input) { in.Government.NearbyEnrollmentRate.Primary = 0.999 }, "government:nearby_enrollment:stage:primary", nil},
		{"no care system", func(in *Input) { in.Government.LeftBehindCareSystem = false }, "government:left_behind_and_migrant_children.left_behind_care_system:district", nil},
		{"quota at 50%", func(in *Input) { in.Government.QualityHighSchoolQuotaShare = 0.5 }, "", nil},
		{"retention under 95%", func(in *Input) { in.Quality.JuniorRetentionRate = 0.949 }, "quality:junior_retention:district", nil},
		{"training budget at 5%", func(in *Input) { in.Quality.TeacherTrainingBudgetShareMin = 0.05 }, "", nil},
		{"monitoring difference just under 0.15", func(in *Input) { in.Quality.MonitoringDifferenceRate = 0.1499 }, "", nil},
		{"monitoring difference at 0.15 (strict)", func(in *Input) { in.Quality.MonitoringDifferenceRate = 0.15 }, "quality:quality_monitoring.difference_rate:district", nil},
		{"homework burden", func(in *Input) { in.Quality.NoExcessBurden = false }, "quality:homework_burden:district", nil},
		{"recognition at 85%", func(in *Input) { in.RecognitionRate = new(0.85) }, "", nil},
		{"certified 3 years before", func(in *Input) { in.BasicBalanceCertifiedYear = new(2022) }, "", nil},
		{"certified 2 years before", func(in *Input) { in.BasicBalanceCertifiedYear = new(2023) }, "prerequisite:basic_balance_certified_year:district", nil},
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
		if r.Verdict != DoesNotMeet || len(r.Vetoes) != 1 || r.Vetoes[0].Key != v.Key || r.Vetoes[0].Source != "reported" {
			t.Errorf("%s: %s, vetoes %+v", v.Key, r.Verdict, r.Vetoes)
		}
		if sf := shortfall(r, "veto:"+v.Key+":district"); sf == nil || sf.MessageZh != "一票否决:"+v.NameZh {
			t.Errorf("%s: shortfall %+v", v.Key, sf)
		}
	}
	in := district(goodSchool("S", KindPrimary, Primary, 600))
	in.RecognitionRate = new(0.8499)
	r := evaluate(t, in, National2017())
	if r.Verdict != DoesNotMeet || len(r.Vetoes) != 1 || r.Vetoes[0].Key != RecognitionVetoKey || r.Vetoes[0].Source != "computed" {
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
		if it.Missing && (it.Passes || it.Actual != "missing" || !it.Criteria[0].Actual.IsNull()) {
			t.Errorf("missing item %s: %+v", it.Key, it)
		}
	}
	if sf := shortfall(r, "government:not_reported:district"); sf.MessageEn != "government guarantee data not reported; counted as not met" {
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
