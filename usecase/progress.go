package usecase

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"junheng/evaluation"
	"junheng/progress"
	"junheng/store"
	"junheng/vocab"
)

// overseers see the city as a whole: its bulletin, its multi-year report, its accountability list.
var overseers = []vocab.Role{vocab.RoleAdmin, vocab.RoleOffice, vocab.RoleProvince}

// maxReportYears bounds a report's span: every year costs a decoded evaluation per district.
const maxReportYears = 20

// Years is the span of a multi-year report. A zero bound is the default: the years that have cycles, at most the
// last ten.
type Years struct {
	From, To int
	// Malformed is what the face could not read (a year), answered with the core's own problems.
	Malformed Fields
}

// ReportYears reads a report's span as a face receives it ("" for a default bound); a bound that is not a year
// from 2000 to 2100 is answered with the core's own problems (Malformed).
func ReportYears(from, to string) Years {
	var y Years
	for field, v := range map[string]string{"from": from, "to": to} {
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 2000 || n > 2100 {
			y.Malformed.Add(field, "年度应为 2000 至 2100 之间的整数", "must be a year from 2000 to 2100")
			continue
		}
		if field == "from" {
			y.From = n
		} else {
			y.To = n
		}
	}
	slices.SortFunc(y.Malformed, func(a, b evaluation.Problem) int { return cmp.Compare(a.Field, b.Field) })
	return y
}

// span resolves y's defaults and checks it: from no later than to, at most maxReportYears years.
func (c *Core) span(ctx context.Context, y Years) (from, to int, err error) {
	first, last, err := c.store.CycleYears(ctx)
	if err != nil {
		return 0, 0, err
	}
	if last == 0 {
		first, last = time.Now().In(c.loc).Year(), time.Now().In(c.loc).Year()
	}
	from, to = cmp.Or(y.From, max(first, last-9)), cmp.Or(y.To, last)
	f := y.Malformed
	switch {
	case len(f) > 0:
	case from > to:
		f.Add("from", "起始年度不能晚于截止年度", "from must not be after to")
	case to-from+1 > maxReportYears:
		f.Add("from", fmt.Sprintf("报告最多跨 %d 个年度", maxReportYears),
			fmt.Sprintf("a report spans at most %d years", maxReportYears))
	}
	return from, to, f.Err()
}

// DistrictProgress is a district's multi-year report: its plan, its progress year by year against the seed's
// targets and its plan, and its school ledger across the years.
func (c *Core) DistrictProgress(ctx context.Context, a Actor, district string, y Years,
) (progress.DistrictReport, error) {
	var r progress.DistrictReport
	if err := c.may(ctx, a, district); err != nil {
		return r, err
	}
	dist, err := c.store.District(ctx, district)
	if errors.Is(err, store.ErrNotFound) {
		return r, ErrNotFound
	} else if err != nil {
		return r, err
	}
	from, to, err := c.span(ctx, y)
	if err != nil {
		return r, err
	}
	ds, err := c.districtYears(ctx, "", district, from, to)
	if err != nil {
		return r, err
	}
	hd := ds[0]
	r = progress.NewDistrictReport(hd, from, to, c.rulesOf(dist.CityCode).Progress, time.Now().In(c.loc))
	p, err := c.store.Plan(ctx, district)
	switch {
	case err == nil:
		r.Plan = &progress.PlanInfo{
			Status: p.Status, Version: p.Version, ApprovedVersion: p.ApprovedVersion, Approved: hd.Plan,
		}
	case !errors.Is(err, store.ErrNotFound):
		return r, err
	}
	return r, nil
}

// SchoolLedger is a district's school ledger across the years (逐校工作台账), of one school when school is not "".
func (c *Core) SchoolLedger(ctx context.Context, a Actor, district string, y Years, school string,
) ([]progress.SchoolLedger, error) {
	r, err := c.DistrictProgress(ctx, a, district, y)
	if err != nil || school == "" {
		return r.Schools, err
	}
	return slices.DeleteFunc(r.Schools, func(l progress.SchoolLedger) bool { return l.Code != school }), nil
}

// CityProgress is the city's multi-year report: the city against its targets by year, the districts at risk,
// and every district's progress.
func (c *Core) CityProgress(ctx context.Context, a Actor, y Years) (progress.CityReport, error) {
	if err := c.may(ctx, a, "", overseers...); err != nil {
		return progress.CityReport{}, err
	}
	from, to, err := c.span(ctx, y)
	if err != nil {
		return progress.CityReport{}, err
	}
	ds, err := c.districtYears(ctx, a.Unit, "", from, to)
	if err != nil {
		return progress.CityReport{}, err
	}
	return progress.NewCityReport(ds, yearsFrom(from, to), c.rulesOf(a.Unit).Progress, time.Now().In(c.loc)), nil
}

func yearsFrom(from, to int) []int {
	years := make([]int, 0, to-from+1)
	for y := from; y <= to; y++ {
		years = append(years, y)
	}
	return years
}

// districtYears reads the districts' years from the read model, one district (only) or all under unit: every year
// from..to, submitted or not, and the year before as the baseline of from's year-on-year measures (callers leave
// it out of what they show). Each year's evaluation is of its newest submitted version. Five queries whatever
// the number of districts and years, and one more for every thousand evaluations the store's cache lacks.
func (c *Core) districtYears(ctx context.Context, unit, only string, from, to int) ([]progress.District, error) {
	subs, err := c.store.ReportSubmissions(ctx, store.NewestVersions, cmp.Or(only, unit), from-1, to)
	if err != nil {
		return nil, err
	}
	return c.histories(ctx, unit, only, from, to, subs)
}

// publishedYears is districtYears of every district for what the city may publish: each year's evaluation is of
// the version the office accepted, never one the district submitted since.
func (c *Core) publishedYears(ctx context.Context, from, to int) ([]progress.District, error) {
	subs, err := c.store.ReportSubmissions(ctx, store.ReviewedVersions, "", from-1, to)
	if err != nil {
		return nil, err
	}
	return c.histories(ctx, "", "", from, to, subs)
}

// histories assembles the histories of the districts under unit ("" for all) from the chosen submissions.
func (c *Core) histories(ctx context.Context, unit, only string, from, to int, subs []store.Submission,
) ([]progress.District, error) {
	ds, err := c.store.Districts(ctx, unit)
	if err != nil {
		return nil, err
	}
	// Cycles from the beginning: a district certified before the span is still certified in it.
	cycles, err := c.store.CyclesBetween(ctx, only, 0, to)
	if err != nil {
		return nil, err
	}
	plans, err := c.store.ApprovedPlans(ctx)
	if err != nil {
		return nil, err
	}
	rows := progress.Rows{Plans: map[string][]progress.PlanRow{}}
	for _, d := range ds {
		rows.Districts = append(rows.Districts, progress.DistrictRow{Code: d.Code, Name: d.Name})
	}
	for _, cy := range cycles {
		rows.Cycles = append(rows.Cycles, progress.CycleRow{Year: cy.Year, DistrictCode: cy.DistrictCode,
			Certified: cy.Stage == string(vocab.StageCertified), SelfAssessmentDeadline: cy.SelfAssessmentDeadline,
			ReviewedVersion: cy.ReviewedVersion})
	}
	for _, sub := range subs {
		rows.Submissions = append(rows.Submissions, progress.SubmissionRow{Year: sub.Year,
			DistrictCode: sub.DistrictCode, Data: sub.Data, Evaluation: sub.Evaluation})
	}
	for code, versions := range plans {
		for _, v := range versions {
			rows.Plans[code] = append(rows.Plans[code], progress.PlanRow{Plan: v.Plan, DecidedAt: v.DecidedAt})
		}
	}
	return progress.History(rows, only, from, to, time.Now().In(c.loc)), nil
}
