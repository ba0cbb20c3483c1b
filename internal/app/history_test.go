package app

import (
	"context"
	"os"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"junheng/progress"
	"junheng/store"
	"junheng/vocab"
	"junheng/workflows"
)

// historySuffix names the histories this release records; a change guarded by workflow.GetVersion takes a new one.
const historySuffix = "_v8.json"

// TestRecordHistories records, with JUNHENG_RECORD_HISTORY=1, the histories of the long-lived paths that
// workflows/replay_test.go replays in CI: a year returned and resubmitted with reminders, an overdue review and
// the application deadline passing; a year, an item and a plan continuing as new (both runs); an item overdue,
// escalated with nags, extended and closed; a school's data reminded, overdue, submitted late, returned,
// resubmitted and accepted. Deadlines are seconds apart, so it runs in real time (about a
// minute). Record again, with a new suffix, after a change guarded by workflow.GetVersion.
func TestRecordHistories(t *testing.T) {
	if os.Getenv("JUNHENG_RECORD_HISTORY") == "" {
		t.Skip("set JUNHENG_RECORD_HISTORY=1 to record the replay histories")
	}
	dir := "../../workflows/testdata/"
	p := start(t, testConfig(t, t.TempDir(), ""))
	defer p.Close()
	c := p.Temporal
	ctx := context.Background()
	sec := func(n float64) time.Duration { return time.Duration(n * float64(time.Second)) }
	policy := workflows.DefaultPolicy()
	policy.DistrictReminders, policy.OfficeReminders = []time.Duration{sec(2)}, []time.Duration{sec(2)}
	policy.ItemReminders, policy.EscalationInterval, policy.PlanWithin = []time.Duration{sec(1)}, sec(2), sec(3)
	policy.MaxRectification = 24 * time.Hour

	// A year: a reminder, submitted, returned, resubmitted, its review overdue, approved, applications closed.
	t0 := time.Now()
	year := vocab.CycleID(2025, codeA)
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: year, TaskQueue: workflows.TaskQueue},
		workflows.WorkflowDistrictCycle, workflows.CycleParams{Year: 2025, District: codeA, DistrictName: "黄岛区",
			Policy: policy, Deadlines: workflows.Deadlines{SelfAssessment: t0.Add(sec(4)), CityReview: t0.Add(sec(10)),
				Application: t0.Add(sec(16))}})
	if err != nil {
		t.Fatal(err)
	}
	at := func(d time.Duration) { time.Sleep(time.Until(t0.Add(d))) }
	failing := sampleDraft(t, p.Store, dropRecognition)
	at(sec(3))
	save := func(id string, draft int64) {
		must[workflows.CycleState](t, c, id, workflows.UpdateSaveDraft,
			workflows.SaveDraftInput{Actor: clerk, DraftID: draft})
	}
	save(year, failing)
	must[workflows.CycleState](t, c, year, workflows.UpdateSubmit, workflows.SubmitInput{Actor: clerk})
	must[workflows.CycleState](t, c, year, workflows.UpdateReview, workflows.ReviewInput{Actor: office,
		Decision: "return", Comment: "补充材料", Deadline: t0.Add(sec(8))})
	meeting := sampleDraft(t, p.Store, noEdit)
	at(sec(7))
	save(year, meeting)
	must[workflows.CycleState](t, c, year, workflows.UpdateSubmit, workflows.SubmitInput{Actor: clerk})
	at(sec(11))
	must[workflows.CycleState](t, c, year, workflows.UpdateReview, workflows.ReviewInput{Actor: office,
		Decision: "approve", Comment: "同意", Shortfalls: []string{}})
	var ended workflows.CycleState
	if err := c.GetWorkflow(ctx, year, "").Get(ctx, &ended); err != nil || ended.Stage != vocab.StageNotApplied ||
		!ended.ReviewOverdue || len(ended.Returns) != 1 {
		t.Fatalf("the year ended %+v, %v", ended, err)
	}
	recordHistory(t, c, year, "", dir+"cycle_history"+historySuffix)

	// An item: reminded, planned, overdue and escalated with nags, extended, closed.
	t0 = time.Now()
	item := vocab.FindingID(2025, codeA, 1)
	_, err = c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: item, TaskQueue: workflows.TaskQueue},
		workflows.WorkflowRectificationItem, workflows.ItemParams{ID: item, Year: 2025, District: codeA, Seq: 1,
			Title: "运动场面积不足", Severity: vocab.SeverityNormal, Source: vocab.SourceSelfAssessment,
			CreatedAt: t0, PlanDue: t0.Add(sec(3)), Policy: policy})
	if err != nil {
		t.Fatal(err)
	}
	at(sec(2.5))
	must[workflows.ItemState](t, c, item, workflows.UpdatePlan, workflows.PlanInput{Actor: clerk, Measures: "新建运动场",
		ResponsibleUnit: "区教育局", ResponsiblePerson: "张三", DueDate: t0.Add(sec(5))})
	at(sec(9.5))
	must[workflows.ItemState](t, c, item, workflows.UpdateRequestExtension, workflows.ExtensionInput{Actor: clerk,
		DueDate: t0.Add(sec(30)), Reason: "雨季施工"})
	must[workflows.ItemState](t, c, item, workflows.UpdateDecideExtension,
		workflows.ExtensionDecisionInput{Actor: office, Approved: true})
	must[workflows.ItemState](t, c, item, workflows.UpdateRecordTalk, workflows.TalkInput{Actor: office, Kind: "talk",
		Note: "约谈分管副区长"})
	must[workflows.ItemState](t, c, item, workflows.UpdateRequestClose, workflows.NoteInput{Actor: clerk, Note: "已完工"})
	var closed workflows.ItemState
	must[workflows.ItemState](t, c, item, workflows.UpdateVerify, workflows.VerifyInput{Actor: office, Accepted: true})
	if err := c.GetWorkflow(ctx, item, "").Get(ctx, &closed); err != nil || !closed.Escalated || closed.Reminders < 3 ||
		closed.Status != vocab.ItemClosed || len(closed.Extensions) != 1 {
		t.Fatalf("the item ended %+v, %v", closed, err)
	}
	recordHistory(t, c, item, "", dir+"item_history"+historySuffix)

	// A year, an item and a plan past their history limits: each continues as new; both runs are recorded.
	long := vocab.CycleID(2026, codeA)
	first, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: long, TaskQueue: workflows.TaskQueue},
		workflows.WorkflowDistrictCycle, workflows.CycleParams{Year: 2026, District: codeA, DistrictName: "黄岛区",
			Policy: workflows.DefaultPolicy(), Deadlines: ahead(time.UTC), HistoryLimit: 30})
	if err != nil {
		t.Fatal(err)
	}
	for range 4 {
		d := &store.Draft{Year: 2026, DistrictCode: codeA, Data: sampleInput(t, noEdit), CreatedBy: "clerk",
			CreatedAt: time.Now()}
		if err := p.Store.AddDraft(ctx, d); err != nil {
			t.Fatal(err)
		}
		save(long, d.ID)
	}
	must[workflows.CycleState](t, c, long, workflows.UpdateSubmit, workflows.SubmitInput{Actor: clerk})
	recordHistory(t, c, long, first.GetRunID(), dir+"cycle_continued_history"+historySuffix)
	recordHistory(t, c, long, "", dir+"cycle_continuing_history"+historySuffix)

	longItem := vocab.FindingID(2026, codeA, 1)
	firstItem, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: longItem, TaskQueue: workflows.TaskQueue},
		workflows.WorkflowRectificationItem, workflows.ItemParams{ID: longItem, Year: 2026, District: codeA, Seq: 1,
			Title: "大班额", Severity: vocab.SeverityNormal, Source: vocab.SourceOnSite, CreatedAt: time.Now(),
			PlanDue: time.Now().Add(24 * time.Hour), Policy: workflows.DefaultPolicy(), HistoryLimit: 25})
	if err != nil {
		t.Fatal(err)
	}
	must[workflows.ItemState](t, c, longItem, workflows.UpdatePlan, workflows.PlanInput{Actor: clerk, Measures: "分班",
		ResponsibleUnit: "区教育局", ResponsiblePerson: "李四", DueDate: time.Now().Add(48 * time.Hour)})
	for _, note := range []string{"已招聘教师", "已调整教室", "已分班"} {
		must[workflows.ItemState](t, c, longItem, workflows.UpdateReportProgress,
			workflows.NoteInput{Actor: clerk, Note: note})
	}
	recordHistory(t, c, longItem, firstItem.GetRunID(), dir+"item_continued_history"+historySuffix)
	recordHistory(t, c, longItem, "", dir+"item_continuing_history"+historySuffix)

	plan := vocab.CreationPlanID(codeA)
	firstPlan, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: plan, TaskQueue: workflows.TaskQueue},
		workflows.WorkflowCreationPlan, workflows.CreationPlanParams{District: codeA, HistoryLimit: 20})
	if err != nil {
		t.Fatal(err)
	}
	zero := 0
	submission := workflows.PlanSubmission{Actor: clerk, ResponsibilityFile: "file-zrs",
		Plan: progress.Plan{TargetYear: 2027,
			Milestones: []progress.Milestone{{Year: 2026, Schools: []string{"S007"}},
				{Year: 2027, OversizedMax: &zero}}}}
	for _, in := range []any{submission, workflows.PlanReview{Actor: office, Version: 1, Approved: true, Comment: "同意"},
		submission, workflows.PlanReview{Actor: office, Version: 2, Approved: false, Comment: "目标年份过晚"}} {
		name := workflows.UpdateSubmitPlan
		if _, ok := in.(workflows.PlanReview); ok {
			name = workflows.UpdateReviewPlan
		}
		must[workflows.CreationPlanState](t, c, plan, name, in)
	}
	recordHistory(t, c, plan, firstPlan.GetRunID(), dir+"plan_continued_history"+historySuffix)
	recordHistory(t, c, plan, "", dir+"plan_continuing_history"+historySuffix)

	// A year to certification, started with its first save (an Update in its first workflow task), its review
	// starting items as children; and a plan started by its first submission, as the API starts one.
	certified := vocab.CycleID(2027, codeA)
	draft := &store.Draft{Year: 2027, DistrictCode: codeA, Data: sampleInput(t, dropRecognition),
		CreatedBy: "clerk", CreatedAt: time.Now()}
	if err := p.Store.AddDraft(ctx, draft); err != nil {
		t.Fatal(err)
	}
	withStart(t, c, certified, workflows.WorkflowDistrictCycle, workflows.CycleParams{Year: 2027, District: codeA,
		DistrictName: "黄岛区", Policy: workflows.DefaultPolicy(), Deadlines: ahead(time.UTC)},
		workflows.UpdateSaveDraft, workflows.SaveDraftInput{Actor: clerk, DraftID: draft.ID})
	must[workflows.CycleState](t, c, certified, workflows.UpdateSubmit, workflows.SubmitInput{Actor: clerk})
	st := must[workflows.CycleState](t, c, certified, workflows.UpdateReview, workflows.ReviewInput{Actor: office,
		Decision: "approve", Comment: "整改后申请", Findings: []workflows.NewFinding{{Title: "大班额",
			Source: vocab.SourceOnSite, Severity: vocab.SeveritySerious}}})
	for _, f := range st.Findings {
		must[workflows.ItemState](t, c, f, workflows.UpdatePlan, workflows.PlanInput{Actor: clerk, Measures: "整改",
			ResponsibleUnit: "区教育局", ResponsiblePerson: "张三", DueDate: time.Now().Add(60 * 24 * time.Hour)})
		must[workflows.ItemState](t, c, f, workflows.UpdateRequestClose, workflows.NoteInput{Actor: clerk, Note: "已完成"})
		must[workflows.ItemState](t, c, f, workflows.UpdateVerify, workflows.VerifyInput{Actor: office, Accepted: true})
	}
	meets := &store.Draft{Year: 2027, DistrictCode: codeA, Data: sampleInput(t, noEdit), CreatedBy: "clerk",
		CreatedAt: time.Now()}
	if err := p.Store.AddDraft(ctx, meets); err != nil {
		t.Fatal(err)
	}
	save(certified, meets.ID)
	must[workflows.CycleState](t, c, certified, workflows.UpdateSubmit, workflows.SubmitInput{Actor: clerk})
	must[workflows.CycleState](t, c, certified, workflows.UpdateApply, workflows.ApplyInput{Actor: clerk})
	must[workflows.CycleState](t, c, certified, workflows.UpdateRecordAcceptance,
		workflows.DecisionInput{Actor: office, Passed: true})
	must[workflows.CycleState](t, c, certified, workflows.UpdateRecordProvinceResult,
		workflows.DecisionInput{Actor: province, Passed: true, RecommendNational: true})
	if err := c.GetWorkflow(ctx, certified, "").Get(ctx, &ended); err != nil ||
		ended.Stage != vocab.StageCertified {
		t.Fatalf("the year ended %+v, %v", ended.Stage, err)
	}
	recordHistory(t, c, certified, "", dir+"cycle_certified_history"+historySuffix)
	recordHistory(t, c, st.Findings[len(st.Findings)-1], "", dir+"item_child_history"+historySuffix)

	startedPlan := vocab.CreationPlanID(codeB)
	submission.Actor = vocab.Actor{Name: "市南区教育局", Role: vocab.RoleDistrict, District: codeB}
	withStart(t, c, startedPlan, workflows.WorkflowCreationPlan, workflows.CreationPlanParams{District: codeB},
		workflows.UpdateSubmitPlan, submission)
	must[workflows.CreationPlanState](t, c, startedPlan, workflows.UpdateReviewPlan,
		workflows.PlanReview{Actor: office, Version: 1, Approved: true, Comment: "同意"})
	recordHistory(t, c, startedPlan, "", dir+"plan_started_by_update_history"+historySuffix)

	// A school's data: reminded, overdue, submitted late, returned, resubmitted, accepted, ended at the deadline
	// the district moved.
	t0 = time.Now()
	school := codeA + "0001"
	schoolID := vocab.SchoolID(2025, codeA, school)
	if _, err := p.Store.ClaimSchoolReturns(ctx, 2025, codeA, []string{school}, t0.Add(sec(3))); err != nil {
		t.Fatal(err)
	}
	head := vocab.Actor{Name: "黄岛一小", Role: vocab.RoleSchool, Unit: school}
	if err := p.Store.SaveSchoolDraft(ctx, &store.SchoolDraft{Year: 2025, SchoolCode: school, DistrictCode: codeA,
		Data: sampleInput(t, noEdit).Schools[0], EnteredBy: head.Name, UpdatedAt: t0}, nil); err != nil {
		t.Fatal(err)
	}
	_, err = c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: schoolID, TaskQueue: workflows.TaskQueue},
		workflows.WorkflowSchoolReturn, workflows.SchoolParams{Year: 2025, District: codeA, DistrictName: "黄岛区",
			School: school, SchoolName: "黄岛一小", Deadline: t0.Add(sec(3)), Reminders: []time.Duration{sec(2)},
			OpenedBy: clerk})
	if err != nil {
		t.Fatal(err)
	}
	at(sec(4))
	must[workflows.SchoolState](t, c, schoolID, workflows.UpdateSubmitSchool, workflows.SchoolInput{Actor: head})
	must[workflows.SchoolState](t, c, schoolID, workflows.UpdateReturnSchool,
		workflows.SchoolReturnInput{Actor: clerk, Reason: "在校生数与学籍系统不一致"})
	must[workflows.SchoolState](t, c, schoolID, workflows.UpdateSetSchoolDeadline,
		workflows.SchoolDeadlineInput{Actor: clerk, Deadline: time.Now().Add(sec(3))})
	must[workflows.SchoolState](t, c, schoolID, workflows.UpdateSubmitSchool, workflows.SchoolInput{Actor: head})
	must[workflows.SchoolState](t, c, schoolID, workflows.UpdateAcceptSchool, workflows.SchoolInput{Actor: clerk})
	var accepted workflows.SchoolState
	if err := c.GetWorkflow(ctx, schoolID, "").Get(ctx, &accepted); err != nil ||
		accepted.Status != vocab.SchoolAccepted || accepted.Submissions != 2 {
		t.Fatalf("the school's year ended %+v, %v", accepted, err)
	}
	recordHistory(t, c, schoolID, "", dir+"school_history"+historySuffix)
}

// TestRecordOnBehalfHistory records, apart from the histories of the earlier release, a year in which the office
// records the province's result on its behalf, with the province's document (the version
// "province-result-on-behalf"), after an approval that sets the reviewed version.
func TestRecordOnBehalfHistory(t *testing.T) {
	if os.Getenv("JUNHENG_RECORD_HISTORY") == "" {
		t.Skip("set JUNHENG_RECORD_HISTORY=1 to record the replay histories")
	}
	p := start(t, testConfig(t, t.TempDir(), ""))
	defer p.Close()
	c := p.Temporal
	id := vocab.CycleID(2028, codeA)
	draft := &store.Draft{Year: 2028, DistrictCode: codeA, Data: sampleInput(t, noEdit), CreatedBy: "clerk",
		CreatedAt: time.Now()}
	if err := p.Store.AddDraft(context.Background(), draft); err != nil {
		t.Fatal(err)
	}
	withStart(t, c, id, workflows.WorkflowDistrictCycle, workflows.CycleParams{Year: 2028, District: codeA,
		DistrictName: "黄岛区", Policy: workflows.DefaultPolicy(), Deadlines: ahead(time.UTC)},
		workflows.UpdateSaveDraft, workflows.SaveDraftInput{Actor: clerk, DraftID: draft.ID})
	must[workflows.CycleState](t, c, id, workflows.UpdateSubmit, workflows.SubmitInput{Actor: clerk})
	must[workflows.CycleState](t, c, id, workflows.UpdateReview, workflows.ReviewInput{Actor: office,
		Decision: "approve", Shortfalls: []string{}})
	must[workflows.CycleState](t, c, id, workflows.UpdateApply, workflows.ApplyInput{Actor: clerk})
	must[workflows.CycleState](t, c, id, workflows.UpdateRecordAcceptance,
		workflows.DecisionInput{Actor: office, Passed: true})
	must[workflows.CycleState](t, c, id, workflows.UpdateRecordProvinceResult,
		workflows.DecisionInput{Actor: office, Passed: true, ReportFile: "province-document"})
	var ended workflows.CycleState
	if err := c.GetWorkflow(context.Background(), id, "").Get(context.Background(), &ended); err != nil ||
		ended.Stage != vocab.StageCertified || ended.ReviewedVersion != 1 {
		t.Fatalf("the year ended %s, reviewed version %d, %v", ended.Stage, ended.ReviewedVersion, err)
	}
	recordHistory(t, c, id, "", "../../workflows/testdata/cycle_on_behalf_history_v4.json")
}

// withStart starts a workflow with its first Update, as the API starts a plan.
func withStart(t *testing.T, c client.Client, id, workflow string, params any, update string, arg any) {
	t.Helper()
	ctx := context.Background()
	start := c.NewWithStartWorkflowOperation(client.StartWorkflowOptions{ID: id, TaskQueue: workflows.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING}, workflow, params)
	h, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: update, Args: []any{arg},
			WaitForStage: client.WorkflowUpdateStageCompleted}})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	if err != nil {
		t.Fatalf("%s with start of %s: %v", update, id, err)
	}
}
