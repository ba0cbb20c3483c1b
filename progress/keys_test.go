package progress

import (
	"slices"
	"testing"

	"junheng/evaluation"
)

func TestIndicatorKeys(t *testing.T) {
	national := evaluation.National2017()
	mean := evaluation.National2017()
	mean.Name, mean.CVRule = "mean-rule", evaluation.CVMean
	tests := []struct {
		name    string
		profile evaluation.Profile
		has     []string
		hasNot  []string
		count   int
	}{
		// 5 vetoes + prerequisite + "schools" + 7 indicators + 15 + 9 items + recognition + not_reported.
		{"national", national, []string{"admission_by_examination", "basic_balance_certified_year",
			"qualified_teachers_per_100", "school_size", "class_size", "music_art_rooms", "quality_monitoring",
			"recognition_rate", evaluation.NotReportedKey}, []string{"cv_mean", evaluation.RecognitionVetoKey}, 40},
		{"mean rule", mean, []string{"cv_mean", "sports_area_per_student"}, nil, 41},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			keys := IndicatorKeys(tc.profile)
			if !slices.IsSorted(keys) || len(slices.Compact(slices.Clone(keys))) != len(keys) {
				t.Errorf("not sorted or duplicated: %v", keys)
			}
			if len(keys) != tc.count {
				t.Errorf("%d keys, want %d: %v", len(keys), tc.count, keys)
			}
			for _, k := range tc.has {
				if !slices.Contains(keys, k) {
					t.Errorf("%q missing from %v", k, keys)
				}
			}
			for _, k := range tc.hasNot {
				if slices.Contains(keys, k) {
					t.Errorf("%q is not a shortfall key", k)
				}
			}
		})
	}
}

// Every key the engine emits is one IndicatorKeys lists, and the reverse: districts failing every part, under both
// coefficient rules, evaluated by the real engine.
func TestIndicatorKeysCoverTheEngine(t *testing.T) {
	failing := func(in *evaluation.Input) {
		year, rate := 2022, 0.5
		in.BasicBalanceCertifiedYear, in.RecognitionRate = &year, &rate
		in.Government, in.Quality = &evaluation.Government{EligibleRotationTeachers: 10}, &evaluation.Quality{}
		for _, v := range evaluation.National2017().Vetoes {
			in.Vetoes = append(in.Vetoes, v.Key)
		}
	}
	missing := func(in *evaluation.Input) {
		in.BasicBalanceCertifiedYear, in.RecognitionRate, in.Government, in.Quality = nil, nil, nil, nil
	}
	teachingPointOnly := func(in *evaluation.Input) { in.Schools = in.Schools[3:4] } // T001, 49 pupils
	// starved has no teachers and no facilities but a sports ground in some schools.
	starved := func(in *evaluation.Input) {
		for i := range in.Schools {
			s := &in.Schools[i]
			s.Facilities = evaluation.Facilities{SportsAreaM2: float64(i * 10000)}
			for _, d := range []*evaluation.StageData{s.Stages.Primary, s.Stages.Junior} {
				if d != nil {
					d.QualifiedTeachers, d.BackboneTeachers, d.PEArtTeachers = 0, 0, 0
				}
			}
		}
	}
	mean := evaluation.National2017()
	mean.Name, mean.CVRule, mean.CVLimits = "mean-rule", evaluation.CVMean,
		map[evaluation.SchoolStage]float64{evaluation.Primary: 0.01, evaluation.Junior: 0.01}
	emitted := map[string]bool{}
	for _, p := range []evaluation.Profile{evaluation.National2017(), mean} {
		known := IndicatorKeys(p)
		for _, change := range []func(*evaluation.Input){failing, missing, teachingPointOnly, starved} {
			in := sample(t)
			in.Year = 2023
			in.Schools = with(t, largeClass(oversize(primary(t, "X01"))))
			change(&in)
			r, err := evaluation.Evaluate(in, p)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range r.Shortfalls {
				emitted[s.Key] = true
				if !slices.Contains(known, s.Key) {
					t.Errorf("%s: the engine emits %q, which IndicatorKeys does not list", p.Name, s.Key)
				}
			}
		}
	}
	// And the other way round: every key listed is one the engine emits (the mean profile lists them all).
	for _, k := range IndicatorKeys(mean) {
		if !emitted[k] {
			t.Errorf("IndicatorKeys lists %q, which no failing input emitted", k)
		}
	}
}
