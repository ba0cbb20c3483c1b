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
		"calendar: {application: \"02-30\"}": "calendar.application",
		"late_self_assessment: maybe":        "late_self_assessment",
		"office_reminder_days: [0]":          "office_reminder_days[0]",
		"plan_within_days: -3":               "plan_within_days",
		"targets: {2025: 1.5}":               "targets",
		"oversized_reduction: 25":            "oversized_reduction",
		"public: {sections: [schools]}":      "public.sections[0]",
		"reminders: [1]":                     "reminders",
	} {
		path := filepath.Join(t.TempDir(), "p.yaml")
		os.WriteFile(path, []byte(text), 0o600)
		if _, err := LoadPolicy(path); err == nil || !strings.Contains(err.Error(), field) ||
			!strings.Contains(err.Error(), "JUNHENG_POLICY") {
			t.Errorf("%q: %v, want an error naming %s", text, err, field)
		}
	}
}
