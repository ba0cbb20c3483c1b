package progress

import (
	"slices"
	"strings"
	"testing"

	"junheng/evaluation"
)

func TestPlanValidate(t *testing.T) {
	keys := IndicatorKeys(evaluation.National2017())
	good := func() Plan {
		return Plan{TargetYear: 2025, Milestones: []Milestone{
			{Year: 2023, Schools: []string{"S001", "S002"},
				Indicators:   []string{"school_size", "sports_area_per_student"},
				OversizedMax: ptr(3), LargeClassesMax: ptr(0), Note: "先化解大规模学校"},
			{Year: 2025},
		}}
	}
	tests := []struct {
		name   string
		change func(p *Plan)
		keys   []string
		want   []string // the fields named, in order
	}{
		{"good", func(p *Plan) {}, keys, nil},
		{"target year too early", func(p *Plan) { p.TargetYear = 1999 }, keys, []string{"target_year"}},
		{"target year too late", func(p *Plan) { p.TargetYear = 2101; p.Milestones[1].Year = 2100 }, keys,
			[]string{"target_year"}},
		{"no milestone", func(p *Plan) { p.Milestones = nil }, keys, []string{"milestones"}},
		{"milestone year out of range", func(p *Plan) { p.Milestones[0].Year = 1999 }, keys,
			[]string{"milestones[0].year"}},
		{"milestone years not ascending", func(p *Plan) { p.Milestones[0].Year = 2025 }, keys,
			[]string{"milestones[1].year"}},
		{"milestone years descending", func(p *Plan) { p.Milestones[0].Year, p.Milestones[1].Year = 2024, 2023 }, keys,
			[]string{"milestones[1].year"}},
		{"milestone after the target year", func(p *Plan) { p.Milestones[1].Year = 2026 }, keys,
			[]string{"milestones[1].year"}},
		{"empty school code", func(p *Plan) { p.Milestones[0].Schools[1] = " " }, keys,
			[]string{"milestones[0].schools[1]"}},
		{"school code with spaces", func(p *Plan) { p.Milestones[0].Schools[0] = "S001 " }, keys,
			[]string{"milestones[0].schools[0]"}},
		{"school code of 65 characters",
			func(p *Plan) { p.Milestones[1].Schools = []string{strings.Repeat("校", 65)} }, keys,
			[]string{"milestones[1].schools[0]"}},
		{"school code of 64 characters",
			func(p *Plan) { p.Milestones[1].Schools = []string{strings.Repeat("校", 64)} }, keys, nil},
		{"duplicate school", func(p *Plan) { p.Milestones[0].Schools = []string{"S001", "S002", "S001"} }, keys,
			[]string{"milestones[0].schools[2]"}},
		{"unknown indicator", func(p *Plan) { p.Milestones[0].Indicators[1] = "sports_area" }, keys,
			[]string{"milestones[0].indicators[1]"}},
		{"any indicator without keys", func(p *Plan) { p.Milestones[0].Indicators[1] = "sports_area" }, nil, nil},
		{"duplicate indicator", func(p *Plan) { p.Milestones[0].Indicators[1] = "school_size" }, nil,
			[]string{"milestones[0].indicators[1]"}},
		{"negative oversized", func(p *Plan) { p.Milestones[0].OversizedMax = ptr(-1) }, keys,
			[]string{"milestones[0].oversized_max"}},
		{"negative large classes", func(p *Plan) { p.Milestones[1].LargeClassesMax = ptr(-1) }, keys,
			[]string{"milestones[1].large_classes_max"}},
		{"note of 2001 characters", func(p *Plan) { p.Milestones[1].Note = strings.Repeat("注", 2001) }, keys,
			[]string{"milestones[1].note"}},
		{"note of 2000 characters", func(p *Plan) { p.Milestones[1].Note = strings.Repeat("注", 2000) }, keys, nil},
		{"everything at once", func(p *Plan) {
			p.TargetYear = 0
			p.Milestones[0].Year, p.Milestones[0].Schools = 3000, []string{""}
			p.Milestones[1].Indicators, p.Milestones[1].OversizedMax = []string{"x"}, ptr(-2)
		}, keys, []string{"target_year", "milestones[0].year", "milestones[0].schools[0]", "milestones[1].year",
			"milestones[1].indicators[0]", "milestones[1].oversized_max"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := good()
			tc.change(&p)
			problems := p.Validate(tc.keys)
			if problems == nil {
				t.Fatal("Validate returned nil; want an empty slice")
			}
			fields := []string{}
			for _, pr := range problems {
				fields = append(fields, pr.Field)
				if pr.MessageZh == "" || pr.MessageEn == "" {
					t.Errorf("%s: a message is missing: %+v", pr.Field, pr)
				}
			}
			if !slices.Equal(fields, tc.want) && (len(fields) > 0 || len(tc.want) > 0) {
				t.Errorf("fields %q, want %q; problems: %v", fields, tc.want, problems)
			}
		})
	}
}
