package workflows

import (
	"fmt"
	"time"
)

// Deadlines of one cycle. Each is the instant the deadline passes: "by 31 December" is 1 January 00:00 in the
// deployment's time zone. Opening a cycle may override any of them with explicit timestamps (drills, tests).
type Deadlines struct {
	SelfAssessment time.Time `json:"self_assessment"`
	CityReview     time.Time `json:"city_review"`
	Application    time.Time `json:"application"`
}

// MonthDay is a calendar date without a year, the last day on which something is on time.
type MonthDay struct {
	Month time.Month
	Day   int
}

// ParseMonthDay reads "MM-DD".
func ParseMonthDay(s string) (MonthDay, error) {
	var m, d int
	if _, err := fmt.Sscanf(s, "%d-%d", &m, &d); err != nil || m < 1 || m > 12 || d < 1 ||
		d > time.Date(2024, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return MonthDay{}, fmt.Errorf("%q is not a month-day such as 12-31", s)
	}
	return MonthDay{time.Month(m), d}, nil
}

// Calendar is the deployment's deadline rule: self-assessment in the cycle year, review and application in the
// next year (seed 002: 31 December, 31 March, 31 May).
type Calendar struct {
	SelfAssessment, CityReview, Application MonthDay
}

// DefaultCalendar is seed 002's calendar.
var DefaultCalendar = Calendar{
	SelfAssessment: MonthDay{time.December, 31},
	CityReview:     MonthDay{time.March, 31},
	Application:    MonthDay{time.May, 31},
}

// Deadlines computes a year's deadlines in loc.
func (c Calendar) Deadlines(year int, loc *time.Location) Deadlines {
	end := func(y int, md MonthDay) time.Time { return time.Date(y, md.Month, md.Day+1, 0, 0, 0, 0, loc) }
	return Deadlines{
		SelfAssessment: end(year, c.SelfAssessment),
		CityReview:     end(year+1, c.CityReview),
		Application:    end(year+1, c.Application),
	}
}

// Policy holds the configurable limits and reminder schedules (provinces differ).
type Policy struct {
	// Reminders before the self-assessment and application deadlines (default 30, 7 and 1 days).
	DistrictReminders []time.Duration `json:"district_reminders"`
	// Reminders to the office before its review deadline.
	OfficeReminders []time.Duration `json:"office_reminders"`
	// AcceptLateSelfAssessment keeps accepting (marked late) after the deadline; false closes the year.
	AcceptLateSelfAssessment bool `json:"accept_late_self_assessment"`
	// PlanWithin is how long a district has to give a rectification plan (written report within 30 days).
	PlanWithin time.Duration `json:"plan_within"`
	// MaxRectification bounds how far a plan or an extension may set the due date.
	MaxRectification time.Duration `json:"max_rectification"`
	// ItemReminders before an item's due date (default 7 and 1 days).
	ItemReminders []time.Duration `json:"item_reminders"`
	// EscalationInterval repeats reminders to the district once an item is overdue and escalated.
	EscalationInterval time.Duration `json:"escalation_interval"`
}

const day = 24 * time.Hour

// DefaultPolicy follows STANDARD.md section 2.
func DefaultPolicy() Policy {
	return Policy{
		DistrictReminders:        []time.Duration{30 * day, 7 * day, day},
		OfficeReminders:          []time.Duration{7 * day, day},
		AcceptLateSelfAssessment: true,
		PlanWithin:               30 * day,
		MaxRectification:         365 * day,
		ItemReminders:            []time.Duration{7 * day, day},
		EscalationInterval:       7 * day,
	}
}
