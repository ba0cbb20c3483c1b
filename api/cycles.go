package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"golang.org/x/sync/errgroup"

	"junheng/store"
	"junheng/usecase"
	"junheng/workflows"
)

type deadlinesRequest struct {
	SelfAssessment string `json:"self_assessment,omitempty"`
	CityReview     string `json:"city_review,omitempty"`
	Application    string `json:"application,omitempty"`
}

type openCyclesRequest struct {
	Year      int               `json:"year"`
	Deadlines *deadlinesRequest `json:"deadlines,omitempty"`
}

type openCyclesResponse struct {
	Year      int                 `json:"year"`
	Deadlines workflows.Deadlines `json:"deadlines"`
	Opened    []string            `json:"opened"`
	Existing  []string            `json:"existing"`
}

// openCycles starts the year's cycle for every registered district. Opening a year is claimed per district in
// the database, for good: a district whose year was started is listed as existing and never started again, even
// once Temporal has forgotten the finished run (namespace retention); a district added since gets its year.
func (s *Server) openCycles(c echo.Context) error {
	req, err := bind[openCyclesRequest](c)
	if err != nil {
		return err
	}
	var errs usecase.Fields
	if req.Year < 2000 || req.Year > 2200 {
		errs.Add("year", "年度无效", "year is out of range")
	}
	d := s.calendar.Deadlines(req.Year, s.loc)
	if o := req.Deadlines; o != nil {
		override := func(field, value string, dst *time.Time) {
			if t := s.core.When(&errs, "deadlines."+field, value); !t.IsZero() {
				*dst = t
			}
		}
		override("self_assessment", o.SelfAssessment, &d.SelfAssessment)
		override("city_review", o.CityReview, &d.CityReview)
		override("application", o.Application, &d.Application)
	}
	if !d.SelfAssessment.Before(d.CityReview) || !d.CityReview.Before(d.Application) {
		errs.Add("deadlines", "截止时间须依次为: 自评 < 市级评估 < 申请认定",
			"deadlines must run self_assessment < city_review < application")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	if _, err := s.temporal.CheckHealth(c.Request().Context(), &client.CheckHealthRequest{}); err != nil {
		s.log.Warn("Temporal unavailable", "error", err)
		return usecase.ErrUnavailable
	}
	ctx := c.Request().Context()
	districts, err := s.store.Districts(ctx)
	if err != nil {
		return err
	}
	codes := make([]string, len(districts))
	for i, dist := range districts {
		codes[i] = dist.Code
	}
	unstarted, err := s.store.ClaimCycles(ctx, req.Year, codes)
	if err != nil {
		return err
	}
	res := openCyclesResponse{Year: req.Year, Deadlines: d, Opened: []string{}, Existing: []string{}}
	var mu sync.Mutex
	ctx, cancel := context.WithTimeout(ctx, usecase.ActionTimeout)
	defer cancel()
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for _, dist := range districts {
		if !slices.Contains(unstarted, dist.Code) {
			res.Existing = append(res.Existing, dist.Code)
			continue
		}
		g.Go(func() error {
			started, err := s.startCycle(ctx, workflows.CycleParams{Year: req.Year, District: dist.Code,
				DistrictName: dist.Name, Deadlines: d, Policy: s.policy})
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			if started {
				res.Opened = append(res.Opened, dist.Code)
			} else {
				res.Existing = append(res.Existing, dist.Code)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return usecase.WorkflowError(err)
	}
	slices.Sort(res.Opened)
	slices.Sort(res.Existing)
	status := http.StatusOK
	if len(res.Opened) > 0 {
		status = http.StatusCreated
	}
	return c.JSON(status, res)
}

// startCycle starts a district's claimed year and marks the claim started, also when Temporal already runs it (an
// earlier attempt got that far). It shows the year in the read model at once, so that the district can see and
// use it as soon as the office has opened it.
func (s *Server) startCycle(ctx context.Context, p workflows.CycleParams) (bool, error) {
	_, err := s.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                                       workflows.CycleID(p.Year, p.District),
		TaskQueue:                                workflows.TaskQueue,
		WorkflowIDReusePolicy:                    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, workflows.WorkflowDistrictCycle, p)
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	started := !errors.As(err, &already)
	if started && err != nil {
		return false, err
	}
	if err := s.store.CycleStarted(ctx, p.Year, p.District); err != nil {
		return false, err
	}
	if !started {
		return false, nil
	}
	st := workflows.CycleState{Year: p.Year, District: p.District, DistrictName: p.DistrictName,
		Stage: workflows.StageSelfAssessment, Deadlines: p.Deadlines}
	state, err := json.Marshal(st)
	if err != nil {
		return true, err
	}
	return true, s.store.OpenCycle(ctx, &store.Cycle{Year: p.Year, DistrictCode: p.District, Stage: string(st.Stage),
		SelfAssessmentDeadline: p.Deadlines.SelfAssessment, CityReviewDeadline: p.Deadlines.CityReview,
		ApplicationDeadline: p.Deadlines.Application, State: string(state), UpdatedAt: time.Now().UTC()})
}

// cycleRow is one district's line in a year's overview.
type cycleRow struct {
	store.Cycle
	DistrictName string              `json:"district_name"`
	Findings     store.FindingCounts `json:"findings"`
}

// listCycles is the year's overview from the read model: one row per district, two queries in all.
func (s *Server) listCycles(c echo.Context) error {
	rows, err := s.yearRows(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rows)
}

func (s *Server) yearRows(c echo.Context) ([]cycleRow, error) {
	year, err := pathYear(c)
	if err != nil {
		return nil, err
	}
	ctx := c.Request().Context()
	cycles, err := s.store.Cycles(ctx, year)
	if err != nil {
		return nil, err
	}
	counts, err := s.store.FindingCountsByDistrict(ctx, year)
	if err != nil {
		return nil, err
	}
	names, err := s.districtNames(ctx)
	if err != nil {
		return nil, err
	}
	if len(cycles) == 0 {
		return nil, usecase.ErrNotFound
	}
	rows := make([]cycleRow, 0, len(cycles))
	for _, cy := range cycles {
		if seeDistrict(c, cy.DistrictCode) != nil {
			continue
		}
		rows = append(rows,
			cycleRow{Cycle: cy, DistrictName: names[cy.DistrictCode], Findings: counts[cy.DistrictCode]})
	}
	return rows, nil
}

func (s *Server) districtNames(ctx context.Context) (map[string]string, error) {
	ds, err := s.store.Districts(ctx)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(ds))
	for _, d := range ds {
		names[d.Code] = d.Name
	}
	return names, nil
}

func (s *Server) getCycle(c echo.Context) error {
	year, err := pathYear(c)
	if err != nil {
		return err
	}
	v, err := s.core.Cycle(c.Request().Context(), caller(c), year, c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// cycle loads the {year}/{code} cycle (scopeDistrict has checked the caller may see it), or answers 404.
func (s *Server) cycle(c echo.Context) (store.Cycle, error) {
	year, err := pathYear(c)
	if err != nil {
		return store.Cycle{}, err
	}
	cy, err := s.store.Cycle(c.Request().Context(), year, c.Param("code"))
	if errors.Is(err, store.ErrNotFound) {
		return cy, usecase.ErrNotFound
	}
	return cy, err
}

// scopeDistrict answers 404 before anything else when a district caller names another district in the path.
func scopeDistrict(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := seeDistrict(c, c.Param("code")); err != nil {
			return err
		}
		return next(c)
	}
}

// cycleAction runs an Update on the {year}/{code} cycle and answers with the new state. A report file the office
// attached (share) becomes readable by the district only once the workflow has accepted the action: a refused
// one shares nothing. Should sharing fail, the 5xx lets a retry with the same Idempotency-Key get the Update's
// one result and share again.
func (s *Server) cycleAction(c echo.Context, name string, arg any, share ...string) error {
	cy, err := s.cycle(c)
	if err != nil {
		return err
	}
	var st workflows.CycleState
	if err := s.act(c, workflows.CycleID(cy.Year, cy.DistrictCode), name, arg, &st); err != nil {
		return err
	}
	for _, id := range share {
		// The action stands even if the client has gone: so must its share.
		if err := s.shareFile(context.WithoutCancel(c.Request().Context()), id, cy.DistrictCode); err != nil {
			return err
		}
	}
	return c.JSON(http.StatusOK, st)
}

func (s *Server) submit(c echo.Context) error {
	return s.cycleStep(c, s.core.Submit)
}

func (s *Server) apply(c echo.Context) error {
	return s.cycleStep(c, s.core.Apply)
}

// cycleStep runs a district's step that takes nothing but the caller and answers the cycle's new state.
func (s *Server) cycleStep(c echo.Context,
	step func(context.Context, usecase.Actor, string, int, string) (workflows.CycleState, error),
) error {
	year, err := pathYear(c)
	if err != nil {
		return err
	}
	st, err := step(c.Request().Context(), caller(c), actionKey(c), year, c.Param("code"))
	if err := acted(c, err); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

type findingRequest struct {
	Title    string             `json:"title"`
	Detail   string             `json:"detail"`
	Source   workflows.Source   `json:"source"`
	Severity workflows.Severity `json:"severity"`
	DueDate  string             `json:"due_date,omitempty"`
}

type reportRequest struct {
	Text string `json:"text,omitempty"`
	File string `json:"file,omitempty"`
}

type reviewRequest struct {
	Decision string `json:"decision"`
	Comment  string `json:"comment"`
	Deadline string `json:"deadline,omitempty"`
	// Shortfalls of the submitted evaluation to turn into findings; absent = all of them.
	Shortfalls *[]string        `json:"shortfalls,omitempty"`
	Findings   []findingRequest `json:"findings,omitempty"`
	Report     *reportRequest   `json:"report,omitempty"`
}

func (s *Server) review(c echo.Context) error {
	req, err := bind[reviewRequest](c)
	if err != nil {
		return err
	}
	var errs usecase.Fields
	in := workflows.ReviewInput{Actor: actor(c), Decision: req.Decision, Comment: req.Comment,
		Deadline: s.core.When(&errs, "deadline", req.Deadline)}
	if req.Shortfalls != nil {
		in.Shortfalls = append([]string{}, *req.Shortfalls...)
	}
	for i, f := range req.Findings {
		in.Findings = append(in.Findings, workflows.NewFinding{Title: f.Title, Detail: f.Detail, Source: f.Source,
			Severity: f.Severity, DueDate: s.core.When(&errs, fieldIndex("findings", i, "due_date"), f.DueDate)})
	}
	if req.Report != nil {
		in.ReportText, in.ReportFile = req.Report.Text, req.Report.File
		s.checkFile(c, &errs, "report.file", in.ReportFile)
	}
	if err := errs.Err(); err != nil {
		return err
	}
	return s.cycleAction(c, workflows.UpdateReview, in, in.ReportFile)
}

type decisionRequest struct {
	Passed            bool   `json:"passed"`
	RecommendNational bool   `json:"recommend_national,omitempty"`
	Comment           string `json:"comment"`
	ReportFile        string `json:"report_file,omitempty"`
}

func (s *Server) decision(c echo.Context, name string) error {
	req, err := bind[decisionRequest](c)
	if err != nil {
		return err
	}
	var errs usecase.Fields
	s.checkFile(c, &errs, "report_file", req.ReportFile)
	if err := errs.Err(); err != nil {
		return err
	}
	return s.cycleAction(c, name, workflows.DecisionInput{Actor: actor(c), Passed: req.Passed,
		RecommendNational: req.RecommendNational, Comment: req.Comment, ReportFile: req.ReportFile}, req.ReportFile)
}

func (s *Server) acceptance(c echo.Context) error {
	return s.decision(c, workflows.UpdateRecordAcceptance)
}

func (s *Server) provinceResult(c echo.Context) error {
	return s.decision(c, workflows.UpdateRecordProvinceResult)
}
