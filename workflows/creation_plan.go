package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"junheng/progress"
	"junheng/vocab"
)

// Update names of a district's creation plan.
const (
	UpdateSubmitPlan = "SubmitPlan"
	UpdateReviewPlan = "ReviewPlan"
)

// CreationPlanParams starts a district's creation plan, or continues one (State set): after continue-as-new, or from
// the read model when a plan's run has closed (terminated by an operator, say), so that no plan starts empty again.
type CreationPlanParams struct {
	District string             `json:"district"`
	State    *CreationPlanState `json:"state,omitempty"`
	// Updates are the Updates completed in the last week, when the plan continues as new.
	Updates RecentUpdates `json:"updates,omitempty"`
	// HistoryLimit overrides DefaultHistoryLimit (tests use a small one).
	HistoryLimit int `json:"history_limit,omitempty"`
}

// CreationPlanState is a district's creation plan (创建方案) with its whole history: every version the district submitted,
// oldest first, and the one in effect.
type CreationPlanState struct {
	District string `json:"district"`
	// Status is the latest version's; empty until the first submission.
	Status   vocab.CreationPlanStatus `json:"status"`
	Versions []CreationPlanVersion    `json:"versions"`
	// Approved is the version in effect: the newest approved one, 0 while none is approved. A revision submitted
	// after an approval leaves it in effect until the revision is approved.
	Approved    int `json:"approved_version"`
	EventsCount int `json:"events_count"`
}

// CreationPlanVersion is one submitted version of the plan with the office's decision on it.
type CreationPlanVersion struct {
	Version int           `json:"version"`
	Plan    progress.Plan `json:"plan"`
	// ResponsibilityFile is the evidence file ID of the signed letter of responsibility (责任书).
	ResponsibilityFile string                   `json:"responsibility_file"`
	Note               string                   `json:"note,omitempty"`
	Status             vocab.CreationPlanStatus `json:"status"`
	SubmittedBy        string                   `json:"submitted_by"`
	SubmittedAt        time.Time                `json:"submitted_at"`
	DecidedBy          string                   `json:"decided_by,omitempty"`
	DecidedAt          time.Time                `json:"decided_at,omitzero"`
	Comment            string                   `json:"comment,omitempty"`
}

// Update inputs of a creation plan.
type (
	PlanSubmission struct {
		Actor              vocab.Actor   `json:"actor"`
		Plan               progress.Plan `json:"plan"`
		ResponsibilityFile string        `json:"responsibility_file"`
		Note               string        `json:"note,omitempty"`
	}
	PlanReview struct {
		Actor vocab.Actor `json:"actor"`
		// Version is the version the office read: the district may have submitted another since. 0 (histories
		// recorded before the field) decides on the latest.
		Version  int    `json:"version,omitempty"`
		Approved bool   `json:"approved"`
		Comment  string `json:"comment"`
	}
)

// latest returns the newest version, or nil before the first submission.
func (s *CreationPlanState) latest() *CreationPlanVersion {
	if len(s.Versions) == 0 {
		return nil
	}
	return &s.Versions[len(s.Versions)-1]
}

type plan struct {
	guard
	outbox
	p CreationPlanParams
	s CreationPlanState
}

// CreationPlan is a district's creation plan (制定方案, seed 002 三(一)): the district submits it with its yearly
// milestones and the signed letter of responsibility, the office approves it or returns it with a comment, and
// the district revises it the same way, every version kept. It lives as long as the district: it never ends by
// itself, and continues as new, carrying its state, when its run grows long.
func CreationPlan(ctx workflow.Context, p CreationPlanParams) (CreationPlanState, error) {
	pl := &plan{guard: newGuard(ctx, p.Updates), p: p, s: CreationPlanState{District: p.District}}
	if p.State != nil {
		pl.s = *p.State
	}
	if err := pl.setup(ctx); err != nil {
		return pl.s, err
	}
	pl.watchUpdates(ctx, "plan-continues-as-new-on-updates")
	if err := workflow.Await(ctx, func() bool {
		return pl.longHistory(ctx, p.HistoryLimit) || pl.manyUpdates
	}); err != nil {
		return pl.s, err
	}
	if err := pl.drain(ctx); err != nil {
		return pl.s, err
	}
	next := pl.p
	next.State, next.Updates = &pl.s, pl.carried(ctx)
	return pl.s, workflow.NewContinueAsNewError(ctx, WorkflowCreationPlan, next)
}

func (pl *plan) setup(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (CreationPlanState, error) {
		return pl.s,
			nil
	}); err != nil {
		return err
	}
	err := setUpdates(ctx, []handler{
		on(&pl.guard, &pl.s, UpdateSubmitPlan, pl.validateSubmit, nil, pl.submit),
		on(&pl.guard, &pl.s, UpdateReviewPlan, pl.validateReview, pl.reviewable, pl.review),
	})
	if err != nil {
		return err
	}
	return pl.show(ctx)
}

func (pl *plan) validateSubmit(_ workflow.Context, in PlanSubmission) error {
	if in.Actor.Role != vocab.RoleDistrict || in.Actor.District != pl.s.District {
		return forbidden("只有本区县可以提交创建方案", "only this district may submit its creation plan")
	}
	if strings.TrimSpace(in.ResponsibilityFile) == "" {
		return invalid("responsibility_file", "须上传责任书",
			"responsibility_file (the signed letter of responsibility, 责任书) is required")
	}
	if problems := in.Plan.Validate(nil); len(problems) > 0 {
		// Field names are paths in the submission, as for every other refusal: the plan's are under "plan".
		reasons := make([]Reason, len(problems))
		for i, p := range problems {
			reasons[i] = Reason{Key: "plan." + p.Field, MessageZh: p.MessageZh, MessageEn: p.MessageEn}
		}
		first := reasons[0]
		return refuse(ErrInvalid, first.Key,
			fmt.Sprintf("创建方案有%d处问题, 首先是 %s: %s", len(reasons), first.Key, first.MessageZh),
			fmt.Sprintf("the plan has %d problem(s), first %s: %s", len(reasons), first.Key, first.MessageEn),
			reasons...)
	}
	return checkTexts("note", in.Note)
}

// submit adds a new version for review. A version still waiting for review is superseded by it; an approved one
// stays in effect until a later version is approved.
func (pl *plan) submit(ctx workflow.Context, in PlanSubmission) error {
	next := pl.s
	next.Versions = slices.Clone(pl.s.Versions)
	detail := ""
	if last := next.latest(); last != nil && last.Status == vocab.PlanSubmitted {
		last.Status = vocab.PlanSuperseded
		detail = fmt.Sprintf(", superseding version %d", last.Version)
	}
	v := CreationPlanVersion{Version: len(next.Versions) + 1, Plan: in.Plan, ResponsibilityFile: in.ResponsibilityFile,
		Note: in.Note, Status: vocab.PlanSubmitted, SubmittedBy: in.Actor.Name, SubmittedAt: workflow.Now(ctx)}
	next.Versions, next.Status = append(next.Versions, v), vocab.PlanSubmitted
	detail = fmt.Sprintf("version %d, target year %d%s [responsibility file: %s]",
		v.Version, in.Plan.TargetYear, detail, in.ResponsibilityFile)
	return pl.commit(ctx, next, in.Actor, "plan_submitted", detail, notice{ToOffice, "plan_submitted",
		fmt.Sprintf("区县提交创建方案(第%d版, 目标%d年), 请审核", v.Version, in.Plan.TargetYear),
		fmt.Sprintf("A district submitted its creation plan (version %d, target year %d) for review",
			v.Version, in.Plan.TargetYear)})
}

func (pl *plan) validateReview(ctx workflow.Context, in PlanReview) error {
	if err := officeOnly(in.Actor); err != nil {
		return err
	}
	if err := pl.reviewable(ctx, in); err != nil {
		return err
	}
	if !in.Approved && strings.TrimSpace(in.Comment) == "" {
		return invalid("comment", "退回须说明理由", "a return needs a comment giving the reasons")
	}
	return checkTexts("comment", in.Comment)
}

// reviewable holds while the latest version, the one the office read, waits for review.
func (pl *plan) reviewable(_ workflow.Context, in PlanReview) error {
	last := pl.s.latest()
	if last == nil || last.Status != vocab.PlanSubmitted {
		return conflict("没有待审核的创建方案", "there is no plan version waiting for review")
	}
	if in.Version != 0 && in.Version != last.Version {
		return conflict(fmt.Sprintf("待审核的是第 %d 版(区县已重新提交), 请查看后再审核", last.Version),
			fmt.Sprintf("version %d is the one waiting for review (the district has submitted again): read it first",
				last.Version))
	}
	return nil
}

// review approves the latest version, which then takes effect, or returns it with the office's comment (an
// approved earlier version stays in effect).
func (pl *plan) review(ctx workflow.Context, in PlanReview) error {
	next := pl.s
	next.Versions = slices.Clone(pl.s.Versions)
	v := next.latest()
	v.DecidedBy, v.DecidedAt, v.Comment = in.Actor.Name, workflow.Now(ctx), in.Comment
	kind := "plan_returned"
	zh := fmt.Sprintf("创建方案(第%d版)被退回: %s", v.Version, in.Comment)
	en := fmt.Sprintf("Your creation plan (version %d) was returned: %s", v.Version, in.Comment)
	if in.Approved {
		v.Status, next.Approved, kind = vocab.PlanApproved, v.Version, "plan_approved"
		zh = fmt.Sprintf("创建方案(第%d版)已审核通过, 目标%d年", v.Version, v.Plan.TargetYear)
		en = fmt.Sprintf("Your creation plan (version %d, target year %d) was approved", v.Version, v.Plan.TargetYear)
	} else {
		v.Status = vocab.PlanReturned
	}
	next.Status = v.Status
	return pl.commit(ctx, next, in.Actor, kind, fmt.Sprintf("version %d: %s", v.Version, in.Comment),
		notice{ToDistrict, kind, zh, en})
}

// commit makes next the state with its audit event and notices (see change); the notices are about the latest
// version's target year.
func (pl *plan) commit(ctx workflow.Context, next CreationPlanState, who vocab.Actor, action, detail string,
	ns ...notice) error {
	next.EventsCount++
	rec := CreationPlanRecord{State: next, Event: pl.event(ctx, vocab.CreationPlanID(pl.s.District), next.EventsCount,
		who, action, detail)}
	write := recordWith(local, ActivityRecordPlan, func(ns []Notification) any {
		rec.Notifications = ns
		return rec
	})
	return change(ctx, &pl.outbox, &pl.s, next, write, pl.show, pl.letter(next), ns)
}

// show shows the latest version: its status as the stage and its target year as the year (0 before the first
// submission).
func (pl *plan) show(ctx workflow.Context) error {
	year := 0
	if last := pl.s.latest(); last != nil {
		year = last.Plan.TargetYear
	}
	return show(ctx, year, pl.s.District, string(pl.s.Status), false)
}

// letter addresses a notice about the latest version of s, with its target year.
func (pl *plan) letter(s CreationPlanState) func(notice) Notification {
	return func(n notice) Notification {
		return Notification{Recipient: n.to, Year: s.latest().Plan.TargetYear, District: s.District,
			Target: vocab.CreationPlanID(s.District), Kind: n.kind, TitleZh: n.zh, TitleEn: n.en}
	}
}
