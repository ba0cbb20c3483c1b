package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"junheng/report"
	"junheng/store"
	"junheng/usecase"
	"junheng/vocab"
	"junheng/workflows"
)

func (s *Server) cycleFindings(c echo.Context) error {
	year, err := pathYear(c)
	if err != nil {
		return err
	}
	fs, err := s.core.CycleFindings(c.Request().Context(), caller(c), year, c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, fs)
}

// scopeFinding answers 404 before the request's body is decoded when the caller may not see the {id} finding. The
// core decides so too (usecase.Core.Finding and the finding actions); this keeps it first for every such route.
func (s *Server) scopeFinding(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		f, err := s.store.Finding(c.Request().Context(), c.Param("id"))
		if errors.Is(err, store.ErrNotFound) {
			return usecase.ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := s.seeDistrict(c, f.DistrictCode); err != nil {
			return err
		}
		return next(c)
	}
}

func (s *Server) getFinding(c echo.Context) error {
	v, err := s.core.Finding(c.Request().Context(), caller(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// findingAction runs the core's action act with in on the {id} finding and answers the item's new state.
func findingAction[In any](c echo.Context,
	act func(context.Context, usecase.Actor, string, string, In) (workflows.ItemState, error), in In,
) error {
	st, err := act(c.Request().Context(), caller(c), actionKey(c), c.Param("id"), in)
	if err := acted(c, err); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

type planRequest struct {
	Measures          string `json:"measures"`
	ResponsibleUnit   string `json:"responsible_unit"`
	ResponsiblePerson string `json:"responsible_person"`
	DueDate           string `json:"due_date"`
}

func (s *Server) planFinding(c echo.Context) error {
	req, err := bind[planRequest](c)
	if err != nil {
		return err
	}
	var errs usecase.Fields
	due := s.core.When(&errs, "due_date", req.DueDate)
	if err := errs.Err(); err != nil {
		return err
	}
	return findingAction(c, s.core.PlanFinding, usecase.FindingPlan{Measures: req.Measures,
		ResponsibleUnit: req.ResponsibleUnit, ResponsiblePerson: req.ResponsiblePerson, DueDate: due})
}

type noteRequest struct {
	Note     string   `json:"note"`
	Evidence []string `json:"evidence,omitempty"`
}

func (s *Server) note(c echo.Context,
	act func(context.Context, usecase.Actor, string, string, usecase.FindingNote) (workflows.ItemState, error),
) error {
	req, err := bind[noteRequest](c)
	if err != nil {
		return err
	}
	return findingAction(c, act, usecase.FindingNote{Text: req.Note, Evidence: req.Evidence})
}

func (s *Server) reportProgress(c echo.Context) error { return s.note(c, s.core.ReportProgress) }
func (s *Server) requestClose(c echo.Context) error   { return s.note(c, s.core.RequestClose) }

type verifyRequest struct {
	Accepted bool   `json:"accepted"`
	Comment  string `json:"comment"`
}

func (s *Server) verify(c echo.Context) error {
	req, err := bind[verifyRequest](c)
	if err != nil {
		return err
	}
	return findingAction(c, s.core.VerifyFinding, usecase.Verification{Accepted: req.Accepted, Comment: req.Comment})
}

type extensionRequest struct {
	DueDate string `json:"due_date"`
	Reason  string `json:"reason"`
}

func (s *Server) extension(c echo.Context) error {
	req, err := bind[extensionRequest](c)
	if err != nil {
		return err
	}
	var errs usecase.Fields
	due := s.core.When(&errs, "due_date", req.DueDate)
	if err := errs.Err(); err != nil {
		return err
	}
	return findingAction(c, s.core.RequestExtension, usecase.Extension{DueDate: due, Reason: req.Reason})
}

type extensionDecisionRequest struct {
	Approved bool   `json:"approved"`
	Comment  string `json:"comment"`
}

func (s *Server) extensionDecision(c echo.Context) error {
	req, err := bind[extensionDecisionRequest](c)
	if err != nil {
		return err
	}
	return findingAction(c, s.core.DecideExtension,
		usecase.ExtensionDecision{Approved: req.Approved, Comment: req.Comment})
}

type talkRequest struct {
	Kind string `json:"kind"`
	Note string `json:"note"`
}

func (s *Server) talk(c echo.Context) error {
	req, err := bind[talkRequest](c)
	if err != nil {
		return err
	}
	return findingAction(c, s.core.RecordTalk, usecase.Talk{Kind: req.Kind, Note: req.Note})
}

// ledger is the city-wide rectification ledger (整改台账), paginated, or whole as .xlsx (usecase.Core.Ledger).
func (s *Server) ledger(c echo.Context) error {
	var errs usecase.Fields
	f := usecase.LedgerFilter{District: c.QueryParam("district"), Status: vocab.ItemStatus(c.QueryParam("status")),
		Severity: vocab.Severity(c.QueryParam("severity"))}
	f.Year = queryInt(&errs, c, "year", 0, 2200)
	page, perPage := queryInt(&errs, c, "page", 1, 1<<20), queryInt(&errs, c, "per_page", 1, 500)
	if v := c.QueryParam("overdue"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs.Add("overdue", "应为 true 或 false", "must be true or false")
		}
		f.Overdue = &b
	}
	if f.District != "" && !usecase.DistrictCode.MatchString(f.District) {
		errs.Add("district", "区县代码应为 6 位行政区划代码", "district must be a 6-digit administrative division code")
	}
	if f.Status != "" && !validStatus(f.Status) {
		errs.Add("status", "状态应为 open、in_progress、awaiting_verification 或 closed", "unknown status")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if c.QueryParam("format") == "xlsx" {
		rows, err := s.core.LedgerRows(ctx, caller(c), f)
		if err != nil {
			return err
		}
		return sendWorkbook(c, "rectification-ledger.xlsx",
			func(w io.Writer) error { return report.LedgerXLSX(w, rows, s.loc) })
	}
	p, err := s.core.Ledger(ctx, caller(c), f, page, perPage)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func validStatus(s vocab.ItemStatus) bool {
	switch s {
	case vocab.ItemOpen, vocab.ItemInProgress, vocab.ItemAwaitingVerification, vocab.ItemClosed:
		return true
	}
	return false
}

func queryInt(errs *usecase.Fields, c echo.Context, name string, min, max int) int {
	v := c.QueryParam(name)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		errs.Add(name, fmt.Sprintf("应为 %d 到 %d 之间的整数", min, max),
			fmt.Sprintf("must be a whole number from %d to %d", min, max))
	}
	return n
}

func fieldIndex(list string, i int, field string) string {
	if field == "" {
		return fmt.Sprintf("%s[%d]", list, i)
	}
	return fmt.Sprintf("%s[%d].%s", list, i, field)
}
