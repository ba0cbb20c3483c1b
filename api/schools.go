package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"junheng/evaluation"
	"junheng/store"
	"junheng/usecase"
	"junheng/workflows"
)

// getSchoolForm answers the school's own data for the year (usecase.Core.SchoolForm).
func (s *Server) getSchoolForm(c echo.Context) error {
	year, err := pathYear(c)
	if err != nil {
		return err
	}
	v, err := s.core.SchoolForm(c.Request().Context(), caller(c), year)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// saveSchoolDraft saves the school's data as its draft: a database write, which the core records in the audit
// trail with it.
func (s *Server) saveSchoolDraft(c echo.Context) error {
	year, err := pathYear(c)
	if err != nil {
		return err
	}
	data, err := bind[evaluation.School](c)
	if err != nil {
		return err
	}
	d, err := s.core.SaveSchoolDraft(c.Request().Context(), caller(c), year, data)
	if err := acted(c, err); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

func (s *Server) submitSchool(c echo.Context) error {
	year, err := pathYear(c)
	if err != nil {
		return err
	}
	st, err := s.core.SubmitSchool(c.Request().Context(), caller(c), actionKey(c), year)
	if err := acted(c, err); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

// schoolStatuses lists where each school of the {code} district stands (usecase.Core.SchoolStatuses).
func (s *Server) schoolStatuses(c echo.Context) error {
	year, err := pathYear(c)
	if err != nil {
		return err
	}
	rows, err := s.core.SchoolStatuses(c.Request().Context(), caller(c), year, c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rows)
}

// A deadline is a date (the end of that day in the deployment's time zone) or an RFC 3339 instant; opening the
// round may leave it out, a school's new deadline may not.
type (
	openSchoolsRequest struct {
		Deadline string `json:"deadline,omitempty"`
	}
	schoolDeadlineRequest struct {
		Deadline string `json:"deadline"`
	}
)

// openSchoolRound opens the year for the district's schools: 201 when it started any school's return, 200 when
// all were open already. Without a deadline the core takes its default before the district's own.
func (s *Server) openSchoolRound(c echo.Context) error {
	year, err := pathYear(c)
	if err != nil {
		return err
	}
	req, err := bind[openSchoolsRequest](c)
	if err != nil {
		return err
	}
	var errs usecase.Fields
	deadline := s.core.When(&errs, "deadline", req.Deadline)
	if err := errs.Err(); err != nil {
		return err
	}
	out, err := s.core.OpenSchoolRound(c.Request().Context(), caller(c), actionKey(c), year, c.Param("code"),
		deadline)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if len(out.Opened) > 0 {
		status = http.StatusCreated
	}
	return c.JSON(status, out)
}

func (s *Server) acceptSchool(c echo.Context) error {
	return s.schoolDecision(c, func(ctx context.Context, a usecase.Actor, key string, year int, school string,
	) (workflows.SchoolState, error) {
		return s.core.AcceptSchool(ctx, a, key, year, school)
	})
}

type schoolReturnRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) returnSchool(c echo.Context) error {
	return s.schoolDecision(c, func(ctx context.Context, a usecase.Actor, key string, year int, school string,
	) (workflows.SchoolState, error) {
		req, err := bind[schoolReturnRequest](c)
		if err != nil {
			return workflows.SchoolState{}, err
		}
		return s.core.ReturnSchool(ctx, a, key, year, school, req.Reason)
	})
}

func (s *Server) setSchoolDeadline(c echo.Context) error {
	return s.schoolDecision(c, func(ctx context.Context, a usecase.Actor, key string, year int, school string,
	) (workflows.SchoolState, error) {
		req, err := bind[schoolDeadlineRequest](c)
		if err != nil {
			return workflows.SchoolState{}, err
		}
		var errs usecase.Fields
		errs.Required("deadline", req.Deadline)
		deadline := s.core.When(&errs, "deadline", req.Deadline)
		if err := errs.Err(); err != nil {
			return workflows.SchoolState{}, err
		}
		return s.core.SetSchoolDeadline(ctx, a, key, year, school, deadline)
	})
}

// schoolDecision runs the district's decision decide on the {school} of the {code} district, given all its input
// but the caller's, and answers the school's new state. The school is checked first, before the body is read.
func (s *Server) schoolDecision(c echo.Context,
	decide func(context.Context, usecase.Actor, string, int, string) (workflows.SchoolState, error),
) error {
	year, err := pathYear(c)
	if err != nil {
		return err
	}
	school, err := s.pathSchool(c)
	if err != nil {
		return err
	}
	st, err := decide(c.Request().Context(), caller(c), actionKey(c), year, school)
	if err := acted(c, err); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

// pathSchool is the {school} of the path, which must be a school of its {code} district: the core checks only
// that the caller reaches the school's own district, so another's school under this district's path is unknown.
func (s *Server) pathSchool(c echo.Context) (string, error) {
	sc, err := s.store.School(c.Request().Context(), c.Param("school"))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "", usecase.ErrNotFound
	case err != nil:
		return "", err
	case sc.DistrictCode != c.Param("code"):
		return "", usecase.ErrNotFound
	}
	return sc.Code, nil
}

// assembleSelfAssessment saves the district's self-assessment gathered from its schools' accepted data.
func (s *Server) assembleSelfAssessment(c echo.Context) error {
	year, err := pathYear(c)
	if err != nil {
		return err
	}
	out, err := s.core.AssembleSelfAssessment(c.Request().Context(), caller(c), actionKey(c), year, c.Param("code"))
	if err := acted(c, err); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
