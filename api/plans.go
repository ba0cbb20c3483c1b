package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"junheng/progress"
	"junheng/store"
	"junheng/usecase"
	"junheng/workflows"
)

// creationPlanRequest is a district's creation plan (创建方案) with its responsibility letter (责任书).
type creationPlanRequest struct {
	progress.Plan
	ResponsibilityFile string `json:"responsibility_file"`
	Note               string `json:"note"`
}

type planReviewRequest struct {
	Version  int    `json:"version"` // the version reviewed: the district may have submitted another since
	Approved bool   `json:"approved"`
	Comment  string `json:"comment"`
}

// planDetail is a district's plan as the read model has it: where it stands and every version.
type planDetail struct {
	store.Plan
	Versions []planVersion `json:"versions"`
}

type planVersion struct {
	store.PlanVersion
	Plan progress.Plan `json:"plan"`
}

// submitPlan sends a district's plan, the first one or a revision. The plan's workflow is started by its first
// submission (update-with-start), so there is nothing for the office to open beforehand.
func (s *Server) submitPlan(c echo.Context) error {
	req, err := bind[creationPlanRequest](c)
	if err != nil {
		return err
	}
	var errs usecase.Fields
	for _, p := range req.Plan.Validate(progress.IndicatorKeys(s.profile)) {
		errs = append(errs, p)
	}
	errs.Required("responsibility_file", req.ResponsibilityFile)
	s.checkFile(c, &errs, "responsibility_file", req.ResponsibilityFile)
	if len([]rune(req.Note)) > 2000 {
		errs.Add("note", "说明不超过 2000 字", "note is longer than 2000 characters")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	code := c.Param("code")
	start, err := s.planStart(c, code, false)
	if err != nil {
		return err
	}
	var st workflows.PlanState
	in := workflows.PlanSubmission{
		Actor: actor(c), Plan: req.Plan, ResponsibilityFile: req.ResponsibilityFile, Note: req.Note,
	}
	if err := s.actStarting(c, start, workflows.PlanID(code), workflows.UpdateSubmitPlan, in, &st); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

func (s *Server) reviewPlan(c echo.Context) error {
	req, err := bind[planReviewRequest](c)
	if err != nil {
		return err
	}
	var errs usecase.Fields
	if req.Version < 1 {
		errs.Add("version", "须注明审核的方案版本", "version (the one reviewed) is required")
	}
	if len([]rune(req.Comment)) > 2000 {
		errs.Add("comment", "意见不超过 2000 字", "comment is longer than 2000 characters")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	code := c.Param("code")
	start, err := s.planStart(c, code, true)
	if err != nil {
		return err
	}
	var st workflows.PlanState
	in := workflows.PlanReview{Actor: actor(c), Version: req.Version, Approved: req.Approved, Comment: req.Comment}
	if err := s.actStarting(c, start, workflows.PlanID(code), workflows.UpdateReviewPlan, in, &st); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

// planStart is the start of a district's plan workflow for an Update that finds none running: the district's first
// submission, or any action on a plan whose run has closed (an operator terminated it, say), which starts again
// from the read model, never empty. With existing, a district without a plan is not found.
func (s *Server) planStart(
	c echo.Context, code string, existing bool,
) (func() client.WithStartWorkflowOperation, error) {
	params := workflows.PlanParams{District: code}
	switch row, err := s.store.Plan(c.Request().Context(), code); {
	case err == nil:
		params.State = new(workflows.PlanState)
		if err := json.Unmarshal([]byte(row.State), params.State); err != nil {
			return nil, err
		}
	case !errors.Is(err, store.ErrNotFound) || existing:
		return nil, err
	}
	return func() client.WithStartWorkflowOperation {
		return s.temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{ID: workflows.PlanID(code),
			TaskQueue: workflows.TaskQueue, WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING},
			workflows.WorkflowCreationPlan, params)
	}, nil
}

// getPlan is a district's plan with its whole history, from the read model.
func (s *Server) getPlan(c echo.Context) error {
	ctx, code := c.Request().Context(), c.Param("code")
	p, err := s.store.Plan(ctx, code)
	if err != nil {
		return err
	}
	versions, err := s.store.PlanVersions(ctx, code)
	if err != nil {
		return err
	}
	out := planDetail{Plan: p, Versions: make([]planVersion, len(versions))}
	for i, v := range versions {
		out.Versions[i].PlanVersion = v
		if err := json.Unmarshal([]byte(v.Plan), &out.Versions[i].Plan); err != nil {
			return err
		}
	}
	return c.JSON(http.StatusOK, out)
}
