package report

import (
	"io"
	"time"

	"junheng/store"
)

// Bulletin is the progress bulletin of a year (定期通报): every district's stage, timeliness, latest verdict and
// findings, and the share meeting the standard against the year's target. The API answers it as JSON; the pages
// decode that and print it with BulletinHTML.
type Bulletin struct {
	Year         int            `json:"year"`
	GeneratedAt  time.Time      `json:"generated_at"`
	Districts    int            `json:"districts"`
	Meeting      int            `json:"meeting"` // latest evaluation meets the standard, or certified
	Certified    int            `json:"certified"`
	MeetingShare float64        `json:"meeting_share"`
	Target       float64        `json:"target"`
	TargetMet    bool           `json:"target_met"`
	Stages       map[string]int `json:"stages"`
	Rows         []BulletinRow  `json:"rows"`
}

// BulletinRow is one district in the bulletin.
type BulletinRow struct {
	District        string              `json:"district"`
	DistrictName    string              `json:"district_name"`
	Stage           string              `json:"stage"`
	Late            bool                `json:"late"`    // submitted after the deadline
	Overdue         bool                `json:"overdue"` // a deadline of the current stage has passed
	Verdict         string              `json:"verdict"`
	ShortIndicators []string            `json:"short_indicators"`
	Findings        store.FindingCounts `json:"findings"`
}

var bulletinTemplate = parse("bulletin.html")

// BulletinHTML writes the bulletin as a printable page.
func BulletinHTML(w io.Writer, b Bulletin) error {
	return bulletinTemplate.Execute(w, b)
}
