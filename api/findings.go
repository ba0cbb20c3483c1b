package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"junheng/store"
	"junheng/usecase"
	"junheng/workflows"
)

func (s *Server) cycleFindings(c echo.Context) error {
	cy, err := s.cycle(c)
	if err != nil {
		return err
	}
	fs, _, err := s.store.Findings(c.Request().Context(),
		store.FindingFilter{Year: cy.Year, District: cy.DistrictCode, OpenFromEarlier: true})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, fs)
}

// finding is the {id} finding that scopeFinding loaded and checked.
func finding(c echo.Context) store.Finding {
	f, _ := c.Get(findingKey).(store.Finding)
	return f
}

const findingKey = "finding"

// scopeFinding loads the {id} finding before anything else looks at the request, and answers 404 when the caller
// may not see it: a district learns nothing, not even from validation errors, about another district's items.
func (s *Server) scopeFinding(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		f, err := s.store.Finding(c.Request().Context(), c.Param("id"))
		if errors.Is(err, store.ErrNotFound) {
			return usecase.ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := seeDistrict(c, f.DistrictCode); err != nil {
			return err
		}
		c.Set(findingKey, f)
		return next(c)
	}
}

type findingDetail struct {
	store.Finding
	State   workflows.ItemState `json:"state"`
	History []store.AuditEvent  `json:"history"`
}

func (s *Server) getFinding(c echo.Context) error {
	f := finding(c)
	d := findingDetail{Finding: f}
	if f.State != "" {
		if err := json.Unmarshal([]byte(f.State), &d.State); err != nil {
			return err
		}
	}
	var err error
	if d.History, err = s.core.History(c.Request().Context(), caller(c), f.ID); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// findingAction runs an Update on the {id} item and answers with its new state.
func (s *Server) findingAction(c echo.Context, name string, arg any) error {
	var st workflows.ItemState
	if err := s.act(c, finding(c).ID, name, arg, &st); err != nil {
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

func (s *Server) plan(c echo.Context) error {
	req, err := bind[planRequest](c)
	if err != nil {
		return err
	}
	due, err := s.requiredWhen("due_date", req.DueDate)
	if err != nil {
		return err
	}
	return s.findingAction(c, workflows.UpdatePlan, workflows.PlanInput{Actor: actor(c), Measures: req.Measures,
		ResponsibleUnit: req.ResponsibleUnit, ResponsiblePerson: req.ResponsiblePerson, DueDate: due})
}

type noteRequest struct {
	Note     string   `json:"note"`
	Evidence []string `json:"evidence,omitempty"`
}

func (s *Server) note(c echo.Context, name string) error {
	req, err := bind[noteRequest](c)
	if err != nil {
		return err
	}
	var errs usecase.Fields
	for i, id := range req.Evidence {
		s.checkFile(c, &errs, fieldIndex("evidence", i, ""), id)
	}
	if err := errs.Err(); err != nil {
		return err
	}
	return s.findingAction(c, name, workflows.NoteInput{Actor: actor(c), Note: req.Note, Evidence: req.Evidence})
}

func (s *Server) progress(c echo.Context) error     { return s.note(c, workflows.UpdateReportProgress) }
func (s *Server) requestClose(c echo.Context) error { return s.note(c, workflows.UpdateRequestClose) }

type verifyRequest struct {
	Accepted bool   `json:"accepted"`
	Comment  string `json:"comment"`
}

func (s *Server) verify(c echo.Context) error {
	return bindAndAct(c, s.findingAction, workflows.UpdateVerify, func(req verifyRequest) any {
		return workflows.VerifyInput{Actor: actor(c), Accepted: req.Accepted, Comment: req.Comment}
	})
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
	due, err := s.requiredWhen("due_date", req.DueDate)
	if err != nil {
		return err
	}
	return s.findingAction(c, workflows.UpdateRequestExtension,
		workflows.ExtensionInput{Actor: actor(c), DueDate: due, Reason: req.Reason})
}

type extensionDecisionRequest struct {
	Approved bool   `json:"approved"`
	Comment  string `json:"comment"`
}

func (s *Server) extensionDecision(c echo.Context) error {
	return bindAndAct(c, s.findingAction, workflows.UpdateDecideExtension, func(req extensionDecisionRequest) any {
		return workflows.ExtensionDecisionInput{Actor: actor(c), Approved: req.Approved, Comment: req.Comment}
	})
}

type talkRequest struct {
	Kind string `json:"kind"`
	Note string `json:"note"`
}

func (s *Server) talk(c echo.Context) error {
	return bindAndAct(c, s.findingAction, workflows.UpdateRecordTalk, func(req talkRequest) any {
		return workflows.TalkInput{Actor: actor(c), Kind: req.Kind, Note: req.Note}
	})
}

type ledgerPage struct {
	Total    int64           `json:"total"`
	Page     int             `json:"page"`
	PerPage  int             `json:"per_page"`
	Findings []store.Finding `json:"findings"`
}

// ledger is the city-wide rectification ledger (整改台账), paginated, or whole as .xlsx. A district caller sees
// its own district's rows only.
func (s *Server) ledger(c echo.Context) error {
	var errs usecase.Fields
	f := store.FindingFilter{
		District: c.QueryParam("district"), Status: c.QueryParam("status"), Severity: c.QueryParam("severity"),
	}
	f.Year = queryInt(&errs, c, "year", 0, 2200)
	page, perPage := queryInt(&errs, c, "page", 1, 1<<20), queryInt(&errs, c, "per_page", 1, 500)
	if page == 0 {
		page = 1
	}
	if perPage == 0 {
		perPage = 50
	}
	if v := c.QueryParam("overdue"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs.Add("overdue", "应为 true 或 false", "must be true or false")
		}
		f.Overdue = &b
	}
	if f.District != "" && !districtCode.MatchString(f.District) {
		errs.Add("district", "区县代码应为 6 位行政区划代码", "district must be a 6-digit administrative division code")
	}
	if f.Status != "" && !validStatus(f.Status) {
		errs.Add("status", "状态应为 open、in_progress、awaiting_verification 或 closed", "unknown status")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	if p := principal(c); p.Role == workflows.RoleDistrict {
		f.District = p.District
	}
	xlsx := c.QueryParam("format") == "xlsx"
	if !xlsx {
		f.Limit, f.Offset = perPage, (page-1)*perPage
	}
	rows, total, err := s.store.Findings(c.Request().Context(), f)
	if err != nil {
		return err
	}
	if xlsx {
		return s.ledgerXLSX(c, rows)
	}
	return c.JSON(http.StatusOK, ledgerPage{Total: total, Page: page, PerPage: perPage, Findings: rows})
}

func validStatus(s string) bool {
	switch workflows.ItemStatus(s) {
	case workflows.ItemOpen, workflows.ItemInProgress, workflows.ItemAwaitingVerification, workflows.ItemClosed:
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
