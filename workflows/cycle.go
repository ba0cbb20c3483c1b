package workflows

import (
	"errors"
	"fmt"
	"junheng/vocab"
	"slices"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Update and query names of the district cycle.
const (
	UpdateSaveDraft            = "SaveDraft"
	UpdateSubmit               = "Submit"
	UpdateReview               = "Review"
	UpdateApply                = "Apply"
	UpdateRecordAcceptance     = "RecordAcceptance"
	UpdateRecordProvinceResult = "RecordProvinceResult"
	QueryState                 = "state"
)

// CycleParams opens one district's year, or continues it (State set).
type CycleParams struct {
	Year         int       `json:"year"`
	District     string    `json:"district"`
	DistrictName string    `json:"district_name"`
	City         string    `json:"city,omitempty"` // the district's city when the year opened; "" before cities
	Deadlines    Deadlines `json:"deadlines"`
	Policy       Policy    `json:"policy"`
	// State and Updates are the year so far and the Updates completed in the last week, when the year continues
	// as new.
	State   *CycleState   `json:"state,omitempty"`
	Updates RecentUpdates `json:"updates,omitempty"`
	// HistoryLimit overrides DefaultHistoryLimit (tests use a small one).
	HistoryLimit int `json:"history_limit,omitempty"`
}

// CycleState is the whole state of a district's year; the query returns it and the read model mirrors it.
type CycleState struct {
	Year         int              `json:"year"`
	District     string           `json:"district"`
	DistrictName string           `json:"district_name"`
	Stage        vocab.CycleStage `json:"stage"`
	Deadlines    Deadlines        `json:"deadlines"`

	DraftID      int64     `json:"draft_id,omitempty"`
	DraftVerdict string    `json:"draft_verdict,omitempty"`
	DraftSavedAt time.Time `json:"draft_saved_at,omitzero"`

	// The latest submitted snapshot: what the office reviews and what an application is judged on.
	Version          int       `json:"version,omitempty"`
	Verdict          string    `json:"verdict,omitempty"`
	ShortfallIDs     []string  `json:"shortfall_ids,omitempty"`
	SubmittedDraftID int64     `json:"submitted_draft_id,omitempty"`
	SubmittedAt      time.Time `json:"submitted_at,omitzero"`
	SubmittedLate    bool      `json:"submitted_late,omitempty"`

	SelfAssessmentOverdue bool `json:"self_assessment_overdue,omitempty"`
	ReviewOverdue         bool `json:"review_overdue,omitempty"`

	Returns []Return `json:"returns,omitempty"`
	Review  *Review  `json:"review,omitempty"`
	// ReviewedVersion is the version the office last accepted: reviewed in its approval, or judged in a passed
	// acceptance. It is what the city may publish; a version submitted since is the district's own until then.
	ReviewedVersion int       `json:"reviewed_version,omitempty"`
	Findings        []string  `json:"findings,omitempty"`
	AppliedAt       time.Time `json:"applied_at,omitzero"`
	Acceptance      *Decision `json:"acceptance,omitempty"`
	Province        *Decision `json:"province,omitempty"`
	EndReason       string    `json:"end_reason,omitempty"`
	EventsCount     int       `json:"events_count"`
}

// Overdue reports whether any deadline of the current stage has passed without the expected action.
func (s CycleState) Overdue() bool { return Overdue(s.Stage, s.SelfAssessmentOverdue, s.ReviewOverdue) }

// Overdue is the rule for a year at stage whose self-assessment or review deadline has passed (as the read model
// mirrors it): only the deadline of the current stage counts.
func Overdue(stage vocab.CycleStage, selfAssessmentOverdue, reviewOverdue bool) bool {
	return (stage == vocab.StageSelfAssessment && selfAssessmentOverdue) ||
		(stage == vocab.StageCityReview && reviewOverdue)
}

// Return is the office sending a self-assessment back.
type Return struct {
	Comment  string    `json:"comment"`
	Deadline time.Time `json:"deadline"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
}

// Review is the office's approval with its feedback report.
type Review struct {
	Comment    string    `json:"comment"`
	ReportText string    `json:"report_text,omitempty"`
	ReportFile string    `json:"report_file,omitempty"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
}

// Update inputs. Each carries the Actor the API authenticated.
type (
	SaveDraftInput struct {
		Actor   vocab.Actor `json:"actor"`
		DraftID int64       `json:"draft_id"`
	}
	SubmitInput struct {
		Actor vocab.Actor `json:"actor"`
	}
	ReviewInput struct {
		Actor    vocab.Actor `json:"actor"`
		Decision string      `json:"decision"` // approve | return
		Comment  string      `json:"comment"`
		Deadline time.Time   `json:"deadline,omitzero"` // the new self-assessment deadline on return
		// Shortfalls to turn into findings; nil means all of them, an empty list none.
		Shortfalls []string     `json:"shortfalls"`
		Findings   []NewFinding `json:"findings,omitempty"`
		ReportText string       `json:"report_text,omitempty"`
		ReportFile string       `json:"report_file,omitempty"`
	}
	ApplyInput struct {
		Actor vocab.Actor `json:"actor"`
	}
	DecisionInput struct {
		Actor             vocab.Actor `json:"actor"`
		Passed            bool        `json:"passed"`
		RecommendNational bool        `json:"recommend_national,omitempty"`
		Comment           string      `json:"comment"`
		ReportFile        string      `json:"report_file,omitempty"`
	}
)

type cycle struct {
	guard
	outbox
	p CycleParams
	s CycleState
	// ending is set once a long run is to continue as new: the stages stop waiting, and the run ends as soon as
	// its handlers and deliveries are done.
	ending bool
}

// DistrictCycle is one district's year: self-assessment, city review, rectification with its application,
// city acceptance and the province's result. Human decisions arrive as Updates; deadlines are durable timers. A
// long year continues as new, carrying its state.
func DistrictCycle(ctx workflow.Context, p CycleParams) (CycleState, error) {
	c := &cycle{guard: newGuard(ctx, p.Updates), p: p}
	if p.State != nil {
		c.s = *p.State
	} else {
		c.s = CycleState{Year: p.Year, District: p.District, DistrictName: p.DistrictName,
			Stage: vocab.StageSelfAssessment, Deadlines: p.Deadlines}
	}
	if err := c.setup(ctx); err != nil {
		return c.s, err
	}
	if p.State == nil {
		err := c.opening(ctx, func() error { return c.commit(ctx, c.s, system, "cycle_opened", "") })
		if err != nil {
			return c.s, err
		}
	}
	// Version 1 ends a year that never reached rectification at the application deadline; cycles started before
	// it replay without the watch.
	if workflow.GetVersion(ctx, "application-deadline-ends-every-stage", workflow.DefaultVersion, 1) == 1 {
		workflow.Go(ctx, c.endUnfinishedAtApplicationDeadline)
	}
	workflow.Go(ctx, c.watchLength)
	for !c.s.Stage.Final() && !c.ending {
		stage := c.s.Stage
		left := func() bool { return c.s.Stage != stage || c.ending }
		var err error
		switch stage {
		case vocab.StageSelfAssessment:
			err = c.selfAssessmentAlarm().run(ctx, left)
		case vocab.StageCityReview:
			err = c.reviewAlarm().run(ctx, left)
		case vocab.StageRectification:
			err = c.applicationAlarm().run(ctx, left)
		default:
			err = workflow.Await(ctx, left)
		}
		if err != nil {
			return c.s, err
		}
	}
	if err := c.drain(ctx); err != nil || c.s.Stage.Final() {
		return c.s, err
	}
	next := c.p
	next.State, next.Updates = &c.s, c.carried(ctx)
	return c.s, workflow.NewContinueAsNewError(ctx, WorkflowDistrictCycle, next)
}

// watchLength ends a long run (see guard.longRun) in continue-as-new. Version 1 added it. A run that grew long
// under an earlier release replays to Default, since its recorded history has no marker where that release went
// on; it asks again, under a new change ID, after each later Update, and the first question asked live, past the
// replayed history, ends the run: a year already long when this release is deployed still continues as new.
func (c *cycle) watchLength(ctx workflow.Context) {
	asked := -1 // the Updates accepted when the run last asked
	for {
		err := workflow.Await(ctx, func() bool { return c.accepted > asked && c.longRun(ctx, c.p.HistoryLimit) })
		if err != nil {
			return
		}
		change := "cycle-continues-as-new"
		if asked >= 0 {
			change = fmt.Sprintf("%s-after-%d-updates", change, c.accepted)
		}
		if workflow.GetVersion(ctx, change, workflow.DefaultVersion, 1) == 1 {
			c.ending = true
			return
		}
		asked = c.accepted
	}
}

func (c *cycle) setup(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (CycleState, error) { return c.s, nil }); err != nil {
		return err
	}
	g, s := &c.guard, &c.s
	err := setUpdates(ctx, []handler{
		on(g, s, UpdateSaveDraft, c.validateSaveDraft, c.draftAccepted, c.saveDraft),
		on(g, s, UpdateSubmit, c.validateSubmit, c.submittable, c.submit),
		on(g, s, UpdateReview, c.validateReview, inStage[ReviewInput](c, vocab.StageCityReview), c.review),
		on(g, s, UpdateApply, c.validateApply, inStage[ApplyInput](c, vocab.StageRectification), c.apply),
		on(g, s, UpdateRecordAcceptance, c.validateAcceptance, inStage[DecisionInput](c, vocab.StageCityAcceptance),
			c.recordAcceptance),
		on(g, s, UpdateRecordProvinceResult, c.validateProvinceResult, inStage[DecisionInput](c,
			vocab.StageProvinceReview),
			c.recordProvinceResult),
	})
	if err != nil {
		return err
	}
	return c.show(ctx)
}

// --- self-assessment -------------------------------------------------------------------------------------

func (c *cycle) validateSaveDraft(ctx workflow.Context, in SaveDraftInput) error {
	if err := c.districtOnly(in.Actor); err != nil {
		return err
	}
	if in.DraftID <= 0 {
		return invalid("draft_id", "缺少草稿编号", "draft_id is required")
	}
	return c.draftAccepted(ctx, in)
}

// draftAccepted holds while the year takes data and no newer draft has been saved.
func (c *cycle) draftAccepted(ctx workflow.Context, in SaveDraftInput) error {
	if err := c.acceptsData(ctx); err != nil {
		return err
	}
	if in.DraftID <= c.s.DraftID {
		// Drafts are numbered as they are stored: an older one arriving late (a retry) must not replace a newer.
		return conflict("已有更新的自评草稿", "a newer draft has already been saved")
	}
	return nil
}

func (c *cycle) saveDraft(ctx workflow.Context, in SaveDraftInput) error {
	var res DraftResult
	err := work(ctx, ActivityEvaluateDraft, DraftInput{Year: c.p.Year, District: c.p.District, DraftID: in.DraftID}).
		Get(ctx, &res)
	if err != nil {
		return err
	}
	next := c.s
	next.DraftID, next.DraftVerdict, next.DraftSavedAt = res.DraftID, res.Verdict, workflow.Now(ctx)
	return c.commit(ctx, next, in.Actor, "save_draft",
		fmt.Sprintf("draft %d: %s, %d shortfalls", res.DraftID, res.Verdict, res.Shortfalls))
}

func (c *cycle) validateSubmit(ctx workflow.Context, in SubmitInput) error {
	if err := c.districtOnly(in.Actor); err != nil {
		return err
	}
	return c.submittable(ctx, in)
}

// submittable holds while the year takes data and the latest draft is not submitted yet.
func (c *cycle) submittable(ctx workflow.Context, _ SubmitInput) error {
	if err := c.acceptsData(ctx); err != nil {
		return err
	}
	if c.s.DraftID == 0 {
		return conflict("尚未保存自评数据, 不能提交", "no self-assessment draft has been saved")
	}
	if c.s.DraftID == c.s.SubmittedDraftID {
		return conflict("该版本自评数据已提交", "this draft has already been submitted")
	}
	return nil
}

func (c *cycle) submit(ctx workflow.Context, in SubmitInput) error {
	late := c.s.Stage == vocab.StageSelfAssessment && !workflow.Now(ctx).Before(c.s.Deadlines.SelfAssessment)
	var res SnapshotResult
	err := work(ctx, ActivitySubmitSnapshot, SnapshotInput{Year: c.p.Year,
		District: c.p.District, DraftID: c.s.DraftID, Late: late, Actor: in.Actor}).Get(ctx, &res)
	if err != nil {
		return err
	}
	next := c.s
	next.Version, next.Verdict, next.ShortfallIDs = res.Version, res.Verdict, res.ShortfallIDs
	next.SubmittedDraftID, next.SubmittedAt = c.s.DraftID, workflow.Now(ctx)
	detail := fmt.Sprintf("version %d: %s", res.Version, res.Verdict)
	var notices []notice
	if c.s.Stage == vocab.StageSelfAssessment {
		next.SubmittedLate = late
		if late {
			detail += " (late)"
		}
		next.Stage = vocab.StageCityReview
		notices = append(notices, notice{ToOffice, "submitted", "区县已提交自评报告, 请审核",
			"A district submitted its self-assessment for review"})
	}
	return c.commit(ctx, next, in.Actor, "submit", detail, notices...)
}

// acceptsData allows drafts and submissions during self-assessment (late ones only if the policy accepts them)
// and during rectification, where improved data is what an application is judged on.
func (c *cycle) acceptsData(ctx workflow.Context) error {
	switch c.s.Stage {
	case vocab.StageRectification:
		return nil
	case vocab.StageSelfAssessment:
		if !c.p.Policy.AcceptLateSelfAssessment && !workflow.Now(ctx).Before(c.s.Deadlines.SelfAssessment) {
			return conflict("自评截止时间已过, 不再接收",
				"the self-assessment deadline has passed and late submissions are closed")
		}
		return nil
	}
	return conflict(fmt.Sprintf("当前阶段(%s)不接收自评数据", c.s.Stage),
		fmt.Sprintf("self-assessment data is not accepted in stage %s", c.s.Stage))
}

func (c *cycle) selfAssessmentAlarm() alarm {
	return alarm{
		guard:          &c.guard,
		due:            func() time.Time { return c.s.Deadlines.SelfAssessment },
		reminders:      c.p.Policy.DistrictReminders,
		remindUnlocked: true,
		remind: func(ctx workflow.Context, left time.Duration) error {
			return c.notify(ctx, notice{ToDistrict, "reminder", fmt.Sprintf("自评报告将于%d天后截止", days(left)),
				fmt.Sprintf("The self-assessment is due in %d days", days(left))})
		},
		overdue: func(ctx workflow.Context) error {
			if c.s.Stage != vocab.StageSelfAssessment || c.s.SelfAssessmentOverdue {
				return nil
			}
			next := c.s
			next.SelfAssessmentOverdue = true
			action := "self_assessment_overdue"
			if !c.p.Policy.AcceptLateSelfAssessment {
				next.Stage, next.EndReason, action = vocab.StageNotApplied, "self_assessment_missed",
					"self_assessment_closed"
			}
			return c.commit(ctx, next, system, action, "",
				notice{ToOffice, "overdue", "区县逾期未提交自评报告",
					"A district has not submitted its self-assessment by the deadline"},
				notice{ToDistrict, "overdue", "自评报告已逾期", "Your self-assessment is overdue"})
		},
	}
}

// --- city review -----------------------------------------------------------------------------------------

func (c *cycle) validateReview(ctx workflow.Context, in ReviewInput) error {
	if err := officeOnly(in.Actor); err != nil {
		return err
	}
	if c.s.Stage != vocab.StageCityReview {
		return c.wrongStage(vocab.StageCityReview)
	}
	if err := checkTexts("comment", in.Comment); err != nil {
		return err
	}
	if err := checkText("report_text", in.ReportText, 10*maxText); err != nil {
		return err
	}
	switch in.Decision {
	case "return":
		if in.Comment == "" {
			return invalid("comment", "退回须说明理由", "a return needs a comment giving the reasons")
		}
		if !in.Deadline.After(workflow.Now(ctx)) {
			return invalid("deadline", "退回须设定晚于当前时间的新截止时间", "a return needs a new deadline in the future")
		}
	case "approve":
		for i, id := range in.Shortfalls {
			if !slices.Contains(c.s.ShortfallIDs, id) {
				return invalid(fmt.Sprintf("shortfalls[%d]", i), "所提交版本中没有该问题: "+id,
					"the submitted version has no such shortfall: "+id)
			}
		}
		for i, f := range in.Findings {
			if err := validateNewFinding(ctx, fmt.Sprintf("findings[%d]", i), f); err != nil {
				return err
			}
		}
	default:
		return invalid("decision", "审核结论须为 approve 或 return", `decision must be "approve" or "return"`)
	}
	return nil
}

func validateNewFinding(ctx workflow.Context, field string, f NewFinding) error {
	switch {
	case f.Title == "":
		return invalid(field+".title", "问题须有标题", "a finding needs a title")
	case f.Source != vocab.SourceDataMonitoring && f.Source != vocab.SourceThirdParty && f.Source != vocab.SourceOnSite:
		return invalid(field+".source", "问题来源须为数据监测、第三方评估或实地督导",
			"source must be data_monitoring, third_party or on_site")
	case f.Severity != vocab.SeverityNormal && f.Severity != vocab.SeveritySerious:
		return invalid(field+".severity", "严重程度须为 normal 或 serious", "severity must be normal or serious")
	case !f.DueDate.IsZero() && !f.DueDate.After(workflow.Now(ctx)):
		return invalid(field+".due_date", "整改期限须晚于当前时间", "due_date must be in the future")
	}
	return checkTexts(field+".title", f.Title, field+".detail", f.Detail)
}

func (c *cycle) review(ctx workflow.Context, in ReviewInput) error {
	if in.Decision == "return" {
		return c.returnSelfAssessment(ctx, in)
	}
	return c.approve(ctx, in)
}

func (c *cycle) returnSelfAssessment(ctx workflow.Context, in ReviewInput) error {
	next := c.s
	next.Returns = append(slices.Clip(c.s.Returns),
		Return{Comment: in.Comment, Deadline: in.Deadline, By: in.Actor.Name, At: workflow.Now(ctx)})
	next.Stage, next.Deadlines.SelfAssessment, next.SelfAssessmentOverdue = vocab.StageSelfAssessment, in.Deadline,
		false
	return c.commit(ctx, next, in.Actor, "return", in.Comment,
		notice{ToDistrict, "returned", "自评报告被退回: " + in.Comment,
			"Your self-assessment was returned: " + in.Comment})
}

func (c *cycle) approve(ctx workflow.Context, in ReviewInput) error {
	chosen := in.Shortfalls
	if chosen == nil {
		chosen = c.s.ShortfallIDs
	}
	var records []FindingRecord
	nextID := func() (string, int) {
		seq := len(c.s.Findings) + len(records) + 1
		return vocab.FindingID(c.p.Year, c.p.District, seq), seq
	}
	for _, sid := range chosen {
		id, seq := nextID()
		records = append(records, FindingRecord{ID: id, Seq: seq, ShortfallID: sid})
	}
	for _, f := range in.Findings {
		id, seq := nextID()
		records = append(records, FindingRecord{ID: id, Seq: seq, New: f})
	}
	var infos []FindingInfo
	err := work(ctx, ActivityCreateFindings, FindingsInput{Year: c.p.Year,
		District: c.p.District, SnapshotVersion: c.s.Version, Findings: records, Actor: in.Actor}).Get(ctx, &infos)
	if err != nil {
		return err
	}
	next := c.s
	next.Findings = slices.Clip(c.s.Findings)
	for _, f := range infos {
		next.Findings = append(next.Findings, f.ID)
	}
	next.Review = &Review{Comment: in.Comment, ReportText: in.ReportText, ReportFile: in.ReportFile,
		By: in.Actor.Name, At: workflow.Now(ctx)}
	next.Stage, next.ReviewedVersion = vocab.StageRectification, c.s.Version
	if workflow.GetVersion(ctx, itemsStartedAfter, workflow.DefaultVersion, 1) == 1 {
		if err := c.commitApproval(ctx, next, in.Actor, len(infos)); err != nil {
			return err
		}
		c.startItems(ctx, infos)
		return nil
	}
	// Version 1 starts the items together and waits for them once (a review with many findings answered in one
	// round trip instead of one per finding); earlier cycles replay starting them one by one.
	together := workflow.GetVersion(ctx, "start-items-together", workflow.DefaultVersion, 1) == 1
	started := make([]workflow.ChildWorkflowFuture, 0, len(infos))
	for _, f := range infos {
		started = append(started, c.startItem(ctx, f))
		if !together {
			if err := itemStarted(ctx, started[len(started)-1]); err != nil {
				return err
			}
		}
	}
	for _, fut := range started {
		if err := itemStarted(ctx, fut); err != nil {
			return err
		}
	}
	return c.commitApproval(ctx, next, in.Actor, len(infos))
}

// Since version 1 an approval is answered once its findings and the new stage are written, and the findings'
// workflows start after, in the background: a review with ten findings no longer waits for ten starts, each a
// workflow task of its own. The district may see a finding before its workflow runs; the core waits for it (see
// usecase's findingAction). Until then the approval waited for every item to start before it was written.
const itemsStartedAfter = "items-started-after-approval"

func (c *cycle) commitApproval(ctx workflow.Context, next CycleState, by vocab.Actor, findings int) error {
	return c.commit(ctx, next, by, "approve", fmt.Sprintf("%d findings", findings),
		notice{ToDistrict, "approved", fmt.Sprintf("市级评估完成, 下达整改问题%d项", findings),
			fmt.Sprintf("The city review is done with %d findings to rectify", findings)})
}

// startItems starts the findings' workflows in the background, each tried again every minute until it runs; the
// run waits for them before it ends or continues as new, like a delivery.
func (c *cycle) startItems(ctx workflow.Context, fs []FindingInfo) {
	for _, f := range fs {
		c.pending++
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer func() { c.pending-- }()
			for {
				err := itemStarted(ctx, c.startItem(ctx, f))
				if err == nil {
					return
				}
				workflow.GetLogger(ctx).Error("a finding's workflow did not start", "finding", f.ID, "error", err)
				if workflow.Sleep(ctx, time.Minute) != nil {
					return
				}
			}
		})
	}
}

// itemStarted waits for an item's workflow to start. Since version 1 an item that already runs counts as started:
// an approval that failed part-way (or a Reset cycle) started some items, and its retry must not fail on them.
func itemStarted(ctx workflow.Context, fut workflow.ChildWorkflowFuture) error {
	err := fut.GetChildWorkflowExecution().Get(ctx, nil)
	var already *temporal.ChildWorkflowExecutionAlreadyStartedError
	if errors.As(err, &already) &&
		workflow.GetVersion(ctx, "item-already-started-is-started", workflow.DefaultVersion, 1) == 1 {
		return nil
	}
	return err
}

// startItem starts a finding's own workflow. It is abandoned, not cancelled, when the cycle ends: open items
// keep their deadlines and escalation into the next year.
func (c *cycle) startItem(ctx workflow.Context, f FindingInfo) workflow.ChildWorkflowFuture {
	now := workflow.Now(ctx)
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            f.ID,
		ParentClosePolicy:     enums.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: searchAttributes(c.p.Year, c.p.District, string(vocab.ItemOpen), false),
	})
	p := ItemParams{ID: f.ID, Year: c.p.Year, District: c.p.District, Seq: f.Seq, Title: f.Title,
		Severity: f.Severity, Source: f.Source, CreatedAt: now, PlanDue: now.Add(c.p.Policy.PlanWithin),
		DueDate: f.DueDate, Policy: c.p.Policy}
	return workflow.ExecuteChildWorkflow(cctx, WorkflowRectificationItem, p)
}

func (c *cycle) reviewAlarm() alarm {
	return alarm{
		guard:          &c.guard,
		due:            func() time.Time { return c.s.Deadlines.CityReview },
		reminders:      c.p.Policy.OfficeReminders,
		remindUnlocked: true,
		remind: func(ctx workflow.Context, left time.Duration) error {
			return c.notify(ctx, notice{ToOffice, "reminder",
				fmt.Sprintf("%s自评报告的市级评估将于%d天后截止", c.p.DistrictName, days(left)),
				fmt.Sprintf("The city review of %s is due in %d days", c.p.DistrictName, days(left))})
		},
		overdue: func(ctx workflow.Context) error {
			if c.s.Stage != vocab.StageCityReview || c.s.ReviewOverdue {
				return nil
			}
			next := c.s
			next.ReviewOverdue = true
			return c.commit(ctx, next, system, "review_overdue", "",
				notice{ToOffice, "overdue", c.p.DistrictName + "的市级评估已逾期",
					"The city review of " + c.p.DistrictName + " is overdue"})
		},
	}
}

// --- application, acceptance, province -------------------------------------------------------------------

func (c *cycle) validateApply(_ workflow.Context, in ApplyInput) error {
	if err := c.districtOnly(in.Actor); err != nil {
		return err
	}
	if c.s.Stage != vocab.StageRectification {
		return c.wrongStage(vocab.StageRectification)
	}
	return nil
}

// apply accepts the application only when the latest submitted evaluation meets the standard and no serious
// finding (of this or an earlier year) is open; otherwise it refuses with every reason.
func (c *cycle) apply(ctx workflow.Context, in ApplyInput) error {
	var reasons []Reason
	if c.s.Verdict != "meets" {
		reasons = append(reasons, Reason{Key: "does_not_meet",
			MessageZh: fmt.Sprintf("最新提交的自评(第%d版)未达到国家标准", c.s.Version),
			MessageEn: fmt.Sprintf("the latest submitted evaluation (version %d) does not meet the standard",
				c.s.Version)})
	}
	var open []FindingInfo
	err := work(ctx, ActivityOpenSeriousFindings, c.p.District).Get(ctx, &open)
	if err != nil {
		return err
	}
	for _, f := range open {
		reasons = append(reasons, Reason{Key: "serious_finding_open:" + f.ID,
			MessageZh: "严重问题尚未销号: " + f.Title, MessageEn: "a serious finding is still open: " + f.Title})
	}
	if len(reasons) > 0 {
		return refuse(ErrConflict, "", "不符合申请认定条件", "the district does not qualify to apply", reasons...)
	}
	next := c.s
	next.AppliedAt, next.Stage = workflow.Now(ctx), vocab.StageCityAcceptance
	return c.commit(ctx, next, in.Actor, "apply", "",
		notice{ToOffice, "applied", c.p.DistrictName + "申请市级验收",
			c.p.DistrictName + " applied for acceptance"})
}

func (c *cycle) applicationAlarm() alarm {
	return alarm{
		guard:          &c.guard,
		due:            func() time.Time { return c.s.Deadlines.Application },
		reminders:      c.p.Policy.DistrictReminders,
		remindUnlocked: true,
		remind: func(ctx workflow.Context, left time.Duration) error {
			return c.notify(ctx, notice{ToDistrict, "reminder", fmt.Sprintf("申请认定将于%d天后截止", days(left)),
				fmt.Sprintf("Applications close in %d days", days(left))})
		},
		overdue: func(ctx workflow.Context) error {
			if c.s.Stage != vocab.StageRectification {
				return nil
			}
			next := c.s
			next.Stage, next.EndReason = vocab.StageNotApplied, "application_deadline_passed"
			return c.commit(ctx, next, system, "not_applied", "",
				notice{ToDistrict, "not_applied", "申请认定截止, 本年度未申请",
					"Applications have closed; the district did not apply this year"})
		},
	}
}

// endUnfinishedAtApplicationDeadline closes a year still in self-assessment or city review when applications
// close: the district can no longer apply (the rectification stage has its own alarm, with reminders).
func (c *cycle) endUnfinishedAtApplicationDeadline(ctx workflow.Context) {
	unfinished := func() bool { return c.s.Stage == vocab.StageSelfAssessment || c.s.Stage == vocab.StageCityReview }
	if due, err := sleepUntil(ctx, c.s.Deadlines.Application, func() bool {
		return !unfinished()
	}); err != nil || !due {
		return
	}
	c.pending++ // the workflow drains this before it ends, like a delivery
	defer func() { c.pending-- }()
	_ = c.locked(ctx, func() error { // a failure here is a cancelled workflow: nothing left to record
		if !unfinished() {
			return nil
		}
		next := c.s
		next.Stage, next.EndReason = vocab.StageNotApplied, "application_deadline_passed"
		return c.commit(ctx, next, system, "not_applied", "",
			notice{ToOffice, "not_applied", c.p.DistrictName + "本年度未完成自评与评估, 已过申请认定截止时间",
				c.p.DistrictName + " did not finish self-assessment and review before applications closed"})
	})
}

func validateDecision(in DecisionInput) error {
	if !in.Passed && in.Comment == "" {
		return invalid("comment", "未通过须说明理由", "a fail needs a comment giving the reasons")
	}
	return checkTexts("comment", in.Comment)
}

func (c *cycle) validateAcceptance(_ workflow.Context, in DecisionInput) error {
	if err := officeOnly(in.Actor); err != nil {
		return err
	}
	if c.s.Stage != vocab.StageCityAcceptance {
		return c.wrongStage(vocab.StageCityAcceptance)
	}
	return validateDecision(in)
}

func (c *cycle) recordAcceptance(ctx workflow.Context, in DecisionInput) error {
	next := c.s
	next.Acceptance = decision(ctx, in)
	next.Stage, next.EndReason, next.ReviewedVersion = vocab.StageProvinceReview, "", c.s.Version
	if !in.Passed {
		next.ReviewedVersion = c.s.ReviewedVersion
		next.Stage, next.EndReason = vocab.StageNotCertified, "city_acceptance_failed"
	}
	ns := []notice{{ToDistrict, "acceptance", passFail(in.Passed, "市级验收通过", "市级验收未通过: "+in.Comment),
		passFail(in.Passed, "City acceptance passed", "City acceptance failed: "+in.Comment)}}
	// The province learns of an application waiting for its review; runs accepted before this asked no one.
	if in.Passed && workflow.GetVersion(ctx, "province-notified", workflow.DefaultVersion, 1) == 1 {
		ns = append(ns, notice{ToProvince, "awaiting_province", c.p.DistrictName + "通过市级验收, 待省级评估认定",
			c.p.DistrictName + " passed city acceptance and awaits the province's review"})
	}
	return c.commit(ctx, next, in.Actor, "acceptance", passFail(in.Passed, "passed", "failed: "+in.Comment),
		ns...)
}

func (c *cycle) validateProvinceResult(_ workflow.Context, in DecisionInput) error {
	if in.Actor.Role != vocab.RoleProvince && in.Actor.Role != vocab.RoleOffice {
		return forbidden("只有省级督导部门或市督导办可以录入省级结果",
			"only the province or the city office may record the province's result")
	}
	if c.s.Stage != vocab.StageProvinceReview {
		return c.wrongStage(vocab.StageProvinceReview)
	}
	if in.Actor.Role == vocab.RoleOffice && in.ReportFile == "" {
		// The office only relays the province's decision: the province's own document is the proof of it.
		return invalid("report_file", "市督导办代为录入省级结果时, 须附省级评估认定文件",
			"the office records the province's result only with the province's document attached (report_file)")
	}
	return validateDecision(in)
}

func (c *cycle) recordProvinceResult(ctx workflow.Context, in DecisionInput) error {
	next := c.s
	next.Province = decision(ctx, in)
	next.Stage = vocab.StageCertified
	if !in.Passed {
		next.Stage, next.EndReason = vocab.StageNotCertified, "province_review_failed"
	}
	detail := passFail(in.Passed, "passed", "failed: "+in.Comment)
	// Version 1 says in the audit trail that the office recorded the province's result on its behalf.
	if in.Actor.Role == vocab.RoleOffice &&
		workflow.GetVersion(ctx, "province-result-on-behalf", workflow.DefaultVersion, 1) == 1 {
		detail = "on behalf of the province (代省级录入), " + detail
	}
	return c.commit(ctx, next, in.Actor, "province_result", detail,
		notice{ToDistrict, "province_result",
			passFail(in.Passed, "省级评估认定通过", "省级评估认定未通过: "+in.Comment),
			passFail(in.Passed, "The province certified the district",
				"The province did not certify the district: "+in.Comment)})
}

func decision(ctx workflow.Context, in DecisionInput) *Decision {
	return &Decision{Passed: in.Passed, RecommendNational: in.RecommendNational, Comment: in.Comment,
		ReportFile: in.ReportFile, By: in.Actor.Name, At: workflow.Now(ctx)}
}

// --- shared ----------------------------------------------------------------------------------------------

func (c *cycle) districtOnly(a vocab.Actor) error {
	if a.Role != vocab.RoleDistrict || a.District != c.p.District {
		return forbidden("只有本区县可以进行此操作", "only this district may do this")
	}
	return nil
}

func officeOnly(a vocab.Actor) error {
	if a.Role != vocab.RoleOffice {
		return forbidden("只有市督导办可以进行此操作", "only the city supervision office may do this")
	}
	return nil
}

// inStage is the recheck of an Update allowed in one stage only.
func inStage[T any](c *cycle, want vocab.CycleStage) func(workflow.Context, T) error {
	return func(workflow.Context, T) error {
		if c.s.Stage != want {
			return c.wrongStage(want)
		}
		return nil
	}
}

func (c *cycle) wrongStage(want vocab.CycleStage) error {
	return conflict(fmt.Sprintf("当前阶段为 %s, 此操作须在 %s 阶段进行", c.s.Stage, want),
		fmt.Sprintf("the cycle is in stage %s; this needs stage %s", c.s.Stage, want))
}

// commit makes next the state with its audit event and notices (see change).
func (c *cycle) commit(ctx workflow.Context, next CycleState, who vocab.Actor, action, detail string,
	ns ...notice) error {
	next.EventsCount++
	rec := CycleRecord{State: next,
		Event: c.event(ctx, vocab.CycleID(c.p.Year, c.p.District), next.EventsCount, who, action, detail)}
	write := recordWith(local, ActivityRecordCycle, func(ns []Notification) any {
		rec.Notifications = ns
		return rec
	})
	return change(ctx, &c.outbox, &c.s, next, write, c.show, c.letter, ns)
}

func (c *cycle) show(ctx workflow.Context) error {
	return show(ctx, c.p.Year, c.p.District, string(c.s.Stage), c.s.Overdue())
}

func (c *cycle) notify(ctx workflow.Context, n notice) error {
	return c.outbox.notify(ctx, c.letter(n))
}

func (c *cycle) letter(n notice) Notification {
	return Notification{Recipient: n.to, Year: c.p.Year, District: c.p.District,
		Target: vocab.CycleID(c.p.Year, c.p.District), Kind: n.kind, TitleZh: n.zh, TitleEn: n.en}
}

func passFail(passed bool, yes, no string) string {
	if passed {
		return yes
	}
	return no
}

func days(d time.Duration) int { return int((d + day - 1) / day) }
