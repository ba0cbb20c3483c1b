package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"junheng/progress"
	"junheng/usecase"
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

// submitPlan sends a district's plan, the first one or a revision (usecase.Core.SubmitCreationPlan).
func (s *Server) submitPlan(c echo.Context) error {
	req, err := bind[creationPlanRequest](c)
	if err != nil {
		return err
	}
	st, err := s.core.SubmitCreationPlan(c.Request().Context(), caller(c), actionKey(c), c.Param("code"),
		usecase.CreationPlanSubmission{Plan: req.Plan, ResponsibilityFile: req.ResponsibilityFile, Note: req.Note})
	if err := acted(c, err); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

func (s *Server) reviewPlan(c echo.Context) error {
	req, err := bind[planReviewRequest](c)
	if err != nil {
		return err
	}
	st, err := s.core.ReviewCreationPlan(c.Request().Context(), caller(c), actionKey(c), c.Param("code"),
		usecase.CreationPlanReview(req))
	if err := acted(c, err); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

// getPlan is a district's plan with its whole history, from the read model.
func (s *Server) getPlan(c echo.Context) error {
	p, err := s.core.CreationPlan(c.Request().Context(), caller(c), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}
