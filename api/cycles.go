package api

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"junheng/usecase"
	"junheng/vocab"
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

// openCycles opens the year for every registered district (usecase.Core.OpenYear): 201 when it opened any.
func (s *Server) openCycles(c echo.Context) error {
	req, err := bind[openCyclesRequest](c)
	if err != nil {
		return err
	}
	in := usecase.OpenYear{Year: req.Year}
	if o := req.Deadlines; o != nil {
		when := func(field, value string) time.Time { return s.core.When(&in.Malformed, "deadlines."+field, value) }
		in.Deadlines = workflows.Deadlines{SelfAssessment: when("self_assessment", o.SelfAssessment),
			CityReview: when("city_review", o.CityReview), Application: when("application", o.Application)}
	}
	res, err := s.core.OpenYear(c.Request().Context(), caller(c), in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if len(res.Opened) > 0 {
		status = http.StatusCreated
	}
	return c.JSON(status, res)
}

// listCycles is the year's overview as the caller may see it.
func (s *Server) listCycles(c echo.Context) error {
	year, err := pathYear(c)
	if err != nil {
		return err
	}
	rows, err := s.core.Overview(c.Request().Context(), caller(c), year)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rows)
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

// scopeDistrict answers 404 before anything else when the path names a district outside the caller's reach.
func (s *Server) scopeDistrict(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.seeDistrict(c, c.Param("code")); err != nil {
			return err
		}
		return next(c)
	}
}

func (s *Server) submit(c echo.Context) error {
	return s.cycleStep(c, s.core.Submit)
}

func (s *Server) apply(c echo.Context) error {
	return s.cycleStep(c, s.core.Apply)
}

// cycleStep runs a step on the {year}/{code} cycle, given all its input but the caller's, and answers the cycle's
// new state.
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
	Title    string         `json:"title"`
	Detail   string         `json:"detail"`
	Source   vocab.Source   `json:"source"`
	Severity vocab.Severity `json:"severity"`
	DueDate  string         `json:"due_date,omitempty"`
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
	in := usecase.Review{Decision: req.Decision, Comment: req.Comment, Shortfalls: req.Shortfalls}
	in.Deadline = s.core.When(&in.Malformed, "deadline", req.Deadline)
	for i, f := range req.Findings {
		due := s.core.When(&in.Malformed, fieldIndex("findings", i, "due_date"), f.DueDate)
		in.Findings = append(in.Findings, workflows.NewFinding{Title: f.Title, Detail: f.Detail, Source: f.Source,
			Severity: f.Severity, DueDate: due})
	}
	if req.Report != nil {
		in.ReportText, in.ReportFile = req.Report.Text, req.Report.File
	}
	return s.cycleStep(c, func(ctx context.Context, a usecase.Actor, key string, year int, district string,
	) (workflows.CycleState, error) {
		return s.core.Review(ctx, a, key, year, district, in)
	})
}

type decisionRequest struct {
	Passed            bool   `json:"passed"`
	RecommendNational bool   `json:"recommend_national,omitempty"`
	Comment           string `json:"comment"`
	ReportFile        string `json:"report_file,omitempty"`
}

// decision records a decision with record (usecase.Core.RecordAcceptance or RecordProvinceResult).
func (s *Server) decision(c echo.Context,
	record func(context.Context, usecase.Actor, string, int, string, usecase.Decision) (workflows.CycleState, error),
) error {
	req, err := bind[decisionRequest](c)
	if err != nil {
		return err
	}
	return s.cycleStep(c, func(ctx context.Context, a usecase.Actor, key string, year int, district string,
	) (workflows.CycleState, error) {
		return record(ctx, a, key, year, district, usecase.Decision(req))
	})
}

func (s *Server) acceptance(c echo.Context) error {
	return s.decision(c, s.core.RecordAcceptance)
}

func (s *Server) provinceResult(c echo.Context) error {
	return s.decision(c, s.core.RecordProvinceResult)
}
