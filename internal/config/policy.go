package config

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"junheng/progress"
	"junheng/workflows"
)

// Policy is the deployment's rules of the yearly cycle, read from the JUNHENG_POLICY file (YAML or JSON, every
// key optional; a key left out keeps seed 002's default):
//
//	calendar: {self_assessment: "12-31", city_review: "03-31", application: "05-31"}
//	late_self_assessment: accept        # or close: no submissions after the deadline, the year ends not applied
//	district_reminder_days: [30, 7, 1]  # before the self-assessment and application deadlines
//	office_reminder_days: [7, 1]        # before the review deadline
//	item_reminder_days: [7, 1]          # before a finding's due date
//	escalation_interval_days: 7         # reminders to the district while an item is overdue and escalated
//	plan_within_days: 30                # a rectification plan is due this long after the finding
//	max_rectification_days: 365         # how far a plan or an extension may set the due date
//	targets: {2023: 0.30, 2025: 1.0}    # share of districts meeting the standard, by year
//	bring_up_share: 0.25                # of last year's non-compliant schools to comply each year
//	oversized_reduction: 0.25           # yearly reduction of schools over the size limit
//	eliminate_by: 2025                  # no oversized school and no class over the limit from this year
//	public:                             # the public summary page (/public/summary), off by default
//	  enabled: false
//	  title: "某市义务教育优质均衡发展创建进展"
//	  sections: [city_targets, certified_districts]   # and/or district_results
//	cities:                             # none by default: a city's keys override the province's (above)
//	  370200:                           # the city's code
//	    calendar: {self_assessment: "11-30"}
//	    targets: {2024: 0.5, 2025: 1.0}
//
// The top level is the province's rules; a city under cities takes them and overrides the keys it names, any key
// of the top level but public.
type Policy struct {
	Rules
	Public progress.Publication
	// Cities are the rules of the cities listed under cities, by city code, each complete.
	Cities map[string]Rules
}

// Rules are the rules a district's year opens with: the province's, or its city's.
type Rules struct {
	Calendar workflows.Calendar
	Workflow workflows.Policy
	Progress progress.Rules
}

// rulesFile is a block of rules: the file's top level, and a city's overrides of it.
type rulesFile struct {
	Calendar struct {
		SelfAssessment string `yaml:"self_assessment"`
		CityReview     string `yaml:"city_review"`
		Application    string `yaml:"application"`
	} `yaml:"calendar"`
	LateSelfAssessment     string          `yaml:"late_self_assessment"`
	DistrictReminderDays   []int           `yaml:"district_reminder_days"`
	OfficeReminderDays     []int           `yaml:"office_reminder_days"`
	ItemReminderDays       []int           `yaml:"item_reminder_days"`
	EscalationIntervalDays int             `yaml:"escalation_interval_days"`
	PlanWithinDays         int             `yaml:"plan_within_days"`
	MaxRectificationDays   int             `yaml:"max_rectification_days"`
	Targets                map[int]float64 `yaml:"targets"`
	BringUpShare           *float64        `yaml:"bring_up_share"`
	OversizedReduction     *float64        `yaml:"oversized_reduction"`
	EliminateBy            *int            `yaml:"eliminate_by"`
}

type policyFile struct {
	rulesFile `yaml:",inline"`
	Public    struct {
		Enabled  bool     `yaml:"enabled"`
		Title    string   `yaml:"title"`
		Sections []string `yaml:"sections"`
	} `yaml:"public"`
	Cities map[string]rulesFile `yaml:"cities"`
}

// cityCode is a city's code: its province's two digits, its own two (not 00), then 00.
var cityCode = regexp.MustCompile(`^[1-9][0-9](0[1-9]|[1-9][0-9])00$`)

// LoadPolicy reads the policy file at path; an empty path gives the defaults.
func LoadPolicy(path string) (Policy, error) {
	p := Policy{Rules: Rules{Calendar: workflows.DefaultCalendar, Workflow: workflows.DefaultPolicy(),
		Progress: progress.DefaultRules()}, Public: progress.DefaultPublication()}
	if path == "" {
		return p, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return p, fmt.Errorf("JUNHENG_POLICY: %w", err)
	}
	if err := p.parse(data); err != nil {
		return p, fmt.Errorf("JUNHENG_POLICY %s: %w", path, err)
	}
	return p, nil
}

func (p *Policy) parse(data []byte) error {
	var f policyFile
	dec := yaml.NewDecoder(bytes.NewReader(data)) // YAML is a superset of JSON
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return err
	}
	if err := p.Rules.parse(f.rulesFile); err != nil {
		return err
	}
	// Sorted, so that of several faults the same one is reported each time.
	for _, code := range slices.Sorted(maps.Keys(f.Cities)) {
		if !cityCode.MatchString(code) {
			return fmt.Errorf("cities.%s: not a city's code (six digits ending in 00, like 370200)", code)
		}
		city := p.Rules // the province's, whatever the order of the file's keys
		if err := city.parse(f.Cities[code]); err != nil {
			return fmt.Errorf("cities.%s.%w", code, err)
		}
		if p.Cities == nil {
			p.Cities = map[string]Rules{}
		}
		p.Cities[code] = city
	}
	return p.parsePublic(f)
}

// parse sets the rules f names over r; its errors begin with the key's path in f.
func (r *Rules) parse(f rulesFile) error {
	for field, s := range map[string]struct {
		value string
		dst   *workflows.MonthDay
	}{
		"calendar.self_assessment": {f.Calendar.SelfAssessment, &r.Calendar.SelfAssessment},
		"calendar.city_review":     {f.Calendar.CityReview, &r.Calendar.CityReview},
		"calendar.application":     {f.Calendar.Application, &r.Calendar.Application},
	} {
		if s.value == "" {
			continue
		}
		md, err := workflows.ParseMonthDay(s.value)
		if err != nil {
			return fmt.Errorf("%s: %w", field, err)
		}
		*s.dst = md
	}
	switch f.LateSelfAssessment {
	case "":
	case "accept", "close": // accept too, over a province that closes
		r.Workflow.AcceptLateSelfAssessment = f.LateSelfAssessment == "accept"
	default:
		return fmt.Errorf("late_self_assessment: %q is not accept or close", f.LateSelfAssessment)
	}
	for field, s := range map[string]struct {
		days []int
		dst  *[]time.Duration
	}{
		"district_reminder_days": {f.DistrictReminderDays, &r.Workflow.DistrictReminders},
		"office_reminder_days":   {f.OfficeReminderDays, &r.Workflow.OfficeReminders},
		"item_reminder_days":     {f.ItemReminderDays, &r.Workflow.ItemReminders},
	} {
		if s.days == nil {
			continue
		}
		*s.dst = nil // a new slice: the province's may be shared with its cities
		for i, d := range s.days {
			if d < 1 || d > 366 {
				return fmt.Errorf("%s[%d]: %d is not a number of days from 1 to 366", field, i, d)
			}
			*s.dst = append(*s.dst, time.Duration(d)*24*time.Hour)
		}
	}
	for field, s := range map[string]struct {
		days int
		dst  *time.Duration
	}{
		"escalation_interval_days": {f.EscalationIntervalDays, &r.Workflow.EscalationInterval},
		"plan_within_days":         {f.PlanWithinDays, &r.Workflow.PlanWithin},
		"max_rectification_days":   {f.MaxRectificationDays, &r.Workflow.MaxRectification},
	} {
		switch {
		case s.days == 0:
		case s.days < 1 || s.days > 3660:
			return fmt.Errorf("%s: %d is not a number of days from 1 to 3660", field, s.days)
		default:
			*s.dst = time.Duration(s.days) * 24 * time.Hour
		}
	}
	if f.Targets != nil {
		for y, share := range f.Targets {
			if y < 2000 || y > 2200 || share < 0 || share > 1 {
				return fmt.Errorf("targets: %d: %v must be a year and a share from 0 to 1", y, share)
			}
		}
		r.Progress.Targets = f.Targets // all of them: a city's targets replace the province's
	}
	for field, s := range map[string]struct {
		share *float64
		dst   *float64
	}{
		"bring_up_share":      {f.BringUpShare, &r.Progress.BringUpShare},
		"oversized_reduction": {f.OversizedReduction, &r.Progress.OversizedReduction},
	} {
		if s.share == nil {
			continue
		}
		if *s.share < 0 || *s.share > 1 {
			return fmt.Errorf("%s: %v is not a share from 0 to 1", field, *s.share)
		}
		*s.dst = *s.share
	}
	if y := f.EliminateBy; y != nil {
		if *y < 2000 || *y > 2200 {
			return fmt.Errorf("eliminate_by: %d is not a year", *y)
		}
		r.Progress.EliminateBy = *y
	}
	return nil
}

func (p *Policy) parsePublic(f policyFile) error {
	p.Public.Enabled = f.Public.Enabled
	if f.Public.Title != "" {
		p.Public.Title = f.Public.Title
	}
	if f.Public.Sections != nil {
		for i, sec := range f.Public.Sections {
			if !slices.Contains(progress.Sections, sec) {
				return fmt.Errorf("public.sections[%d]: %q is not one of %s", i, sec,
					strings.Join(progress.Sections, ", "))
			}
		}
		p.Public.Sections = f.Public.Sections
	}
	return nil
}
