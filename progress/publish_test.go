package progress

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestPublicSummaryHoldsOnlyPublicFields walks the summary's type: every field must be one a city may publish.
// A field added to it later fails here until someone decides it is public.
func TestPublicSummaryHoldsOnlyPublicFields(t *testing.T) {
	public := map[string]bool{"Title": true, "GeneratedAt": true, "Years": true, "Certified": true, "Results": true,
		"Year": true, "Districts": true, "Meeting": true, "Share": true, "Target": true, "TargetMet": true,
		"Name": true, "Meets": true}
	var walk func(reflect.Type)
	walk = func(typ reflect.Type) {
		switch typ.Kind() {
		case reflect.Pointer, reflect.Slice:
			walk(typ.Elem())
		case reflect.Struct:
			if typ == reflect.TypeFor[time.Time]() {
				return
			}
			for f := range typ.Fields() {
				if !public[f.Name] {
					t.Errorf("%s.%s is not a field the public page may show", typ.Name(), f.Name)
				}
				walk(f.Type)
			}
		}
	}
	walk(reflect.TypeFor[PublicSummary]())
}

func TestPublishShowsOnlyTheSectionsNamed(t *testing.T) {
	// Every year was reviewed by the office but B's 2025, which is not published.
	ds := newScenario(t).all()
	for i := range ds {
		for j := range ds[i].Years {
			ds[i].Years[j].Reviewed = ds[i].Name != "乙区" || ds[i].Years[j].Year != 2025
		}
	}
	years := []int{2023, 2024, 2025}
	now := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	secrets := []string{}
	for _, d := range ds {
		secrets = append(secrets, d.Code)
		for _, y := range d.Years {
			if y.Input == nil {
				continue
			}
			for _, s := range y.Input.Schools {
				secrets = append(secrets, `"`+s.Code+`"`, s.Name)
			}
		}
	}
	names := func(rs []PublicResult) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Name)
		}
		return out
	}
	for _, tc := range []struct {
		sections []string
		check    func(t *testing.T, s PublicSummary)
		hidden   []string // district names that must not appear
	}{
		{nil, func(t *testing.T, s PublicSummary) {
			if s.Years != nil || s.Certified != nil || s.Results != nil {
				t.Errorf("no sections, yet %+v", s)
			}
		}, []string{"甲区", "乙区", "丙区", "丁区", "戊区"}},
		{[]string{SectionCityTargets}, func(t *testing.T, s PublicSummary) {
			// B's unreviewed 2025 does not count as meeting.
			city := City(ds, years, DefaultRules())
			if len(s.Years) != 3 || s.Years[1].Meeting != city[1].Meeting ||
				s.Years[2].Meeting != city[2].Meeting-1 || s.Years[1].Certified != 1 ||
				!s.Years[1].TargetMet || s.Years[2].TargetMet || *s.Years[2].Target != 1 {
				t.Errorf("city targets %+v", s.Years)
			}
		}, []string{"甲区", "乙区", "丙区", "丁区", "戊区"}},
		{[]string{SectionCertified}, func(t *testing.T, s PublicSummary) {
			// D, certified in 2024, is listed once, with the year it was certified.
			if len(s.Certified) != 1 ||
				s.Certified[0] != (PublicResult{Name: "丁区", Year: 2024, Meets: true, Certified: true}) {
				t.Errorf("certified %+v", s.Certified)
			}
		}, []string{"甲区", "乙区", "丙区", "戊区"}},
		{[]string{SectionDistrictResults}, func(t *testing.T, s PublicSummary) {
			// Every reviewed year and every year after certification: 5 districts × 3 years, but E submitted
			// nothing in 2024 and B's 2025 was not reviewed.
			if len(s.Results) != 13 || !slices.Contains(names(s.Results), "戊区") {
				t.Errorf("results %+v", s.Results)
			}
			for _, r := range s.Results {
				if r.Name == "丁区" && r.Year == 2025 && (!r.Certified || !r.Meets) {
					t.Errorf("D in 2025: %+v", r)
				}
				if r.Name == "乙区" && (!r.Meets || r.Year == 2025) {
					t.Errorf("B: %+v", r)
				}
			}
		}, nil},
	} {
		t.Run(strings.Join(tc.sections, "+"), func(t *testing.T) {
			s := Publish(Publication{Enabled: true, Title: "示范市", Sections: tc.sections}, ds, years,
				DefaultRules(), now)
			tc.check(t, s)
			data, _ := json.Marshal(s)
			for _, secret := range slices.Concat(secrets, tc.hidden) {
				if strings.Contains(string(data), secret) {
					t.Errorf("the summary shows %s: %s", secret, data)
				}
			}
		})
	}
}
