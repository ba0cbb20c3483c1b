package evaluation

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestNational2017Valid(t *testing.T) {
	p := National2017()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if names := BuiltinNames(); !reflect.DeepEqual(names, []string{Basic2012Name, NationalName}) {
		t.Errorf("built in: %v", names)
	}
	// Built-in profiles are copies: changing one does not change the next.
	p.Thresholds[Primary]["sports_area_per_student"] = 1
	if q, _ := Builtin(NationalName); q.Thresholds[Primary]["sports_area_per_student"] != 7.5 {
		t.Error("the built-in profile was changed through a copy")
	}
}

func TestLoadProfileOverlay(t *testing.T) {
	data, err := os.ReadFile("testdata/province-profile.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := LoadProfile(data, "province-profile.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := National2017()
	want.Name, want.TitleZh = "national-2017-example-province", "县域义务教育优质均衡发展督导评估办法(2017)·某省实施细则"
	want.Thresholds[Junior]["sports_area_per_student"] = 9.5
	want.TeachingPointCutoff = 30
	want.Government.SpecialEdFundingMinYuan = 8000
	want.Vetoes = []VetoItem{want.Vetoes[0], want.Vetoes[1], want.Vetoes[2],
		{"unfilled_staff_quota", "“有编不补”或长期聘用编外教师", "vacant posts left unfilled or long-term contract teachers"}}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("overlay:\n%+v\nwant\n%+v", p, want)
	}
	// The provincial figures change the verdict: special-education funding of 6500 no longer suffices.
	r := evaluate(t, sample(t), p)
	if r.Standard != p.Name || shortfall(r, "government:special_ed_funding:district") == nil {
		t.Errorf("under %s: %v", r.Standard, shortfallIDs(r))
	}
	in := sample(t)
	in.Vetoes = []string{"data_falsification"} // not in this province's list
	if _, err := Evaluate(in, p); err == nil || !strings.Contains(err.Error(), "unfilled_staff_quota") {
		t.Errorf("veto outside the profile: %v", err)
	}
}

// The YAML tags mirror the JSON tags: a built-in profile written as YAML loads back unchanged.
func TestProfileYAMLRoundTrip(t *testing.T) {
	p := National2017()
	p.Name = "copy"
	data, err := yaml.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	q, err := LoadProfile(data, "copy.yml")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p, q) {
		t.Errorf("round trip:\n%+v\n%+v", p, q)
	}
	j, err := LoadProfile([]byte(`{"name": "json-copy", "cv_limits": {"junior": 0.4}}`), "p.JSON")
	if err != nil || j.CVLimits[Junior] != 0.4 || j.CVLimits[Primary] != 0.5 {
		t.Errorf("JSON profile: %v %+v", err, j.CVLimits)
	}
}

func TestLoadProfileErrors(t *testing.T) {
	for _, tc := range []struct{ file, data, want string }{
		{"p.yaml", "thresholds: {junior: {sports_area_per_student: 9}}", "give the profile its own name"},
		{"p.yaml", "name: national-2017", "give the profile its own name"},
		{"p.yaml", "name: x\nbase: basic-2011", `unknown base "basic-2011"; built in: basic-2012, national-2017`},
		{"p.yaml", "name: basic-2012", "give the profile its own name"},
		{"p.yaml", "name: x\nbase: basic-2012\nthresholds: {junior: {books_per_student: 0}}",
			"thresholds.junior.books_per_student: must be a positive"},
		{"p.yaml", "name: x\nbase: basic-2012\nbasic_2012: {county_government_score_min: 850}",
			"basic_2012.county_government_score_min"},
		{"p.yaml", "name: x\ncv_limit: {junior: 0.4}", `unknown field "cv_limit"`},
		{"p.yaml", "name: x\ncv_limits: {junior: -1}", "cv_limits.junior: must be a positive number"},
		{"p.yaml", "name: x\nthresholds: {junior: {sports_area: 9}}",
			"thresholds.junior.sports_area: is not an indicator"},
		{"p.yaml", "name: x\ngovernment_items: [layout_planning, junior_retention]",
			`"junior_retention" is not a government item`},
		{"p.yaml", "name: x\nschool_floor: 85", "school_floor: must be a fraction"},
		{"p.yaml", "name: x\ncv_rule: median", `cv_rule: must be "each" or "mean"`},
		{"p.yaml", "name: x\nindicators: [{key: books, name_zh: 图书, name_en: books, quantity: books, per: 1}]",
			`unknown quantity "books"`},
		{"p.yaml", "name: x\nvetoes: [{key: low_social_recognition, name_zh: a, name_en: b}]", "vetoes[0].key"},
		{"p.yaml", "name: [x", "profile p.yaml"},
		{"p.toml", "name = 'x'", "must end in .yaml, .yml or .json"},
	} {
		_, err := LoadProfile([]byte(tc.data), tc.file)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.data, err, tc.want)
		}
	}
	p := National2017()
	p.Thresholds[Junior] = nil
	if _, err := Evaluate(sample(t), p); err == nil ||
		!strings.Contains(err.Error(), "thresholds.junior.sports_area_per_student") {
		t.Errorf("Evaluate with a broken profile: %v", err)
	}
}

// The switch exempting small teaching points from items 3 to 5 is a profile key, off in the national profile.
func TestExemptSmallPointsKey(t *testing.T) {
	if National2017().ExemptSmallPoints {
		t.Error("small teaching points are exempt by default")
	}
	p, err := LoadProfile([]byte("name: x\nexempt_small_points_from_school_items: true"), "p.yaml")
	if err != nil || !p.ExemptSmallPoints {
		t.Errorf("%v, exempt %v", err, p.ExemptSmallPoints)
	}
}

// A result names the rules that judged it: the engine's version and the exact profile, which any change of the
// profile's rules changes and nothing else does.
func TestResultNamesItsRules(t *testing.T) {
	judge := func(p Profile) Result {
		t.Helper()
		r, err := Evaluate(sample(t), p)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	national := judge(National2017())
	if national.Engine != EngineVersion || len(national.ProfileDigest) != 12 {
		t.Fatalf("engine %d, profile digest %q", national.Engine, national.ProfileDigest)
	}
	if again := judge(National2017()); again.ProfileDigest != national.ProfileDigest {
		t.Errorf("the same profile: %s, then %s", national.ProfileDigest, again.ProfileDigest)
	}
	province := National2017()
	province.TeachingPointCutoff = 30
	if judge(province).ProfileDigest == national.ProfileDigest {
		t.Error("a changed cutoff kept the digest")
	}
}
