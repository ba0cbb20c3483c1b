package web

import (
	"time"
)

// The API's JSON as the pages read it (see api/*.go); only the fields shown are declared.

type counts struct {
	Open        int `json:"open"`
	Closed      int `json:"closed"`
	Overdue     int `json:"overdue"`
	Escalated   int `json:"escalated"`
	CarriedOver int `json:"carried_over"`
}

type cycleRow struct {
	Year                   int       `json:"year"`
	DistrictCode           string    `json:"district_code"`
	DistrictName           string    `json:"district_name"`
	Stage                  string    `json:"stage"`
	SelfAssessmentDeadline time.Time `json:"self_assessment_deadline"`
	CityReviewDeadline     time.Time `json:"city_review_deadline"`
	ApplicationDeadline    time.Time `json:"application_deadline"`
	Verdict                string    `json:"verdict"`
	SubmittedLate          bool      `json:"submitted_late"`
	SelfAssessmentOverdue  bool      `json:"self_assessment_overdue"`
	ReviewOverdue          bool      `json:"review_overdue"`
	Findings               counts    `json:"findings"`
}

// Deadline is the deadline of the row's current stage (zero once no deadline applies).
func (c cycleRow) Deadline() time.Time {
	switch c.Stage {
	case "self_assessment":
		return c.SelfAssessmentDeadline
	case "city_review":
		return c.CityReviewDeadline
	case "rectification":
		return c.ApplicationDeadline
	}
	return time.Time{}
}

// DaysLeft counts whole days to the deadline; negative when it has passed.
func (c cycleRow) DaysLeft() int {
	d := c.Deadline()
	if d.IsZero() {
		return 0
	}
	return int(time.Until(d).Hours() / 24)
}

func (c cycleRow) Overdue() bool {
	return (c.Stage == "self_assessment" && c.SelfAssessmentOverdue) || (c.Stage == "city_review" && c.ReviewOverdue)
}

type bulletin struct {
	Year         int            `json:"year"`
	GeneratedAt  time.Time      `json:"generated_at"`
	Districts    int            `json:"districts"`
	Meeting      int            `json:"meeting"`
	Certified    int            `json:"certified"`
	MeetingShare float64        `json:"meeting_share"`
	Target       float64        `json:"target"`
	TargetMet    bool           `json:"target_met"`
	Stages       map[string]int `json:"stages"`
	Rows         []struct {
		District        string   `json:"district"`
		DistrictName    string   `json:"district_name"`
		Stage           string   `json:"stage"`
		Late            bool     `json:"late"`
		Overdue         bool     `json:"overdue"`
		Verdict         string   `json:"verdict"`
		ShortIndicators []string `json:"short_indicators"`
		Findings        counts   `json:"findings"`
	} `json:"rows"`
}

type notification struct {
	Year    int        `json:"year"`
	Target  string     `json:"target"`
	TitleZh string     `json:"title_zh"`
	TitleEn string     `json:"title_en"`
	At      time.Time  `json:"created_at"`
	ReadAt  *time.Time `json:"read_at"`
}

// stages lists the stages in the order of the year, for the funnel.
var stages = []string{"self_assessment", "city_review", "rectification", "city_acceptance", "province_review",
	"certified", "not_certified", "not_applied"}
