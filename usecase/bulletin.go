package usecase

import (
	"context"
	"strings"
	"time"

	"junheng/progress"
	"junheng/report"
	"junheng/vocab"
)

// Bulletin is the progress bulletin of a year (定期通报): every district's stage, timeliness, latest verdict and
// findings, and the share meeting the standard against the year's target. A year not opened is NotFound.
func (c *Core) Bulletin(ctx context.Context, a Actor, year int) (report.Bulletin, error) {
	if err := c.may(ctx, a, "", overseers...); err != nil {
		return report.Bulletin{}, err
	}
	rows, err := c.Overview(ctx, a, year)
	if err != nil {
		return report.Bulletin{}, err
	}
	subs, err := c.store.LatestSubmissions(ctx, year)
	if err != nil {
		return report.Bulletin{}, err
	}
	goal, _ := progress.Target(c.rulesOf(a.Unit).Progress.Targets, year) // 0 before the first target year
	b := report.Bulletin{Year: year, GeneratedAt: time.Now().In(c.loc), Districts: len(rows),
		Stages: map[string]int{}, Target: goal, Rows: make([]report.BulletinRow, 0, len(rows))}
	for _, r := range rows {
		row := report.BulletinRow{District: r.DistrictCode, DistrictName: r.DistrictName, Stage: r.Stage,
			Late: r.SubmittedLate, Overdue: r.Overdue(), Verdict: r.Verdict, ShortIndicators: []string{},
			Findings: r.Findings}
		if keys := subs[r.DistrictCode].ShortfallKeys; keys != "" {
			row.ShortIndicators = strings.Split(keys, ",")
		}
		b.Stages[r.Stage]++
		certified := r.Stage == string(vocab.StageCertified)
		if certified {
			b.Certified++
		}
		if progress.MeetsOrCertified(r.Verdict, certified) {
			b.Meeting++
		}
		b.Rows = append(b.Rows, row)
	}
	b.MeetingShare = progress.MeetingShare(b.Meeting, b.Districts)
	b.TargetMet = progress.TargetMet(b.Meeting, b.Districts, b.Target)
	return b, nil
}
