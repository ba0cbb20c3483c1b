package workflows

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"junheng/evaluation"
	"junheng/vocab"
)

// A school's own data for a year (学校填报, 区县审核汇总) has a workflow of its own, school:2025:<district>:<school>,
// rather than Updates on the district's cycle: on a deadline day 200 schools submitting at once would meet
// Temporal's limit of 10 Updates in flight per workflow, and a year of them its limit of Updates per run. One
// workflow per school spreads them; saves, the most frequent action, are plain database writes (school_drafts)
// and cost no workflow work. Submit, accept, return and the district's own entry are Updates, checked here.

// Update names of a school's return.
const (
	UpdateSubmitSchool      = "submit_school"
	UpdateAcceptSchool      = "accept_school"
	UpdateReturnSchool      = "return_school"
	UpdateEnterSchool       = "enter_school"
	UpdateSetSchoolDeadline = "set_school_deadline"
)

// ActivityRecordSchool is the name of SchoolActivities.RecordSchool.
const ActivityRecordSchool = "RecordSchool"

// SchoolActivities is what a school's workflow needs done outside it; activities.Activities implements it.
type SchoolActivities interface {
	RecordSchool(context.Context, SchoolRecord) (Recorded, error)
}

// maxReason bounds a return's reason, in characters.
const maxReason = 500

// SchoolParams opens a school's return for a year, or continues it (State set).
type SchoolParams struct {
	Year         int    `json:"year"`
	District     string `json:"district"`
	DistrictName string `json:"district_name"`
	School       string `json:"school"`
	SchoolName   string `json:"school_name"`
	// Deadline is the instant the school's data is due.
	Deadline time.Time `json:"deadline"`
	// Reminders to the school before the deadline (the policy's district reminders: 30, 7 and 1 days).
	Reminders []time.Duration `json:"reminders"`
	OpenedBy  vocab.Actor     `json:"opened_by"`
	// State and Updates carry the return and the Updates completed in the last week into a new run.
	State   *SchoolState  `json:"state,omitempty"`
	Updates RecentUpdates `json:"updates,omitempty"`
	// HistoryLimit overrides DefaultHistoryLimit (tests use a small one).
	HistoryLimit int `json:"history_limit,omitempty"`
}

// SchoolState is where a school's return stands; the read model (school_returns) mirrors it. Status is never
// "draft" here: saving a draft is no workflow event, and the read model shows it (see store.RecordSchoolReturn).
type SchoolState struct {
	Year       int                `json:"year"`
	District   string             `json:"district"`
	School     string             `json:"school"`
	SchoolName string             `json:"school_name"`
	Status     vocab.SchoolStatus `json:"status"`
	Deadline   time.Time          `json:"deadline"`
	// Submissions counts the school's submissions (a return and a resubmission make two).
	Submissions int       `json:"submissions"`
	SubmittedAt time.Time `json:"submitted_at,omitzero"`
	// Late: the latest submission came after the deadline (accepted, and marked so).
	Late bool `json:"late,omitempty"`
	// Overdue: the deadline passed while the school had not submitted.
	Overdue bool `json:"overdue,omitempty"`
	// Reason is the district's latest reason for returning the data.
	Reason string `json:"reason,omitempty"`
	// ByDistrict: the district entered the data itself from its own workbook.
	ByDistrict  bool `json:"by_district,omitempty"`
	EventsCount int  `json:"events_count"`
}

// SchoolRecord mirrors a school's state to the read model with its audit event, in one transaction. CopyDraft (a
// submission) makes the school's current draft the return's data; Data (the district's entry) is the data itself.
type SchoolRecord struct {
	State     SchoolState        `json:"state"`
	Event     Event              `json:"event"`
	CopyDraft bool               `json:"copy_draft,omitempty"`
	Data      *evaluation.School `json:"data,omitempty"`
	// Notifications are stored with the change, as a cycle's (see CycleRecord).
	Notifications []Notification `json:"notifications,omitempty"`
}

// Update inputs of a school's return.
type (
	SchoolInput struct {
		Actor vocab.Actor `json:"actor"`
	}
	SchoolReturnInput struct {
		Actor  vocab.Actor `json:"actor"`
		Reason string      `json:"reason"`
	}
	SchoolEntryInput struct {
		Actor vocab.Actor       `json:"actor"`
		Data  evaluation.School `json:"data"`
	}
	SchoolDeadlineInput struct {
		Actor    vocab.Actor `json:"actor"`
		Deadline time.Time   `json:"deadline"`
	}
)

// awaiting says the school's data is still expected from it.
func awaiting(s vocab.SchoolStatus) bool {
	return s == vocab.SchoolNotStarted || s == vocab.SchoolDraft || s == vocab.SchoolReturned
}

type school struct {
	guard
	outbox
	p SchoolParams
	s SchoolState
}

// SchoolReturn is one school's data for a year: the school submits, the district accepts or returns it with a
// reason (the school then resubmits), or enters it itself from its own workbook. Reminders go to the school
// before the deadline while its data is expected, and at the deadline the school and the district are told it is
// overdue; a late submission is accepted and marked late. A district may move the deadline, which moves the
// timers. The workflow ends once the data is accepted and the deadline has passed.
func SchoolReturn(ctx workflow.Context, p SchoolParams) (SchoolState, error) {
	sc := &school{guard: newGuard(ctx, p.Updates), p: p}
	fresh := p.State == nil
	if fresh {
		sc.s = SchoolState{Year: p.Year, District: p.District, School: p.School, SchoolName: p.SchoolName,
			Status: vocab.SchoolNotStarted, Deadline: p.Deadline}
	} else {
		sc.s = *p.State
	}
	if err := sc.setup(ctx); err != nil {
		return sc.s, err
	}
	if fresh {
		err := sc.opening(ctx, func() error {
			return sc.commit(ctx, sc.s, p.OpenedBy, "school_opened", "",
				notice{ToSchool, "opened", "本年度学校数据填报已开始, 请在截止时间前提交",
					"Your school's data for the year is open: submit it before the deadline"})
		})
		if err != nil {
			return sc.s, err
		}
	}
	sc.watchUpdates(ctx, "school-continues-as-new-on-updates")
	long := func() bool { return sc.longHistory(ctx, p.HistoryLimit) || sc.manyUpdates }
	for !long() && !sc.finished(ctx) {
		var err error
		switch status := sc.s.Status; {
		case awaiting(status):
			err = sc.alarm().run(ctx, func() bool { return !awaiting(sc.s.Status) || long() })
		case status == vocab.SchoolAccepted:
			// The deadline no longer moves (set_school_deadline refuses an accepted return).
			_, err = sleepUntil(ctx, sc.s.Deadline, long)
		default:
			err = workflow.Await(ctx, func() bool { return sc.s.Status != status || long() })
		}
		if err != nil {
			return sc.s, err
		}
	}
	if err := sc.drain(ctx); err != nil || sc.finished(ctx) {
		return sc.s, err
	}
	next := sc.p
	next.State, next.Updates = &sc.s, sc.carried(ctx)
	return sc.s, workflow.NewContinueAsNewError(ctx, WorkflowSchoolReturn, next)
}

// finished: the data is accepted and the deadline has passed, so nothing is left for this workflow to do.
func (sc *school) finished(ctx workflow.Context) bool {
	return sc.s.Status == vocab.SchoolAccepted && !workflow.Now(ctx).Before(sc.s.Deadline)
}

func (sc *school) setup(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (SchoolState, error) { return sc.s, nil }); err != nil {
		return err
	}
	g, s := &sc.guard, &sc.s
	err := setUpdates(ctx, []handler{
		on(g, s, UpdateSubmitSchool, sc.validateSubmit, whileAwaiting[SchoolInput](sc), sc.submit),
		on(g, s, UpdateAcceptSchool, sc.validateAccept, whileSubmitted[SchoolInput](sc), sc.accept),
		on(g, s, UpdateReturnSchool, sc.validateReturn, whileSubmitted[SchoolReturnInput](sc), sc.giveBack),
		on(g, s, UpdateEnterSchool, sc.validateEntry, whileAwaiting[SchoolEntryInput](sc), sc.enter),
		on(g, s, UpdateSetSchoolDeadline, sc.validateDeadline, sc.deadlineMovable, sc.setDeadline),
	})
	if err != nil {
		return err
	}
	return sc.show(ctx)
}

// --- the school --------------------------------------------------------------------------------------------

func (sc *school) validateSubmit(ctx workflow.Context, in SchoolInput) error {
	if in.Actor.Role != vocab.RoleSchool || in.Actor.Unit != sc.p.School {
		return forbidden("只有本校可以提交本校数据", "only this school may submit its data")
	}
	return whileAwaiting[SchoolInput](sc)(ctx, in)
}

// submit makes the school's current draft its return, marked late after the deadline.
func (sc *school) submit(ctx workflow.Context, in SchoolInput) error {
	next := sc.s
	next.Status, next.Submissions, next.SubmittedAt = vocab.SchoolSubmitted, sc.s.Submissions+1, workflow.Now(ctx)
	next.Late, next.ByDistrict, next.Overdue = !workflow.Now(ctx).Before(sc.s.Deadline), false, false
	detail := fmt.Sprintf("submission %d", next.Submissions)
	if next.Late {
		detail += " (late)"
	}
	return sc.record(ctx, SchoolRecord{State: next, CopyDraft: true}, in.Actor, "school_submitted", detail)
}

// --- the district ------------------------------------------------------------------------------------------

func (sc *school) districtOnly(a vocab.Actor) error {
	if a.Role != vocab.RoleDistrict || a.District != sc.p.District {
		return forbidden("只有学校所在区县可以进行此操作", "only the school's district may do this")
	}
	return nil
}

func (sc *school) validateAccept(ctx workflow.Context, in SchoolInput) error {
	if err := sc.districtOnly(in.Actor); err != nil {
		return err
	}
	return whileSubmitted[SchoolInput](sc)(ctx, in)
}

func (sc *school) accept(ctx workflow.Context, in SchoolInput) error {
	next := sc.s
	next.Status = vocab.SchoolAccepted
	return sc.commit(ctx, next, in.Actor, "school_accepted", fmt.Sprintf("submission %d", sc.s.Submissions),
		notice{ToSchool, "accepted", "本校填报数据已审核通过", "Your school's data was accepted by the district"})
}

func (sc *school) validateReturn(ctx workflow.Context, in SchoolReturnInput) error {
	if err := sc.districtOnly(in.Actor); err != nil {
		return err
	}
	if strings.TrimSpace(in.Reason) == "" {
		return invalid("reason", "退回须说明理由", "a return needs a reason")
	}
	if err := checkText("reason", in.Reason, maxReason); err != nil {
		return err
	}
	return whileSubmitted[SchoolReturnInput](sc)(ctx, in)
}

// giveBack returns the submission to the school with the district's reason.
func (sc *school) giveBack(ctx workflow.Context, in SchoolReturnInput) error {
	next := sc.s
	next.Status, next.Reason = vocab.SchoolReturned, in.Reason
	return sc.commit(ctx, next, in.Actor, "school_returned",
		fmt.Sprintf("submission %d: %s", sc.s.Submissions, in.Reason),
		notice{ToSchool, "returned", "本校填报数据被区县退回: " + in.Reason,
			"The district returned your school's data: " + in.Reason})
}

func (sc *school) validateEntry(ctx workflow.Context, in SchoolEntryInput) error {
	if err := sc.districtOnly(in.Actor); err != nil {
		return err
	}
	if in.Data.Code != sc.p.School {
		return invalid("data.code", "数据中的学校代码应为 "+sc.p.School, "data.code must be "+sc.p.School)
	}
	return whileAwaiting[SchoolEntryInput](sc)(ctx, in)
}

// enter takes the district's own data for a school that has not submitted, as accepted.
func (sc *school) enter(ctx workflow.Context, in SchoolEntryInput) error {
	next := sc.s
	next.Status, next.ByDistrict, next.Overdue = vocab.SchoolAccepted, true, false
	data := in.Data
	return sc.record(ctx, SchoolRecord{State: next, Data: &data}, in.Actor, "school_entered_by_district", "",
		notice{ToSchool, "entered", "区县已代为填报本校数据", "The district entered your school's data itself"})
}

func (sc *school) validateDeadline(ctx workflow.Context, in SchoolDeadlineInput) error {
	if err := sc.districtOnly(in.Actor); err != nil {
		return err
	}
	if !in.Deadline.After(workflow.Now(ctx)) {
		return invalid("deadline", "截止时间须晚于现在", "the deadline must be in the future")
	}
	return sc.deadlineMovable(ctx, in)
}

// deadlineMovable holds until the data is accepted.
func (sc *school) deadlineMovable(workflow.Context, SchoolDeadlineInput) error {
	if sc.s.Status == vocab.SchoolAccepted {
		return conflict("本校数据已审核通过, 不能再调整截止时间",
			"the school's data is accepted: its deadline no longer moves")
	}
	return nil
}

// setDeadline moves the deadline: the alarm starts over from it, and a passed deadline no longer counts.
func (sc *school) setDeadline(ctx workflow.Context, in SchoolDeadlineInput) error {
	next := sc.s
	next.Deadline = in.Deadline
	next.Overdue = sc.s.Overdue && !in.Deadline.After(workflow.Now(ctx))
	return sc.commit(ctx, next, in.Actor, "school_deadline_set", in.Deadline.UTC().Format(time.RFC3339),
		notice{ToSchool, "deadline", "区县调整了本校数据的截止时间", "The district moved your school's deadline"})
}

// whileAwaiting is the check of an Update allowed while the data is expected from the school.
func whileAwaiting[T any](sc *school) func(workflow.Context, T) error {
	return func(workflow.Context, T) error {
		if !awaiting(sc.s.Status) {
			return conflict(fmt.Sprintf("本校数据当前状态为 %s, 不能进行此操作", sc.s.Status),
				fmt.Sprintf("the school's data is %s: this is not allowed now", sc.s.Status))
		}
		return nil
	}
}

// whileSubmitted is the check of the district's decision on a submission.
func whileSubmitted[T any](sc *school) func(workflow.Context, T) error {
	return func(workflow.Context, T) error {
		if sc.s.Status != vocab.SchoolSubmitted {
			return conflict(fmt.Sprintf("本校数据当前状态为 %s, 没有待审核的提交", sc.s.Status),
				fmt.Sprintf("the school's data is %s: there is no submission to decide on", sc.s.Status))
		}
		return nil
	}
}

// --- deadline ----------------------------------------------------------------------------------------------

func (sc *school) alarm() alarm {
	return alarm{
		guard:     &sc.guard,
		due:       func() time.Time { return sc.s.Deadline },
		reminders: slices.Clone(sc.p.Reminders),
		remind: func(ctx workflow.Context, left time.Duration) error {
			return sc.notify(ctx, notice{ToSchool, "reminder", fmt.Sprintf("本校数据将于%d天后截止", days(left)),
				fmt.Sprintf("Your school's data is due in %d days", days(left))})
		},
		overdue: func(ctx workflow.Context) error {
			if !awaiting(sc.s.Status) || sc.s.Overdue {
				return nil
			}
			next := sc.s
			next.Overdue = true
			return sc.commit(ctx, next, system, "school_overdue", "",
				notice{ToSchool, "overdue", "本校数据已逾期未提交", "Your school's data is overdue"},
				notice{ToDistrict, "overdue", sc.s.SchoolName + "逾期未提交学校数据",
					sc.s.SchoolName + " has not submitted its data by the deadline"})
		},
	}
}

// --- shared ------------------------------------------------------------------------------------------------

// commit makes next the state with its audit event and notices (see record).
func (sc *school) commit(ctx workflow.Context, next SchoolState, who vocab.Actor, action, detail string,
	ns ...notice) error {
	return sc.record(ctx, SchoolRecord{State: next}, who, action, detail, ns...)
}

// record writes rec (state, event, data) and applies its state (see change).
func (sc *school) record(ctx workflow.Context, rec SchoolRecord, who vocab.Actor, action, detail string,
	ns ...notice) error {
	rec.State.EventsCount++
	rec.Event = sc.event(ctx, vocab.SchoolID(sc.p.Year, sc.p.District, sc.p.School), rec.State.EventsCount, who,
		action, detail)
	write := recordWith(work, ActivityRecordSchool, func(ns []Notification) any {
		rec.Notifications = ns
		return rec
	})
	return change(ctx, &sc.outbox, &sc.s, rec.State, write, sc.show, sc.letter, ns)
}

func (sc *school) show(ctx workflow.Context) error {
	return show(ctx, sc.p.Year, sc.p.District, string(sc.s.Status), sc.s.Overdue)
}

func (sc *school) notify(ctx workflow.Context, n notice) error {
	return sc.outbox.notify(ctx, sc.letter(n))
}

// letter addresses a notice about the school: its district is the district, its target the workflow's ID, which
// ends in the school's code, so that the school finds its own (store.NotificationFilter.School).
func (sc *school) letter(n notice) Notification {
	return Notification{Recipient: n.to, Year: sc.p.Year, District: sc.p.District,
		Target: vocab.SchoolID(sc.p.Year, sc.p.District, sc.p.School), Kind: n.kind, TitleZh: n.zh, TitleEn: n.en}
}
