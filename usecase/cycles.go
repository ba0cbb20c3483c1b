package usecase

import (
	"context"
	"errors"
	"time"

	"junheng/evaluation"
	"junheng/store"
	"junheng/vocab"
	"junheng/workflows"
)

// CycleView is one district's year: the workflow state as mirrored, the evaluation of the latest submission,
// its findings (with open ones carried over from earlier years) and its history.
type CycleView struct {
	State      workflows.CycleState `json:"state"`
	Evaluation *evaluation.Result   `json:"evaluation,omitempty"`
	Findings   []store.Finding      `json:"findings"`
	History    []store.AuditEvent   `json:"history"`
}

// Cycle is a district's year as a may see it.
func (c *Core) Cycle(ctx context.Context, a Actor, year int, district string) (CycleView, error) {
	var v CycleView
	cy, err := c.cycle(ctx, a, year, district)
	if err != nil {
		return v, err
	}
	v.State = cy.State
	if sub, err := c.store.LatestSubmission(ctx, year, district); err == nil {
		v.Evaluation = &sub.Evaluation
	} else if !errors.Is(err, store.ErrNotFound) {
		return v, err
	}
	if v.Findings, _, err = c.store.Findings(ctx,
		store.FindingFilter{Year: year, District: district, OpenFromEarlier: true}); err != nil {
		return v, err
	}
	v.History, err = c.History(ctx, a, vocab.CycleID(year, district))
	return v, err
}

// History is a cycle's or a finding's audit trail, whose target a may see. A district sees the changes made, not
// the attempts others were refused (which would name who probed its data).
func (c *Core) History(ctx context.Context, a Actor, target string) ([]store.AuditEvent, error) {
	f := store.AuditFilter{Target: target, Limit: 500}
	if a.Role == vocab.RoleDistrict {
		f.Outcome = "ok"
	}
	return c.store.Audit(ctx, f)
}

// cycle loads a district's year for a, who must have one of roles (none: any) and see the district.
func (c *Core) cycle(ctx context.Context, a Actor, year int, district string, roles ...vocab.Role,
) (store.Cycle, error) {
	if err := c.may(ctx, a, district, roles...); err != nil {
		return store.Cycle{}, err
	}
	cy, err := c.store.Cycle(ctx, year, district)
	if errors.Is(err, store.ErrNotFound) {
		return cy, ErrNotFound
	}
	return cy, err
}

// cycleAction runs Update name on a district's year for a, who must have one of roles, and answers the new state.
func (c *Core) cycleAction(ctx context.Context, a Actor, key string, year int, district string,
	roles []vocab.Role, name string, arg any,
) (workflows.CycleState, error) {
	var st workflows.CycleState
	if _, err := c.cycle(ctx, a, year, district, roles...); err != nil {
		return st, err
	}
	return st, c.act(ctx, a, key, vocab.CycleID(year, district), name, arg, &st)
}

// Submit submits the district's latest draft as an immutable version.
func (c *Core) Submit(ctx context.Context, a Actor, key string, year int, district string,
) (_ workflows.CycleState, err error) {
	defer c.refused(ctx, a, "submit", district, vocab.CycleID(year, district), &err)
	return c.cycleAction(ctx, a, key, year, district, []vocab.Role{vocab.RoleDistrict},
		workflows.UpdateSubmit, workflows.SubmitInput{Actor: a.workflow()})
}

// Apply applies for certification.
func (c *Core) Apply(ctx context.Context, a Actor, key string, year int, district string,
) (_ workflows.CycleState, err error) {
	defer c.refused(ctx, a, "apply", district, vocab.CycleID(year, district), &err)
	return c.cycleAction(ctx, a, key, year, district, []vocab.Role{vocab.RoleDistrict},
		workflows.UpdateApply, workflows.ApplyInput{Actor: a.workflow()})
}

// CycleRow is one district's line in a year's overview.
type CycleRow struct {
	store.Cycle
	DistrictName string              `json:"district_name"`
	Findings     store.FindingCounts `json:"findings"`
}

// Overdue says the deadline of the row's current stage has passed without the expected action.
func (r CycleRow) Overdue() bool {
	return workflows.Overdue(vocab.CycleStage(r.Stage), r.SelfAssessmentOverdue, r.ReviewOverdue)
}

// Deadline is the deadline of the row's current stage, zero once no deadline applies.
func (r CycleRow) Deadline() time.Time {
	switch vocab.CycleStage(r.Stage) {
	case vocab.StageSelfAssessment:
		return r.SelfAssessmentDeadline
	case vocab.StageCityReview:
		return r.CityReviewDeadline
	case vocab.StageRectification:
		return r.ApplicationDeadline
	}
	return time.Time{}
}

// Overview is a year's overview from the read model, one row per district (a district sees its own), in three
// queries in all. A year not opened is NotFound.
func (c *Core) Overview(ctx context.Context, a Actor, year int) ([]CycleRow, error) {
	cycles, err := c.store.Cycles(ctx, year)
	if err != nil {
		return nil, err
	}
	counts, err := c.store.FindingCountsByDistrict(ctx, year)
	if err != nil {
		return nil, err
	}
	names, err := c.reachable(ctx, a)
	if err != nil {
		return nil, err
	}
	if len(cycles) == 0 {
		return nil, ErrNotFound
	}
	rows := make([]CycleRow, 0, len(cycles))
	for _, cy := range cycles {
		if _, ok := names[cy.DistrictCode]; !ok {
			continue
		}
		rows = append(rows,
			CycleRow{Cycle: cy, DistrictName: names[cy.DistrictCode], Findings: counts[cy.DistrictCode]})
	}
	return rows, nil
}

// Review is the office's review of a submitted self-assessment.
type Review struct {
	Decision string    // approve | return
	Comment  string    // the reasons of a return
	Deadline time.Time // the new self-assessment deadline of a return
	// Shortfalls of the submitted evaluation to turn into findings; nil: all of them.
	Shortfalls *[]string
	Findings   []workflows.NewFinding // the office's own
	ReportText string                 // the feedback report, as text or a file
	ReportFile string
	// Malformed is what the face could not read (a date), answered with the core's own problems.
	Malformed Fields
}

// Review approves a submitted self-assessment, with findings and the feedback report, or returns it.
func (c *Core) Review(ctx context.Context, a Actor, key string, year int, district string, in Review,
) (_ workflows.CycleState, err error) {
	defer c.refused(ctx, a, "review", district, vocab.CycleID(year, district), &err)
	office := []vocab.Role{vocab.RoleOffice}
	if err := c.may(ctx, a, district, office...); err != nil {
		return workflows.CycleState{}, err
	}
	f := in.Malformed
	c.checkFile(ctx, a, &f, "report.file", in.ReportFile)
	if err := f.Err(); err != nil {
		return workflows.CycleState{}, err
	}
	arg := workflows.ReviewInput{Actor: a.workflow(), Decision: in.Decision, Comment: in.Comment,
		Deadline: in.Deadline, Findings: in.Findings, ReportText: in.ReportText, ReportFile: in.ReportFile}
	if in.Shortfalls != nil {
		arg.Shortfalls = append([]string{}, *in.Shortfalls...) // none, not all
	}
	return c.reported(ctx, a, key, year, district, office, workflows.UpdateReview, arg, in.ReportFile)
}

// Decision is the city's acceptance check or the province's result, with its report.
type Decision struct {
	Passed            bool
	RecommendNational bool
	Comment           string // the reasons of a fail
	ReportFile        string
}

// RecordAcceptance records the city's acceptance check (验收).
func (c *Core) RecordAcceptance(ctx context.Context, a Actor, key string, year int, district string, in Decision,
) (_ workflows.CycleState, err error) {
	defer c.refused(ctx, a, "acceptance", district, vocab.CycleID(year, district), &err)
	return c.decide(ctx, a, key, year, district, []vocab.Role{vocab.RoleOffice},
		workflows.UpdateRecordAcceptance, in)
}

// RecordProvinceResult records the province's result, by the province or by the office from its document.
func (c *Core) RecordProvinceResult(ctx context.Context, a Actor, key string, year int, district string,
	in Decision,
) (_ workflows.CycleState, err error) {
	defer c.refused(ctx, a, "province_result", district, vocab.CycleID(year, district), &err)
	return c.decide(ctx, a, key, year, district, []vocab.Role{vocab.RoleProvince, vocab.RoleOffice},
		workflows.UpdateRecordProvinceResult, in)
}

func (c *Core) decide(ctx context.Context, a Actor, key string, year int, district string, roles []vocab.Role,
	name string, in Decision,
) (workflows.CycleState, error) {
	if err := c.may(ctx, a, district, roles...); err != nil {
		return workflows.CycleState{}, err
	}
	var f Fields
	c.checkFile(ctx, a, &f, "report_file", in.ReportFile)
	if err := f.Err(); err != nil {
		return workflows.CycleState{}, err
	}
	return c.reported(ctx, a, key, year, district, roles, name, workflows.DecisionInput{Actor: a.workflow(),
		Passed: in.Passed, RecommendNational: in.RecommendNational, Comment: in.Comment, ReportFile: in.ReportFile},
		in.ReportFile)
}

// reported is cycleAction for an action that attaches a report file: the district may read the file only once
// the workflow has accepted the action, so a refused one shares nothing. Should sharing fail, the error lets a
// retry with the same key get the Update's one result and share again.
func (c *Core) reported(ctx context.Context, a Actor, key string, year int, district string, roles []vocab.Role,
	name string, arg any, file string,
) (workflows.CycleState, error) {
	st, err := c.cycleAction(ctx, a, key, year, district, roles, name, arg)
	if err != nil {
		return st, err
	}
	return st, c.shareFile(ctx, file, district)
}
