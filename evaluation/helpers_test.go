package evaluation

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

// sample decodes testdata/district.json: a district that meets the standard, with a nine-year school (166 + 210
// pupils) and a teaching point of 49 pupils (left out of the resource calculation, held to items 3 to 5).
func sample(t testing.TB) Input {
	t.Helper()
	f, err := os.Open("testdata/district.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in, err := Decode(f)
	if err != nil {
		t.Fatalf("sample does not decode: %v", err)
	}
	return in
}

func evaluate(t testing.TB, in Input, p Profile) Result {
	t.Helper()
	r, err := Evaluate(in, p)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	return r
}

func shortfall(r Result, id string) *Shortfall {
	for i := range r.Shortfalls {
		if r.Shortfalls[i].ID == id {
			return &r.Shortfalls[i]
		}
	}
	return nil
}

func shortfallIDs(r Result) []string {
	ids := make([]string, len(r.Shortfalls))
	for i, s := range r.Shortfalls {
		ids[i] = s.ID
	}
	return ids
}

// goodStage is a stage comfortably above every national threshold for n pupils.
func goodStage(n int) *StageData {
	classes := (n + 39) / 40
	return &StageData{Students: n, Classes: classes, LargestClass: min(n, (n+classes-1)/classes+2),
		QualifiedTeachers: ceil(6 * n), BackboneTeachers: ceil(1.3 * float64(n)), PEArtTeachers: ceil(1.2 * float64(n)),
	}
}

func ceil[T int | float64](per100 T) int { return int(math.Ceil(float64(per100) / 100)) }

// goodSchool is a single-stage school comfortably above every threshold of its stage.
func goodSchool(code string, kind Kind, g SchoolStage, n int) School {
	s := School{Code: code, Name: "学校" + code, Kind: kind}
	if g == Primary {
		s.Stages.Primary = goodStage(n)
	} else {
		s.Stages.Junior = goodStage(n)
		s.Stages.Junior.QualifiedTeachers = ceil(7 * n)
	}
	p, rooms := float64(n), (goodStage(n).Classes+11)/12
	s.Facilities = Facilities{TeachingRoomAreaM2: 7 * p, SportsAreaM2: 12 * p, EquipmentValueYuan: 3000 * p,
		MultimediaRooms: ceil(3 * n), MusicRooms: rooms, ArtRooms: rooms}
	return s
}

// district returns a valid input around schools, with every district part passing.
func district(schools ...School) Input {
	in := Input{District: District{Code: "370211", Name: "黄岛区"}, Year: 2025, Schools: schools}
	year := 2016
	rate := 0.91
	in.BasicBalanceCertifiedYear, in.RecognitionRate = &year, &rate
	in.Government = &Government{LayoutPlanningSound: true, UrbanRuralUnifiedStandards: true,
		SmallSchoolsFundedAs100: true, SpecialEdFundingPerPupilYuan: 6500, TeacherPayNotBelowCivilServants: true,
		TeacherTraining360hCompletion: 1, StaffingAllocatedByCounty: true, EligibleRotationTeachers: 1000,
		RotatedTeachers: 120, RotatedBackboneTeachers: 30, TeachersCertifiedRate: 1,
		NearbyEnrollmentRate: NearbyEnrolled{Primary: 1, Junior: 0.96}, QualityHighSchoolQuotaShare: 0.55,
		LeftBehindCareSystem: true, MigrantChildrenPublicSchoolShare: 0.9}
	in.Quality = &Quality{JuniorRetentionRate: 0.97, DisabledEnrollmentRate: 0.96, ChartersAndDigitisation: true,
		TeacherTrainingBudgetShareMin: 0.06, ICTUseGood: true, MoralEducationGood: true, CurriculumComplete: true,
		NoExcessBurden: true, MonitoringLevelIIIReached: true, MonitoringDifferenceRate: 0.12}
	return in
}

// generated is a district of n schools of every kind, each raw quantity scattered between low and low + 0.6 times
// what its threshold requires: low 0.8 fails most schools somewhere, low 0.97 is a district close to the standard.
// The same seed gives the same district.
func generated(seed uint64, code string, n int, low float64) Input {
	r := rand.New(rand.NewPCG(seed, 7))
	kinds := []Kind{KindPrimary, KindPrimary, KindPrimary, KindJunior, KindJunior, KindNineYear, KindCompleteSecondary,
		KindTwelveYear, KindTeachingPoint}
	scatter := func(v float64) float64 { return v * (low + 0.6*r.Float64()) }
	schools := make([]School, n)
	for i := range schools {
		kind := kinds[r.IntN(len(kinds))]
		s := School{Code: fmt.Sprintf("%s-%04d", code, i), Name: fmt.Sprintf("第%d学校", i+1), Kind: kind}
		var pupils float64
		stage := func(g SchoolStage, lo, hi int) *StageData {
			d := goodStage(lo + r.IntN(hi-lo))
			p := float64(d.Students)
			pupils += p
			t := National2017().Thresholds[g]
			d.QualifiedTeachers = int(math.Round(scatter(t["qualified_teachers_per_100"]) * p / 100))
			d.BackboneTeachers = int(math.Round(scatter(t["backbone_teachers_per_100"]) * p / 100))
			d.PEArtTeachers = int(math.Round(scatter(t["pe_art_teachers_per_100"]) * p / 100))
			return d
		}
		switch kind {
		case KindPrimary:
			s.Stages.Primary = stage(Primary, 200, 2100)
		case KindJunior:
			s.Stages.Junior = stage(Junior, 200, 2100)
		case KindNineYear:
			s.Stages.Primary, s.Stages.Junior = stage(Primary, 100, 1300), stage(Junior, 100, 1300)
		case KindCompleteSecondary:
			s.Stages.Junior = stage(Junior, 300, 1500)
			s.Stages.Senior = &SeniorData{Students: 300 + r.IntN(1000)}
			pupils += float64(s.Stages.Senior.Students)
		case KindTwelveYear:
			s.Stages.Primary, s.Stages.Junior = stage(Primary, 200, 1000), stage(Junior, 200, 1000)
			s.Stages.Senior = &SeniorData{Students: 200 + r.IntN(800)}
			pupils += float64(s.Stages.Senior.Students)
		case KindTeachingPoint:
			s.Stages.Primary = stage(Primary, 20, 90)
		}
		classes := 0
		for _, d := range []*StageData{s.Stages.Primary, s.Stages.Junior} {
			if d != nil {
				classes += d.Classes
			}
		}
		rooms := float64(classes+11) / 12
		s.Facilities = Facilities{TeachingRoomAreaM2: math.Round(scatter(5.8) * pupils),
			SportsAreaM2: math.Round(scatter(10.2) * pupils), EquipmentValueYuan: math.Round(scatter(2500) * pupils),
			MultimediaRooms: int(math.Round(scatter(2.4) * pupils / 100)), MusicRooms: int(math.Ceil(scatter(rooms))),
			ArtRooms: int(math.Ceil(scatter(rooms)))}
		schools[i] = s
	}
	in := district(schools...)
	in.District.Code = code
	return in
}
