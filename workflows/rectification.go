package workflows

import (
	"fmt"
	"junheng/vocab"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"
)

// Update names of a rectification item.
const (
	UpdatePlan             = "Plan"
	UpdateReportProgress   = "ReportProgress"
	UpdateRequestClose     = "RequestClose"
	UpdateVerify           = "Verify"
	UpdateRequestExtension = "RequestExtension"
	UpdateDecideExtension  = "DecideExtension"
	UpdateRecordTalk       = "RecordTalk"
)

// ItemParams starts a rectification item, or continues one (State set).
type ItemParams struct {
	ID        string         `json:"id"`
	Year      int            `json:"year"`
	District  string         `json:"district"`
	Seq       int            `json:"seq"`
	Title     string         `json:"title"`
	Severity  vocab.Severity `json:"severity"`
	Source    vocab.Source   `json:"source"`
	CreatedAt time.Time      `json:"created_at"`
	PlanDue   time.Time      `json:"plan_due"`
	DueDate   time.Time      `json:"due_date,omitzero"` // set by the office, or later by the plan
	Policy    Policy         `json:"policy"`
	// State and Updates are the item so far and the Updates completed in the last week, when it continues as new.
	State   *ItemState    `json:"state,omitempty"`
	Updates RecentUpdates `json:"updates,omitempty"`
	// HistoryLimit overrides DefaultHistoryLimit (tests use a small one).
	HistoryLimit int `json:"history_limit,omitempty"`
}

// ItemState is a rectification item's whole state (a 整改台账 row).
type ItemState struct {
	ID        string           `json:"id"`
	Year      int              `json:"year"`
	District  string           `json:"district"`
	Seq       int              `json:"seq"`
	Title     string           `json:"title"`
	Severity  vocab.Severity   `json:"severity"`
	Source    vocab.Source     `json:"source"`
	Status    vocab.ItemStatus `json:"status"`
	CreatedAt time.Time        `json:"created_at"`
	PlanDue   time.Time        `json:"plan_due"`
	DueDate   time.Time        `json:"due_date,omitzero"`

	Plan            *RectificationPlan `json:"plan,omitempty"`
	ProgressReports int                `json:"progress_reports"`
	CloseRequest    *Note              `json:"close_request,omitempty"`
	Rejections      int                `json:"rejections"`
	LastComment     string             `json:"last_comment,omitempty"`
	Extension       *ExtensionRequest  `json:"extension,omitempty"` // pending request
	Extensions      []ExtensionRequest `json:"extensions,omitempty"`
	Overdue         bool               `json:"overdue"`
	Escalated       bool               `json:"escalated"`
	EscalatedAt     time.Time          `json:"escalated_at,omitzero"`
	Reminders       int                `json:"reminders"`
	Talks           int                `json:"talks"`
	Circulars       int                `json:"circulars"`
	ClosedAt        time.Time          `json:"closed_at,omitzero"`
	EventsCount     int                `json:"events_count"`
}

// RectificationPlan is the district's rectification plan for an item.
type RectificationPlan struct {
	Measures          string    `json:"measures"`
	ResponsibleUnit   string    `json:"responsible_unit"`
	ResponsiblePerson string    `json:"responsible_person"`
	By                string    `json:"by"`
	At                time.Time `json:"at"`
}

// Note is a progress report or close request with its evidence files.
type Note struct {
	Note     string    `json:"note"`
	Evidence []string  `json:"evidence,omitempty"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
}

// ExtensionRequest is a district's request for a later due date and the office's decision on it.
type ExtensionRequest struct {
	DueDate   time.Time `json:"due_date"`
	Reason    string    `json:"reason"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
	Decided   bool      `json:"decided"`
	Approved  bool      `json:"approved"`
	Comment   string    `json:"comment,omitempty"`
	DecidedBy string    `json:"decided_by,omitempty"`
}

// Update inputs of an item.
type (
	PlanInput struct {
		Actor             vocab.Actor `json:"actor"`
		Measures          string      `json:"measures"`
		ResponsibleUnit   string      `json:"responsible_unit"`
		ResponsiblePerson string      `json:"responsible_person"`
		DueDate           time.Time   `json:"due_date"`
	}
	NoteInput struct {
		Actor    vocab.Actor `json:"actor"`
		Note     string      `json:"note"`
		Evidence []string    `json:"evidence,omitempty"`
	}
	VerifyInput struct {
		Actor    vocab.Actor `json:"actor"`
		Accepted bool        `json:"accepted"`
		Comment  string      `json:"comment"`
	}
	ExtensionInput struct {
		Actor   vocab.Actor `json:"actor"`
		DueDate time.Time   `json:"due_date"`
		Reason  string      `json:"reason"`
	}
	ExtensionDecisionInput struct {
		Actor    vocab.Actor `json:"actor"`
		Approved bool        `json:"approved"`
		Comment  string      `json:"comment"`
	}
	TalkInput struct {
		Actor vocab.Actor `json:"actor"`
		Kind  string      `json:"kind"` // talk (约谈) | circular (通报)
		Note  string      `json:"note"`
	}
)

type item struct {
	guard
	outbox
	p ItemParams
	s ItemState
}

// RectificationItem is one finding from open to closed (销号): plan, progress, close request, verification,
// reminders before the due date, escalation (挂牌督办) when overdue with repeated reminders until closed, and
// deadline extensions that move the live timer. It outlives the cycle that raised it, and continues as new,
// carrying its state, when its run grows long.
func RectificationItem(ctx workflow.Context, p ItemParams) (ItemState, error) {
	it := &item{guard: newGuard(ctx, p.Updates), p: p}
	fresh := p.State == nil
	if fresh {
		it.s = ItemState{ID: p.ID, Year: p.Year, District: p.District, Seq: p.Seq, Title: p.Title, Severity: p.Severity,
			Source: p.Source, Status: vocab.ItemOpen, CreatedAt: p.CreatedAt, PlanDue: p.PlanDue, DueDate: p.DueDate}
	} else {
		it.s = *p.State
	}
	if err := it.setup(ctx); err != nil {
		return it.s, err
	}
	if fresh {
		err := it.opening(ctx, func() error {
			return it.commit(ctx, it.s, system, "finding_opened", p.Title,
				notice{ToDistrict, "finding", "新的整改问题: " + p.Title, "New finding to rectify: " + p.Title})
		})
		if err != nil {
			return it.s, err
		}
	}
	it.watchUpdates(ctx, "item-continues-as-new-on-updates")
	stop := func() bool {
		return it.s.Status == vocab.ItemClosed || it.longHistory(ctx, p.HistoryLimit) || it.manyUpdates
	}
	if err := it.alarm().run(ctx, stop); err != nil {
		return it.s, err
	}
	if err := it.drain(ctx); err != nil || it.s.Status == vocab.ItemClosed {
		return it.s, err
	}
	next := it.p
	next.State, next.Updates = &it.s, it.carried(ctx)
	return it.s, workflow.NewContinueAsNewError(ctx, WorkflowRectificationItem, next)
}

func (it *item) setup(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (ItemState, error) { return it.s, nil }); err != nil {
		return err
	}
	g, s := &it.guard, &it.s
	err := setUpdates(ctx, []handler{
		on(g, s, UpdatePlan, it.validatePlan, inStatus[PlanInput](it, vocab.ItemOpen), it.plan),
		on(g, s, UpdateReportProgress, it.validateProgress, untilClosed[NoteInput](it), it.reportProgress),
		on(g, s, UpdateRequestClose, it.validateRequestClose, inStatus[NoteInput](it, vocab.ItemInProgress),
			it.requestClose),
		on(g, s, UpdateVerify, it.validateVerify, inStatus[VerifyInput](it, vocab.ItemAwaitingVerification), it.verify),
		on(g, s, UpdateRequestExtension, it.validateExtension, it.extensionRequestable, it.requestExtension),
		on(g, s, UpdateDecideExtension, it.validateExtensionDecision, it.extensionPending, it.decideExtension),
		on(g, s, UpdateRecordTalk, it.validateTalk, untilClosed[TalkInput](it), it.recordTalk),
	})
	if err != nil {
		return err
	}
	return it.show(ctx)
}

// deadline is what the item is waiting for: the plan while open, the due date while in progress, nothing while
// the office verifies (the district has done its part).
func (it *item) deadline() time.Time {
	switch it.s.Status {
	case vocab.ItemOpen:
		return it.s.PlanDue
	case vocab.ItemInProgress:
		return it.s.DueDate
	}
	return time.Time{}
}

func (it *item) alarm() alarm {
	return alarm{
		guard:     &it.guard,
		due:       it.deadline,
		reminders: it.p.Policy.ItemReminders,
		repeat:    it.p.Policy.EscalationInterval,
		remind: func(ctx workflow.Context, left time.Duration) error {
			it.s.Reminders++
			open := it.s.Status == vocab.ItemOpen
			return it.notify(ctx, notice{ToDistrict, "reminder",
				fmt.Sprintf("%s将于%d天后到期: %s", passFail(open, "整改方案", "整改"), days(left), it.s.Title),
				fmt.Sprintf("%s due in %d days: %s", passFail(open, "Rectification plan", "Rectification"), days(left),
					it.s.Title)})
		},
		overdue: func(ctx workflow.Context) error {
			// Another handler may have held the lock when the timer fired, and moved the date or the status.
			if d := it.deadline(); it.s.Overdue || d.IsZero() || workflow.Now(ctx).Before(d) {
				return nil
			}
			next := it.s
			next.Overdue = true
			if !next.Escalated {
				next.Escalated, next.EscalatedAt = true, workflow.Now(ctx)
			}
			return it.commit(ctx, next, system, "escalated", "overdue since "+it.deadline().Format(time.RFC3339),
				notice{ToOffice, "escalation", "整改逾期, 已挂牌督办: " + it.s.Title,
					"Overdue and listed for supervision (挂牌督办): " + it.s.Title},
				notice{ToDistrict, "overdue", "整改已逾期并被挂牌督办: " + it.s.Title,
					"Overdue and listed for supervision: " + it.s.Title})
		},
		nag: func(ctx workflow.Context) error {
			it.s.Reminders++
			return it.notify(ctx, notice{ToDistrict, "escalation_reminder", "挂牌督办问题仍未整改到位: " + it.s.Title,
				"A listed (挂牌督办) item is still open: " + it.s.Title})
		},
	}
}

// --- plan, progress, close -------------------------------------------------------------------------------

func (it *item) validatePlan(ctx workflow.Context, in PlanInput) error {
	if err := it.districtOnly(in.Actor); err != nil {
		return err
	}
	if it.s.Status != vocab.ItemOpen {
		return it.wrongStatus(vocab.ItemOpen)
	}
	switch {
	case strings.TrimSpace(in.Measures) == "":
		return invalid("measures", "须填写整改措施", "measures are required")
	case strings.TrimSpace(in.ResponsibleUnit) == "":
		return invalid("responsible_unit", "须填写责任单位", "responsible_unit is required")
	case strings.TrimSpace(in.ResponsiblePerson) == "":
		return invalid("responsible_person", "须填写责任人", "responsible_person is required")
	}
	if err := checkTexts("measures", in.Measures, "responsible_unit", in.ResponsibleUnit,
		"responsible_person", in.ResponsiblePerson); err != nil {
		return err
	}
	return it.validateDueDate(ctx, "due_date", in.DueDate, it.s.DueDate)
}

// validateDueDate checks a planned or extended due date: in the future, within the policy's longest
// rectification period, and not after limit (the office's date) when one is set.
func (it *item) validateDueDate(ctx workflow.Context, field string, due, limit time.Time) error {
	switch {
	case !due.After(workflow.Now(ctx)):
		return invalid(field, "整改期限须晚于当前时间", field+" must be in the future")
	case due.After(it.s.CreatedAt.Add(it.p.Policy.MaxRectification)):
		return invalid(field, fmt.Sprintf("整改期限不得超过问题下达后%d天", days(it.p.Policy.MaxRectification)),
			fmt.Sprintf("%s may be at most %d days after the finding was raised", field,
				days(it.p.Policy.MaxRectification)))
	case !limit.IsZero() && due.After(limit):
		return invalid(field, "整改期限不得晚于督导办规定的期限 "+limit.Format(time.DateOnly),
			field+" may not be after the office's due date "+limit.Format(time.DateOnly))
	}
	return nil
}

func (it *item) plan(ctx workflow.Context, in PlanInput) error {
	next := it.s
	next.Plan = &RectificationPlan{Measures: in.Measures, ResponsibleUnit: in.ResponsibleUnit,
		ResponsiblePerson: in.ResponsiblePerson, By: in.Actor.Name, At: workflow.Now(ctx)}
	next.Status, next.DueDate, next.Overdue = vocab.ItemInProgress, in.DueDate, false
	return it.commit(ctx, next, in.Actor, "plan", in.Measures)
}

func (it *item) validateProgress(ctx workflow.Context, in NoteInput) error {
	if err := it.districtOnly(in.Actor); err != nil {
		return err
	}
	if err := it.notClosed(); err != nil {
		return err
	}
	if strings.TrimSpace(in.Note) == "" {
		return invalid("note", "须填写进展说明", "note is required")
	}
	return checkTexts("note", in.Note)
}

func (it *item) reportProgress(ctx workflow.Context, in NoteInput) error {
	next := it.s
	next.ProgressReports++
	return it.commit(ctx, next, in.Actor, "progress", noteDetail(in))
}

func (it *item) validateRequestClose(ctx workflow.Context, in NoteInput) error {
	if err := it.validateProgress(ctx, in); err != nil {
		return err
	}
	if it.s.Status != vocab.ItemInProgress {
		return it.wrongStatus(vocab.ItemInProgress)
	}
	return nil
}

func (it *item) requestClose(ctx workflow.Context, in NoteInput) error {
	next := it.s
	next.CloseRequest = &Note{Note: in.Note, Evidence: in.Evidence, By: in.Actor.Name, At: workflow.Now(ctx)}
	next.Status = vocab.ItemAwaitingVerification
	return it.commit(ctx, next, in.Actor, "request_close", noteDetail(in),
		notice{ToOffice, "close_requested", "区县申请销号, 请核验: " + it.s.Title,
			"The district asks to close an item; please verify: " + it.s.Title})
}

func (it *item) validateVerify(_ workflow.Context, in VerifyInput) error {
	if err := officeOnly(in.Actor); err != nil {
		return err
	}
	if it.s.Status != vocab.ItemAwaitingVerification {
		return it.wrongStatus(vocab.ItemAwaitingVerification)
	}
	if !in.Accepted && strings.TrimSpace(in.Comment) == "" {
		return invalid("comment", "核验不通过须说明理由", "a rejected verification needs a comment")
	}
	return checkTexts("comment", in.Comment)
}

// verify closes the item (销号) or sends it back to in progress with the office's comment.
func (it *item) verify(ctx workflow.Context, in VerifyInput) error {
	next := it.s
	next.LastComment = in.Comment
	if in.Accepted {
		next.Status, next.ClosedAt, next.Overdue = vocab.ItemClosed, workflow.Now(ctx), false
	} else {
		next.Status = vocab.ItemInProgress
		next.Rejections++
	}
	return it.commit(ctx, next, in.Actor, passFail(in.Accepted, "verify_accepted", "verify_rejected"), in.Comment,
		notice{ToDistrict, "verified",
			passFail(in.Accepted, "已核验销号: ", "核验未通过, 请继续整改: ") + it.s.Title,
			passFail(in.Accepted, "Verified and closed: ", "Verification rejected; keep rectifying: ") + it.s.Title})
}

// --- extensions and talks --------------------------------------------------------------------------------

func (it *item) validateExtension(ctx workflow.Context, in ExtensionInput) error {
	if err := it.districtOnly(in.Actor); err != nil {
		return err
	}
	if err := it.extensionRequestable(ctx, in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Reason) == "" {
		return invalid("reason", "须说明延期理由", "reason is required")
	}
	if err := checkTexts("reason", in.Reason); err != nil {
		return err
	}
	if !in.DueDate.After(it.s.DueDate) {
		return invalid("due_date", "延期后的期限须晚于当前期限 "+it.s.DueDate.Format(time.DateOnly),
			"due_date must be after the current due date "+it.s.DueDate.Format(time.DateOnly))
	}
	return it.validateDueDate(ctx, "due_date", in.DueDate, time.Time{})
}

// extensionRequestable holds while the item is in progress with no extension request waiting.
func (it *item) extensionRequestable(workflow.Context, ExtensionInput) error {
	if it.s.Status != vocab.ItemInProgress {
		return it.wrongStatus(vocab.ItemInProgress)
	}
	if it.s.Extension != nil {
		return conflict("已有待审批的延期申请", "an extension request is already waiting for a decision")
	}
	return nil
}

func (it *item) requestExtension(ctx workflow.Context, in ExtensionInput) error {
	next := it.s
	next.Extension = &ExtensionRequest{DueDate: in.DueDate, Reason: in.Reason, By: in.Actor.Name, At: workflow.Now(ctx)}
	return it.commit(ctx, next, in.Actor, "request_extension", in.DueDate.Format(time.DateOnly)+": "+in.Reason,
		notice{ToOffice, "extension_requested", "区县申请延期: " + it.s.Title,
			"The district asks for an extension: " + it.s.Title})
}

func (it *item) validateExtensionDecision(ctx workflow.Context, in ExtensionDecisionInput) error {
	if err := officeOnly(in.Actor); err != nil {
		return err
	}
	if err := it.extensionPending(ctx, in); err != nil {
		return err
	}
	if !in.Approved && strings.TrimSpace(in.Comment) == "" {
		return invalid("comment", "不同意延期须说明理由", "a rejected extension needs a comment")
	}
	return checkTexts("comment", in.Comment)
}

// extensionPending holds while the item is open and an extension request waits for a decision.
func (it *item) extensionPending(workflow.Context, ExtensionDecisionInput) error {
	if err := it.notClosed(); err != nil {
		return err
	}
	if it.s.Extension == nil {
		return conflict("没有待审批的延期申请", "there is no extension request to decide")
	}
	return nil
}

// decideExtension moves the due date, and so the live timer, when approved. An approved extension clears the
// overdue mark but not the escalation: a listed item stays listed until it is closed.
func (it *item) decideExtension(ctx workflow.Context, in ExtensionDecisionInput) error {
	req := *it.s.Extension
	req.Decided, req.Approved, req.Comment, req.DecidedBy = true, in.Approved, in.Comment, in.Actor.Name
	next := it.s
	next.Extension, next.Extensions = nil, append(slices.Clip(it.s.Extensions), req)
	if in.Approved {
		next.DueDate, next.Overdue = req.DueDate, false
	}
	return it.commit(ctx, next, in.Actor, passFail(in.Approved, "extension_approved", "extension_rejected"), in.Comment,
		notice{ToDistrict, "extension_decided",
			passFail(in.Approved, "延期申请已同意, 新期限 "+req.DueDate.Format(time.DateOnly), "延期申请未同意: "+in.Comment),
			passFail(in.Approved, "Extension approved, new due date "+req.DueDate.Format(time.DateOnly),
				"Extension rejected: "+in.Comment)})
}

func (it *item) validateTalk(_ workflow.Context, in TalkInput) error {
	if err := officeOnly(in.Actor); err != nil {
		return err
	}
	if err := it.notClosed(); err != nil {
		return err
	}
	if in.Kind != "talk" && in.Kind != "circular" {
		return invalid("kind", "类型须为 talk(约谈) 或 circular(通报)", `kind must be "talk" or "circular"`)
	}
	if strings.TrimSpace(in.Note) == "" {
		return invalid("note", "须填写约谈或通报内容", "note is required")
	}
	return checkTexts("note", in.Note)
}

func (it *item) recordTalk(ctx workflow.Context, in TalkInput) error {
	next := it.s
	zh := "约谈"
	if in.Kind == "talk" {
		next.Talks++
	} else {
		next.Circulars++
		zh = "通报"
	}
	return it.commit(ctx, next, in.Actor, in.Kind, in.Note,
		notice{ToDistrict, in.Kind, "督导办" + zh + ": " + in.Note,
			"The office recorded a " + in.Kind + ": " + in.Note})
}

// --- shared ----------------------------------------------------------------------------------------------

func (it *item) districtOnly(a vocab.Actor) error {
	if a.Role != vocab.RoleDistrict || a.District != it.s.District {
		return forbidden("只有本区县可以进行此操作", "only this district may do this")
	}
	return nil
}

func (it *item) notClosed() error {
	if it.s.Status == vocab.ItemClosed {
		return conflict("该问题已销号", "the item is closed")
	}
	return nil
}

// untilClosed is the recheck of an Update allowed until the item is closed.
func untilClosed[T any](it *item) func(workflow.Context, T) error {
	return func(workflow.Context, T) error { return it.notClosed() }
}

// inStatus is the recheck of an Update allowed in one status only.
func inStatus[T any](it *item, want vocab.ItemStatus) func(workflow.Context, T) error {
	return func(workflow.Context, T) error {
		if it.s.Status != want {
			return it.wrongStatus(want)
		}
		return nil
	}
}

func (it *item) wrongStatus(want vocab.ItemStatus) error {
	return conflict(fmt.Sprintf("该问题当前状态为 %s, 此操作须在 %s 状态进行", it.s.Status, want),
		fmt.Sprintf("the item is %s; this needs %s", it.s.Status, want))
}

// commit makes next the state with its audit event and notices (see change).
func (it *item) commit(ctx workflow.Context, next ItemState, who vocab.Actor, action, detail string,
	ns ...notice) error {
	next.EventsCount++
	rec := ItemRecord{State: next, Event: it.event(ctx, it.s.ID, next.EventsCount, who, action, detail)}
	write := recordWith(local, ActivityRecordItem, func(ns []Notification) any {
		rec.Notifications = ns
		return rec
	})
	return change(ctx, &it.outbox, &it.s, next, write, it.show, it.letter, ns)
}

func (it *item) show(ctx workflow.Context) error {
	return show(ctx, it.s.Year, it.s.District, string(it.s.Status), it.s.Overdue)
}

func (it *item) notify(ctx workflow.Context, n notice) error {
	return it.outbox.notify(ctx, it.letter(n))
}

func (it *item) letter(n notice) Notification {
	return Notification{Recipient: n.to, Year: it.s.Year, District: it.s.District, Target: it.s.ID, Kind: n.kind,
		TitleZh: n.zh, TitleEn: n.en}
}

func noteDetail(in NoteInput) string {
	if len(in.Evidence) == 0 {
		return in.Note
	}
	return in.Note + " [evidence: " + strings.Join(in.Evidence, ", ") + "]"
}
