package usecase

import (
	"context"
	"errors"
	"fmt"
	"time"

	"junheng/store"
	"junheng/vocab"
	"junheng/workflows"
)

// FindingView is a finding (a rectification item, 整改台账 row) with its item's whole state and its history.
type FindingView struct {
	store.Finding
	State   workflows.ItemState `json:"state"`
	History []store.AuditEvent  `json:"history"`
}

// Finding is the finding id as a may see it.
func (c *Core) Finding(ctx context.Context, a Actor, id string) (FindingView, error) {
	f, err := c.finding(ctx, a, id)
	if err != nil {
		return FindingView{}, err
	}
	v := FindingView{Finding: f}
	if f.State != nil { // nil: not yet mirrored from its workflow
		v.State = *f.State
	}
	v.History, err = c.History(ctx, a, f.ID)
	return v, err
}

// CycleFindings are a district's findings of the year, with its open ones carried over from earlier years.
func (c *Core) CycleFindings(ctx context.Context, a Actor, year int, district string) ([]store.Finding, error) {
	if _, err := c.cycle(ctx, a, year, district); err != nil {
		return nil, err
	}
	fs, _, err := c.store.Findings(ctx, store.FindingFilter{Year: year, District: district, OpenFromEarlier: true})
	return fs, err
}

// LedgerFilter selects rows of the rectification ledger; zero values select every row.
type LedgerFilter struct {
	Year     int
	District string
	Status   vocab.ItemStatus
	Severity vocab.Severity
	Overdue  *bool
}

// LedgerPage is one page of the rectification ledger, with the number of rows on all pages.
type LedgerPage struct {
	Total    int64           `json:"total"`
	Page     int             `json:"page"`
	PerPage  int             `json:"per_page"`
	Findings []store.Finding `json:"findings"`
}

// Ledger is page (from 1; 0: the first) of the city-wide rectification ledger (整改台账), perPage rows a page (0:
// 50). A district sees its own rows only, whatever district it names.
func (c *Core) Ledger(ctx context.Context, a Actor, f LedgerFilter, page, perPage int) (LedgerPage, error) {
	if page == 0 {
		page = 1
	}
	if perPage == 0 {
		perPage = 50
	}
	filter, err := ledgerFilter(a, f)
	if err != nil {
		return LedgerPage{}, err
	}
	filter.Limit, filter.Offset = perPage, (page-1)*perPage
	rows, total, err := c.store.Findings(ctx, filter)
	return LedgerPage{Total: total, Page: page, PerPage: perPage, Findings: rows}, err
}

// LedgerRows is every row of the ledger that f selects and a may see, for a spreadsheet.
func (c *Core) LedgerRows(ctx context.Context, a Actor, f LedgerFilter) ([]store.Finding, error) {
	filter, err := ledgerFilter(a, f)
	if err != nil {
		return nil, err
	}
	rows, _, err := c.store.Findings(ctx, filter)
	return rows, err
}

func ledgerFilter(a Actor, f LedgerFilter) (store.FindingFilter, error) {
	unit, err := a.reach()
	if a.Role == vocab.RoleDistrict { // its own rows, whatever district it names
		f.District, unit = a.District(), ""
	}
	return store.FindingFilter{Year: f.Year, District: f.District, Unit: unit, Status: string(f.Status),
		Severity: string(f.Severity), Overdue: f.Overdue}, err
}

// finding loads the finding id for a, who must have one of roles (none: any) and see its district. It comes
// before anything looks at the input: a district learns nothing, not even from validation errors, about another
// district's items.
func (c *Core) finding(ctx context.Context, a Actor, id string, roles ...vocab.Role) (store.Finding, error) {
	f, err := c.store.Finding(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return f, ErrNotFound
	}
	if err != nil {
		return f, err
	}
	return f, c.may(ctx, a, f.DistrictCode, roles...)
}

// findingAction runs Update name on the finding id for a, who must have role, once check (nil: none) has found
// nothing wrong with the input, and answers the item's new state.
func (c *Core) findingAction(ctx context.Context, a Actor, key, id string, role vocab.Role, check func(*Fields),
	name string, arg any,
) (workflows.ItemState, error) {
	var st workflows.ItemState
	// One deadline for the wait for the record and the Update: an action lasts at most ActionTimeout, which the
	// idempotency keys rely on to tell a request still running from one whose process died.
	ctx, cancel := context.WithTimeout(ctx, ActionTimeout)
	defer cancel()
	f, err := c.finding(ctx, a, id, role)
	if err != nil {
		return st, err
	}
	if check != nil {
		var fields Fields
		check(&fields)
		if err := fields.Err(); err != nil {
			return st, err
		}
	}
	if f.State == nil {
		if err := c.untilRecorded(ctx, f.ID); err != nil {
			return st, err
		}
	}
	return st, c.act(ctx, a, key, f.ID, name, arg, &st)
}

// recordedPoll is how often an action on a finding not yet recorded by its workflow reads it again.
const recordedPoll = 50 * time.Millisecond

// untilRecorded waits until the finding id's workflow has recorded it, or ctx is done: a review answers
// before its findings' workflows run (see workflows' itemsStartedAfter), and a district may act at once. It asks
// the read model, not Temporal: thirty-two districts asking Temporal every 50 ms took its one SQLite connection
// from the changes themselves (BENCHMARKS.md).
func (c *Core) untilRecorded(ctx context.Context, id string) error {
	for {
		select {
		case <-ctx.Done():
			return ErrUnavailable
		case <-time.After(recordedPoll):
		}
		f, err := c.store.Finding(ctx, id)
		switch {
		case ctx.Err() != nil:
			return ErrUnavailable
		case err != nil:
			return err
		case f.State != nil:
			return nil
		}
	}
}

// requiredDate names field when no date was given; the workflow checks the date itself.
func requiredDate(field string, t time.Time) func(*Fields) {
	return func(f *Fields) {
		if t.IsZero() {
			f.Add(field, "必填", "required")
		}
	}
}

// FindingPlan is a district's rectification plan for a finding, due by DueDate.
type FindingPlan struct {
	Measures          string
	ResponsibleUnit   string
	ResponsiblePerson string
	DueDate           time.Time
}

// PlanFinding gives the district's rectification plan for the finding id.
func (c *Core) PlanFinding(ctx context.Context, a Actor, key, id string, in FindingPlan,
) (_ workflows.ItemState, err error) {
	defer c.refused(ctx, a, "plan", "", id, &err)
	return c.findingAction(ctx, a, key, id, vocab.RoleDistrict, requiredDate("due_date", in.DueDate),
		workflows.UpdatePlan, workflows.PlanInput{Actor: a.workflow(), Measures: in.Measures,
			ResponsibleUnit: in.ResponsibleUnit, ResponsiblePerson: in.ResponsiblePerson, DueDate: in.DueDate})
}

// FindingNote is a district's progress report or close request, with the IDs of its evidence files.
type FindingNote struct {
	Text     string
	Evidence []string
}

// ReportProgress reports the district's progress on the finding id.
func (c *Core) ReportProgress(ctx context.Context, a Actor, key, id string, in FindingNote,
) (_ workflows.ItemState, err error) {
	defer c.refused(ctx, a, "progress", "", id, &err)
	return c.note(ctx, a, key, id, workflows.UpdateReportProgress, in)
}

// RequestClose asks the office to verify the finding id and close it (销号).
func (c *Core) RequestClose(ctx context.Context, a Actor, key, id string, in FindingNote,
) (_ workflows.ItemState, err error) {
	defer c.refused(ctx, a, "request_close", "", id, &err)
	return c.note(ctx, a, key, id, workflows.UpdateRequestClose, in)
}

// note sends a district's note, whose evidence must be files the district may use.
func (c *Core) note(ctx context.Context, a Actor, key, id, name string, in FindingNote) (workflows.ItemState, error) {
	check := func(f *Fields) {
		for i, file := range in.Evidence {
			c.checkFile(ctx, a, f, fmt.Sprintf("evidence[%d]", i), file)
		}
	}
	return c.findingAction(ctx, a, key, id, vocab.RoleDistrict, check, name,
		workflows.NoteInput{Actor: a.workflow(), Note: in.Text, Evidence: in.Evidence})
}

// Verification is the office's verdict on a close request: closed, or sent back with the comment.
type Verification struct {
	Accepted bool
	Comment  string
}

// VerifyFinding closes the finding id or sends it back.
func (c *Core) VerifyFinding(ctx context.Context, a Actor, key, id string, in Verification,
) (_ workflows.ItemState, err error) {
	defer c.refused(ctx, a, "verify", "", id, &err)
	return c.findingAction(ctx, a, key, id, vocab.RoleOffice, nil, workflows.UpdateVerify,
		workflows.VerifyInput{Actor: a.workflow(), Accepted: in.Accepted, Comment: in.Comment})
}

// Extension is a district's request for a later due date.
type Extension struct {
	DueDate time.Time
	Reason  string
}

// RequestExtension asks the office for a later due date of the finding id.
func (c *Core) RequestExtension(ctx context.Context, a Actor, key, id string, in Extension,
) (_ workflows.ItemState, err error) {
	defer c.refused(ctx, a, "request_extension", "", id, &err)
	return c.findingAction(ctx, a, key, id, vocab.RoleDistrict, requiredDate("due_date", in.DueDate),
		workflows.UpdateRequestExtension,
		workflows.ExtensionInput{Actor: a.workflow(), DueDate: in.DueDate, Reason: in.Reason})
}

// ExtensionDecision is the office's answer to a pending extension request.
type ExtensionDecision struct {
	Approved bool
	Comment  string
}

// DecideExtension approves or rejects the pending extension request of the finding id.
func (c *Core) DecideExtension(ctx context.Context, a Actor, key, id string, in ExtensionDecision,
) (_ workflows.ItemState, err error) {
	defer c.refused(ctx, a, "decide_extension", "", id, &err)
	return c.findingAction(ctx, a, key, id, vocab.RoleOffice, nil, workflows.UpdateDecideExtension,
		workflows.ExtensionDecisionInput{Actor: a.workflow(), Approved: in.Approved, Comment: in.Comment})
}

// Talk is a formal talk (约谈, Kind "talk") or circular (通报, Kind "circular") the office held about a finding.
type Talk struct {
	Kind string
	Note string
}

// RecordTalk records a talk or circular about the finding id.
func (c *Core) RecordTalk(ctx context.Context, a Actor, key, id string, in Talk) (_ workflows.ItemState, err error) {
	defer c.refused(ctx, a, "record_talk", "", id, &err)
	return c.findingAction(ctx, a, key, id, vocab.RoleOffice, nil, workflows.UpdateRecordTalk,
		workflows.TalkInput{Actor: a.workflow(), Kind: in.Kind, Note: in.Note})
}
