package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"junheng/progress"
	"junheng/workflows"
)

func TestPolicyFileOverridesWhatItNames(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.yaml")
	os.WriteFile(path, []byte("calendar: {city_review: \"03-15\"}\nlate_self_assessment: close\n"+
		"item_reminder_days: [14, 3]\nplan_within_days: 15\ntargets: {2024: 0.5}\n"+
		"bring_up_share: 0.3\neliminate_by: 2027\npublic: {enabled: true, sections: [district_results]}\n"), 0o600)
	p, err := LoadPolicy(path)
	if err != nil {
		t.Fatal(err)
	}
	if p.Calendar.CityReview != (workflows.MonthDay{Month: time.March, Day: 15}) ||
		p.Calendar.SelfAssessment != workflows.DefaultCalendar.SelfAssessment {
		t.Errorf("calendar %+v", p.Calendar)
	}
	w := p.Workflow
	if w.AcceptLateSelfAssessment || w.PlanWithin != 15*24*time.Hour || len(w.ItemReminders) != 2 ||
		w.ItemReminders[0] != 14*24*time.Hour || len(w.DistrictReminders) != 3 ||
		p.Progress.Targets[2024] != 0.5 || len(p.Progress.Targets) != 1 {
		t.Errorf("policy %+v, targets %v", w, p.Progress.Targets)
	}
	if r := p.Progress; r.BringUpShare != 0.3 || r.OversizedReduction != 0.25 || r.EliminateBy != 2027 {
		t.Errorf("progress rules %+v", r)
	}
	if pub := p.Public; !pub.Enabled || len(pub.Sections) != 1 || pub.Sections[0] != progress.SectionDistrictResults ||
		pub.Title == "" {
		t.Errorf("public %+v", pub)
	}
	if def, _ := LoadPolicy(""); !def.Workflow.AcceptLateSelfAssessment || def.Progress.Targets[2025] != 1 ||
		def.Public.Enabled {
		t.Errorf("defaults %+v", def)
	}
}

func TestPolicyErrorsNameTheField(t *testing.T) {
	for text, field := range map[string]string{
		"calendar: {application: \"02-30\"}":                         "calendar.application",
		"late_self_assessment: maybe":                                "late_self_assessment",
		"office_reminder_days: [0]":                                  "office_reminder_days[0]",
		"plan_within_days: -3":                                       "plan_within_days",
		"targets: {2025: 1.5}":                                       "targets",
		"oversized_reduction: 25":                                    "oversized_reduction",
		"public: {sections: [schools]}":                              "public.sections[0]",
		"reminders: [1]":                                             "reminders",
		"cities: {370200: {calendar: {self_assessment: \"11-31\"}}}": "cities.370200.calendar.self_assessment",
		"cities: {370200: {targets: {2025: 2}}}":                     "cities.370200.targets",
		"cities: {370200: {public: {enabled: true}}}":                "field public not found",
		"cities: {370211: {plan_within_days: 10}}":                   "cities.370211",
		"cities: {370000: {plan_within_days: 10}}":                   "cities.370000",
	} {
		path := filepath.Join(t.TempDir(), "p.yaml")
		os.WriteFile(path, []byte(text), 0o600)
		if _, err := LoadPolicy(path); err == nil || !strings.Contains(err.Error(), field) ||
			!strings.Contains(err.Error(), "JUNHENG_POLICY") {
			t.Errorf("%q: %v, want an error naming %s", text, err, field)
		}
	}
}

// TestCityPolicy: a city's rules are the province's with the city's keys over them, whatever the order of the
// file's keys; a city without targets keeps the province's, one with targets has its own alone.
func TestCityPolicy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.yaml")
	os.WriteFile(path, []byte("cities:\n"+
		"  370100: {calendar: {self_assessment: \"11-30\"}}\n"+
		"  370200: {targets: {2024: 0.6}, late_self_assessment: accept, district_reminder_days: [10]}\n"+
		"targets: {2024: 0.5, 2026: 1.0}\nlate_self_assessment: close\noffice_reminder_days: [3]\n"), 0o600)
	p, err := LoadPolicy(path)
	if err != nil {
		t.Fatal(err)
	}
	jinan, qingdao := p.Cities["370100"], p.Cities["370200"]
	if len(p.Cities) != 2 || jinan.Calendar.SelfAssessment != (workflows.MonthDay{Month: time.November, Day: 30}) ||
		jinan.Calendar.CityReview != workflows.DefaultCalendar.CityReview ||
		p.Calendar.SelfAssessment != workflows.DefaultCalendar.SelfAssessment {
		t.Errorf("calendars: province %+v, cities %+v", p.Calendar, p.Cities)
	}
	if w := jinan.Workflow; w.AcceptLateSelfAssessment || len(w.OfficeReminders) != 1 ||
		len(w.DistrictReminders) != 3 || len(jinan.Progress.Targets) != 2 || jinan.Progress.Targets[2026] != 1 {
		t.Errorf("a city overriding its calendar alone: %+v", jinan)
	}
	if w := qingdao.Workflow; !w.AcceptLateSelfAssessment || len(w.OfficeReminders) != 1 ||
		len(w.DistrictReminders) != 1 || w.DistrictReminders[0] != 10*24*time.Hour ||
		len(qingdao.Progress.Targets) != 1 || qingdao.Progress.Targets[2024] != 0.6 ||
		qingdao.Calendar != workflows.DefaultCalendar {
		t.Errorf("a city overriding its targets: %+v", qingdao)
	}
	if p.Workflow.AcceptLateSelfAssessment || len(p.Workflow.DistrictReminders) != 3 ||
		p.Progress.Targets[2024] != 0.5 {
		t.Errorf("the province's rules changed by a city's: %+v", p.Rules)
	}
}
