package usecase

import (
	"context"
	"errors"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"junheng/progress"
	"junheng/store"
	"junheng/vocab"
	"junheng/workflows"
)

// CreationPlanView is a district's creation plan (创建方案) as the read model has it: where it stands and every
// version.
type CreationPlanView struct {
	store.Plan
	Versions []CreationPlanVersion `json:"versions"`
}

// CreationPlanVersion is one submitted version of the plan with the office's decision on it.
type CreationPlanVersion struct {
	store.PlanVersion
	Plan progress.Plan `json:"plan"`
}

// CreationPlanSubmission is a district's creation plan with its responsibility letter (责任书), a file it uploaded.
type CreationPlanSubmission struct {
	Plan               progress.Plan
	ResponsibilityFile string
	Note               string
}

// CreationPlanReview is the office's decision on the version it read: the district may have submitted another
// since.
type CreationPlanReview struct {
	Version  int
	Approved bool
	Comment  string
}

// maxPlanText bounds a plan's note and a review's comment, in characters.
const maxPlanText = 2000

// CreationPlan is a district's plan with its whole history, or ErrNotFound before its first submission.
func (c *Core) CreationPlan(ctx context.Context, a Actor, district string) (CreationPlanView, error) {
	var v CreationPlanView
	if err := c.may(ctx, a, district); err != nil {
		return v, err
	}
	p, err := c.store.Plan(ctx, district)
	if errors.Is(err, store.ErrNotFound) {
		return v, ErrNotFound
	}
	if err != nil {
		return v, err
	}
	versions, err := c.store.PlanVersions(ctx, district)
	if err != nil {
		return v, err
	}
	v = CreationPlanView{Plan: p, Versions: make([]CreationPlanVersion, len(versions))}
	for i, pv := range versions {
		v.Versions[i] = CreationPlanVersion{PlanVersion: pv, Plan: pv.Plan}
	}
	return v, nil
}

// SubmitCreationPlan submits the district's plan, the first one or a revision. The plan's workflow is started by
// its first submission (update-with-start), so there is nothing for the office to open beforehand.
func (c *Core) SubmitCreationPlan(ctx context.Context, a Actor, key, district string, in CreationPlanSubmission,
) (_ workflows.CreationPlanState, err error) {
	defer c.refused(ctx, a, "submit_plan", district, vocab.CreationPlanID(district), &err)
	var st workflows.CreationPlanState
	if err := c.may(ctx, a, district, vocab.RoleDistrict); err != nil {
		return st, err
	}
	f := Fields(in.Plan.Validate(progress.IndicatorKeys(c.profile)))
	f.Required("responsibility_file", in.ResponsibilityFile)
	c.checkFile(ctx, a, &f, "responsibility_file", in.ResponsibilityFile)
	if len([]rune(in.Note)) > maxPlanText {
		f.Add("note", "说明不超过 2000 字", "note is longer than 2000 characters")
	}
	if err := f.Err(); err != nil {
		return st, err
	}
	start, err := c.planStart(ctx, district, false)
	if err != nil {
		return st, err
	}
	return st, c.actStarting(ctx, a, key, start, vocab.CreationPlanID(district), workflows.UpdateSubmitPlan,
		workflows.PlanSubmission{Actor: a.workflow(), Plan: in.Plan, ResponsibilityFile: in.ResponsibilityFile,
			Note: in.Note}, &st)
}

// ReviewCreationPlan approves or returns the version awaiting the office's review.
func (c *Core) ReviewCreationPlan(ctx context.Context, a Actor, key, district string, in CreationPlanReview,
) (_ workflows.CreationPlanState, err error) {
	defer c.refused(ctx, a, "review_plan", district, vocab.CreationPlanID(district), &err)
	var st workflows.CreationPlanState
	if err := c.may(ctx, a, district, vocab.RoleOffice); err != nil {
		return st, err
	}
	var f Fields
	if in.Version < 1 {
		f.Add("version", "须注明审核的方案版本", "version (the one reviewed) is required")
	}
	if len([]rune(in.Comment)) > maxPlanText {
		f.Add("comment", "意见不超过 2000 字", "comment is longer than 2000 characters")
	}
	if err := f.Err(); err != nil {
		return st, err
	}
	start, err := c.planStart(ctx, district, true)
	if err != nil {
		return st, err
	}
	return st, c.actStarting(ctx, a, key, start, vocab.CreationPlanID(district), workflows.UpdateReviewPlan,
		workflows.PlanReview{Actor: a.workflow(), Version: in.Version, Approved: in.Approved, Comment: in.Comment},
		&st)
}

// planStart is the start of a district's plan workflow for an Update that finds none running: the district's first
// submission, or any action on a plan whose run has closed (an operator terminated it, say), which starts again
// from the read model, never empty. With existing, a district without a plan is not found.
func (c *Core) planStart(ctx context.Context, district string, existing bool,
) (func() client.WithStartWorkflowOperation, error) {
	params := workflows.CreationPlanParams{District: district}
	switch row, err := c.store.Plan(ctx, district); {
	case err == nil:
		params.State = &row.State
	case errors.Is(err, store.ErrNotFound) && existing:
		return nil, ErrNotFound
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	return func() client.WithStartWorkflowOperation {
		return c.temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
			ID: vocab.CreationPlanID(district), TaskQueue: workflows.TaskQueue,
			WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING},
			workflows.WorkflowCreationPlan, params)
	}, nil
}
