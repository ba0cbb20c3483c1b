package workflows

import (
	"junheng/vocab"
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	f1 = vocab.FindingID(2025, "370211", 1)
	f2 = vocab.FindingID(2025, "370211", 2)
)

const shortfall1 = "resource:sports_area_per_student:school:S007:junior"

func approveWithSerious() ReviewInput {
	return ReviewInput{Actor: office, Decision: "approve", Comment: "整改后申请", Shortfalls: []string{shortfall1},
		Findings: []NewFinding{{Title: "大班额未消除", Detail: "实地督导发现", Source: vocab.SourceOnSite,
			Severity: vocab.SeveritySerious}},
		ReportText: "反馈报告", ReportFile: "file-1"}
}

func planFor(due time.Duration) PlanInput {
	return PlanInput{Actor: clerk, Measures: "新建运动场", ResponsibleUnit: "区教育局", ResponsiblePerson: "张三",
		DueDate: start.Add(due)}
}

func TestCycleHappyPathToCertified(t *testing.T) {
	s := newScenario(t, newFakeStore())
	outs := []*outcome{
		s.at(dd(1), "", UpdateSaveDraft, SaveDraftInput{Actor: clerk, DraftID: 1}),
		s.at(dd(2), "", UpdateSubmit, SubmitInput{Actor: clerk}),
		s.at(dd(10), "", UpdateReview, approveWithSerious()),
		s.at(dd(11), f1, UpdatePlan, planFor(dd(100))),
		s.at(dd(11), f2, UpdatePlan, planFor(dd(100))),
		s.at(dd(12), f1, UpdateReportProgress, NoteInput{Actor: clerk, Note: "已开工", Evidence: []string{"file-2"}}),
		s.at(dd(20), f1, UpdateRequestClose, NoteInput{Actor: clerk, Note: "已完工"}),
		s.at(dd(21), f1, UpdateVerify, VerifyInput{Actor: office, Accepted: false, Comment: "缺验收材料"}),
		s.at(dd(25), f1, UpdateRequestClose, NoteInput{Actor: clerk, Note: "补充验收材料", Evidence: []string{"file-3"}}),
		s.at(dd(26), f1, UpdateVerify, VerifyInput{Actor: office, Accepted: true, Comment: "同意销号"}),
		s.at(dd(27), f2, UpdateRequestClose, NoteInput{Actor: clerk, Note: "已分班"}),
		s.at(dd(28), f2, UpdateVerify, VerifyInput{Actor: office, Accepted: true}),
		s.at(dd(30), "", UpdateSaveDraft, SaveDraftInput{Actor: clerk, DraftID: 2}),
		s.at(dd(30.5), "", UpdateSubmit, SubmitInput{Actor: clerk}),
		s.at(dd(31), "", UpdateApply, ApplyInput{Actor: clerk}),
		s.at(dd(40), "", UpdateRecordAcceptance, DecisionInput{Actor: office, Passed: true, Comment: "验收通过"}),
		s.at(dd(50), "", UpdateRecordProvinceResult,
			DecisionInput{Actor: province, Passed: true, RecommendNational: true}),
	}
	inReview := probe[CycleState](s, dd(5), vocab.CycleID(2025, "370211"))
	item1 := probe[ItemState](s, dd(22), f1)

	st := s.runCycle(cycleParams())
	ok(t, outs...)
	if err := s.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if inReview.Stage != vocab.StageCityReview || inReview.Version != 1 || inReview.Verdict != "does_not_meet" {
		t.Errorf("after submit: %+v", inReview)
	}
	if item1.Status != vocab.ItemInProgress || item1.Rejections != 1 || item1.LastComment != "缺验收材料" {
		t.Errorf("item 1 after rejected verification: %+v", item1)
	}
	if st.Stage != vocab.StageCertified || st.Version != 2 || st.Verdict != "meets" || !st.Province.RecommendNational ||
		!slices.Equal(st.Findings, []string{f1, f2}) || st.Review.ReportFile != "file-1" || st.SubmittedLate {
		t.Errorf("final state: %+v", st)
	}
	for prefix, want := range map[string][]string{
		"cycle:": {"cycle_opened", "save_draft", "submit", "approve", "save_draft", "submit", "apply", "acceptance",
			"province_result"},
		f1 + ":": {"finding_opened", "plan", "progress", "request_close", "verify_rejected", "request_close",
			"verify_accepted"},
		f2 + ":": {"finding_opened", "plan", "request_close", "verify_accepted"},
	} {
		if got := s.store.actions(prefix); !slices.Equal(got, want) {
			t.Errorf("events of %s\n got %v\nwant %v", prefix, got, want)
		}
	}
	if n := s.store.count(ToDistrict, "reminder", ""); n != 0 {
		t.Errorf("%d reminders sent to a district that was early", n)
	}
	if n := s.store.count(ToProvince, "awaiting_province", vocab.CycleID(2025, "370211")); n != 1 {
		t.Errorf("%d notices to the province of the application awaiting it, want 1", n)
	}
	if got := s.store.detail("cycle:", "province_result"); strings.Contains(got, "behalf") {
		t.Errorf("the province's own record reads %q", got)
	}
}

func TestReturnAndResubmit(t *testing.T) {
	s := newScenario(t, newFakeStore())
	newDeadline := start.Add(dd(60))
	outs := []*outcome{
		s.at(dd(1), "", UpdateSaveDraft, SaveDraftInput{Actor: clerk, DraftID: 1}),
		s.at(dd(2), "", UpdateSubmit, SubmitInput{Actor: clerk}),
		s.at(dd(10), "", UpdateReview,
			ReviewInput{Actor: office, Decision: "return", Comment: "数据不完整", Deadline: newDeadline}),
		s.at(dd(20), "", UpdateSaveDraft, SaveDraftInput{Actor: clerk, DraftID: 2}),
		s.at(dd(21), "", UpdateSubmit, SubmitInput{Actor: clerk}),
	}
	returned := probe[CycleState](s, dd(11), vocab.CycleID(2025, "370211"))
	s.cancelAt(dd(22))
	st := s.runCycle(cycleParams())
	ok(t, outs...)
	if returned.Stage != vocab.StageSelfAssessment || !returned.Deadlines.SelfAssessment.Equal(newDeadline) ||
		len(returned.Returns) != 1 {
		t.Errorf("after return: %+v", returned)
	}
	if st.Stage != vocab.StageCityReview || st.Version != 2 || st.Verdict != "meets" || st.SubmittedLate {
		t.Errorf("after resubmission: %+v", st)
	}
	if s.store.count(ToDistrict, "returned", "") != 1 {
		t.Error("the district was not told of the return")
	}
}

func TestReturnedDeadlineDrivesReminders(t *testing.T) {
	s := newScenario(t, newFakeStore())
	s.at(dd(1), "", UpdateSaveDraft, SaveDraftInput{Actor: clerk, DraftID: 1})
	s.at(dd(2), "", UpdateSubmit, SubmitInput{Actor: clerk})
	// Returned with 20 days to go: the 30-day reminder is already past, the 7- and 1-day ones fire, then overdue.
	s.at(dd(10), "", UpdateReview,
		ReviewInput{Actor: office, Decision: "return", Comment: "补充材料", Deadline: start.Add(dd(30))})
	s.cancelAt(dd(40))
	st := s.runCycle(cycleParams())
	if n := s.store.count(ToDistrict, "reminder", ""); n != 2 {
		t.Errorf("reminders after a return with 20 days left: %d, want 2", n)
	}
	if !st.SelfAssessmentOverdue || s.store.count(ToOffice, "overdue", "") != 1 {
		t.Errorf("missed returned deadline not flagged: %+v", st)
	}
}

func TestLateSelfAssessmentIsAcceptedAndMarked(t *testing.T) {
	s := newScenario(t, newFakeStore())
	deadline := dd(121.625) // 2026-01-01 00:00 Asia/Shanghai
	before := probe[CycleState](s, deadline-time.Minute, vocab.CycleID(2025, "370211"))
	after := probe[CycleState](s, deadline+time.Minute, vocab.CycleID(2025, "370211"))
	outs := []*outcome{
		s.at(deadline+dd(3), "", UpdateSaveDraft, SaveDraftInput{Actor: clerk, DraftID: 1}),
		s.at(deadline+dd(4), "", UpdateSubmit, SubmitInput{Actor: clerk}),
	}
	s.cancelAt(deadline + dd(5))
	st := s.runCycle(cycleParams())
	ok(t, outs...)
	if before.SelfAssessmentOverdue || !after.SelfAssessmentOverdue || !after.Overdue() {
		t.Errorf("overdue mark: before %v, after %v", before.SelfAssessmentOverdue, after.SelfAssessmentOverdue)
	}
	if n := s.store.count(ToDistrict, "reminder", ""); n != 3 {
		t.Errorf("reminders before the self-assessment deadline: %d, want 3 (30, 7 and 1 days)", n)
	}
	if s.store.count(ToOffice, "overdue", "") != 1 {
		t.Error("office not notified of the overdue self-assessment")
	}
	if st.Stage != vocab.StageCityReview || !st.SubmittedLate {
		t.Errorf("late submission: %+v", st)
	}
}

func TestLateSelfAssessmentClosedByPolicy(t *testing.T) {
	s := newScenario(t, newFakeStore())
	p := cycleParams()
	p.Policy.AcceptLateSelfAssessment = false
	early := s.at(dd(1), "", UpdateSaveDraft, SaveDraftInput{Actor: clerk, DraftID: 1})
	st := s.runCycle(p)
	ok(t, early)
	if st.Stage != vocab.StageNotApplied || st.EndReason != "self_assessment_missed" {
		t.Errorf("closed policy: %+v", st)
	}
}

func TestOverdueReviewIsFlaggedAndStillDecidable(t *testing.T) {
	s := newScenario(t, newFakeStore())
	reviewDeadline := dd(211.625) // 2026-04-01 00:00
	s.at(dd(1), "", UpdateSaveDraft, SaveDraftInput{Actor: clerk, DraftID: 1})
	s.at(dd(2), "", UpdateSubmit, SubmitInput{Actor: clerk})
	flagged := probe[CycleState](s, reviewDeadline+time.Hour, vocab.CycleID(2025, "370211"))
	late := s.at(reviewDeadline+dd(2), "", UpdateReview,
		ReviewInput{Actor: office, Decision: "approve", Shortfalls: []string{}})
	s.cancelAt(reviewDeadline + dd(3))
	st := s.runCycle(cycleParams())
	ok(t, late)
	if !flagged.ReviewOverdue || !flagged.Overdue() || s.store.count(ToOffice, "overdue", "") != 1 {
		t.Errorf("overdue review not flagged: %+v", flagged)
	}
	if n := s.store.count(ToOffice, "reminder", ""); n != 2 {
		t.Errorf("office reminders: %d, want 2 (7 and 1 days)", n)
	}
	if st.Stage != vocab.StageRectification || st.Overdue() || len(st.Findings) != 0 {
		t.Errorf("after a late approval with no findings: %+v", st)
	}
}

func TestApplicationRefusedWithReasonsThenAcceptedThenAcceptanceFails(t *testing.T) {
	s := newScenario(t, newFakeStore())
	s.at(dd(1), "", UpdateSaveDraft, SaveDraftInput{Actor: clerk, DraftID: 1})
	s.at(dd(2), "", UpdateSubmit, SubmitInput{Actor: clerk})
	s.at(dd(10), "", UpdateReview, approveWithSerious())
	refusedBoth := s.at(dd(11), "", UpdateApply, ApplyInput{Actor: clerk})
	s.at(dd(12), "", UpdateSaveDraft, SaveDraftInput{Actor: clerk, DraftID: 2})
	s.at(dd(13), "", UpdateSubmit, SubmitInput{Actor: clerk})
	refusedSerious := s.at(dd(14), "", UpdateApply, ApplyInput{Actor: clerk})
	s.at(dd(15), f2, UpdatePlan, planFor(dd(60)))
	s.at(dd(16), f2, UpdateRequestClose, NoteInput{Actor: clerk, Note: "已整改"})
	s.at(dd(17), f2, UpdateVerify, VerifyInput{Actor: office, Accepted: true})
	accepted := s.at(dd(18), "", UpdateApply, ApplyInput{Actor: clerk})
	failNoComment := s.at(dd(19), "", UpdateRecordAcceptance, DecisionInput{Actor: office, Passed: false})
	fail := s.at(dd(20), "", UpdateRecordAcceptance, DecisionInput{Actor: office, Passed: false, Comment: "现场核查不达标"})
	st := s.runCycle(cycleParams())

	r := refused(t, refusedBoth, ErrConflict)
	if len(r.Reasons) != 2 || r.Reasons[0].Key != "does_not_meet" || r.Reasons[1].Key != "serious_finding_open:"+f2 {
		t.Errorf("first refusal reasons: %+v", r.Reasons)
	}
	r = refused(t, refusedSerious, ErrConflict)
	if len(r.Reasons) != 1 || r.Reasons[0].Key != "serious_finding_open:"+f2 {
		t.Errorf("second refusal reasons: %+v", r.Reasons)
	}
	ok(t, accepted, fail)
	refused(t, failNoComment, ErrInvalid)
	if st.Stage != vocab.StageNotCertified || st.EndReason != "city_acceptance_failed" ||
		st.Acceptance.Comment != "现场核查不达标" {
		t.Errorf("after failed acceptance: %+v", st)
	}
}

// detail is the audit detail of the last event of action among the workflow's whose keys start with prefix.
func (f *fakeStore) detail(prefix, action string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range slices.Backward(f.events) {
		if strings.HasPrefix(e.Key, prefix) && e.Action == action {
			return e.Detail
		}
	}
	return ""
}

// TestProvinceFail: the office records the province's result on its behalf, only with the province's document
// attached, and the audit trail says so.
func TestProvinceFail(t *testing.T) {
	s := newScenario(t, newFakeStore())
	s.at(dd(1), "", UpdateSaveDraft, SaveDraftInput{Actor: clerk, DraftID: 2})
	s.at(dd(2), "", UpdateSubmit, SubmitInput{Actor: clerk})
	s.at(dd(3), "", UpdateReview, ReviewInput{Actor: office, Decision: "approve"})
	s.at(dd(4), "", UpdateApply, ApplyInput{Actor: clerk})
	s.at(dd(5), "", UpdateRecordAcceptance, DecisionInput{Actor: office, Passed: true})
	byDistrict := s.at(dd(6), "", UpdateRecordProvinceResult, DecisionInput{Actor: clerk, Passed: true})
	undocumented := s.at(dd(6.5), "", UpdateRecordProvinceResult,
		DecisionInput{Actor: office, Passed: false, Comment: "省级复核未通过"})
	fail := s.at(dd(7), "", UpdateRecordProvinceResult,
		DecisionInput{Actor: office, Passed: false, Comment: "省级复核未通过", ReportFile: "province-file"})
	st := s.runCycle(cycleParams())
	refused(t, byDistrict, ErrForbidden)
	if r := refused(t, undocumented, ErrInvalid); r.Field != "report_file" {
		t.Errorf("the office without the province's document: refused on %q", r.Field)
	}
	ok(t, fail)
	if st.Stage != vocab.StageNotCertified || st.EndReason != "province_review_failed" || st.Province.Passed ||
		st.Province.ReportFile != "province-file" {
		t.Errorf("after province fail: %+v", st)
	}
	if got := s.store.detail("cycle:", "province_result"); !strings.Contains(got, "on behalf of the province") {
		t.Errorf("the audit of the office's record: %q", got)
	}
}

func TestNotAppliedByDeadline(t *testing.T) {
	s := newScenario(t, newFakeStore())
	applicationDeadline := dd(272.625) // 2026-06-01 00:00
	s.at(dd(1), "", UpdateSaveDraft, SaveDraftInput{Actor: clerk, DraftID: 1})
	s.at(dd(2), "", UpdateSubmit, SubmitInput{Actor: clerk})
	s.at(dd(10), "", UpdateReview, ReviewInput{Actor: office, Decision: "approve", Shortfalls: []string{}})
	st := s.runCycle(cycleParams())
	if st.Stage != vocab.StageNotApplied || st.EndReason != "application_deadline_passed" {
		t.Errorf("after the application deadline: %+v", st)
	}
	if n := s.store.count(ToDistrict, "reminder", ""); n != 3 {
		t.Errorf("application reminders: %d, want 3", n)
	}
	last := s.store.cycles[len(s.store.cycles)-1]
	if last.Event.Action != "not_applied" || last.Event.Actor.Role != vocab.RoleSystem {
		t.Errorf("last event: %+v", last.Event)
	}
	_ = applicationDeadline
}

func TestCarriedOverSeriousItemBlocksNextYearsApplication(t *testing.T) {
	store := newFakeStore()
	// 2025: approved with a serious finding nobody closes; the year ends not applied.
	s := newScenario(t, store)
	s.at(dd(1), "", UpdateSaveDraft, SaveDraftInput{Actor: clerk, DraftID: 1})
	s.at(dd(2), "", UpdateSubmit, SubmitInput{Actor: clerk})
	s.at(dd(10), "", UpdateReview, approveWithSerious())
	first := s.runCycle(cycleParams())
	if first.Stage != vocab.StageNotApplied {
		t.Fatalf("2025 ended in %s", first.Stage)
	}
	if store.items[f2].Status != vocab.ItemOpen || !store.items[f2].Escalated {
		t.Fatalf("the 2025 serious item should be open and escalated: %+v", store.items[f2])
	}
	// 2026: the district meets the standard, but the open 2025 item is carried over and blocks its application.
	s = newScenario(t, store)
	p := cycleParams()
	p.Year, p.Deadlines = 2026, DefaultCalendar.Deadlines(2026, shanghai)
	s.at(dd(1), "", UpdateSaveDraft, SaveDraftInput{Actor: clerk, DraftID: 2})
	s.at(dd(2), "", UpdateSubmit, SubmitInput{Actor: clerk})
	s.at(dd(3), "", UpdateReview, ReviewInput{Actor: office, Decision: "approve"})
	apply := s.at(dd(4), "", UpdateApply, ApplyInput{Actor: clerk})
	s.cancelAt(dd(5))
	s.runCycle(p)
	r := refused(t, apply, ErrConflict)
	if len(r.Reasons) != 1 || r.Reasons[0].Key != "serious_finding_open:"+f2 {
		t.Errorf("2026 refusal: %+v", r.Reasons)
	}
}

func TestCycleValidators(t *testing.T) {
	s := newScenario(t, newFakeStore())
	type want struct {
		o    *outcome
		kind string
	}
	cases := []want{
		// nothing saved
		{s.at(dd(0.1), "", UpdateSubmit, SubmitInput{Actor: clerk}), ErrConflict},
		// not a district
		{s.at(dd(0.2), "", UpdateSaveDraft, SaveDraftInput{Actor: office, DraftID: 1}), ErrForbidden},
		// another district
		{s.at(dd(0.3), "", UpdateSaveDraft, SaveDraftInput{Actor: otherClerk, DraftID: 1}), ErrForbidden},
		// no draft
		{s.at(dd(0.4), "", UpdateSaveDraft, SaveDraftInput{Actor: clerk}), ErrInvalid},
		// wrong stage
		{s.at(dd(0.5), "", UpdateReview, ReviewInput{Actor: office, Decision: "approve"}), ErrConflict},
		// wrong stage
		{s.at(dd(0.6), "", UpdateApply, ApplyInput{Actor: clerk}), ErrConflict},
		// wrong stage
		{s.at(dd(0.7), "", UpdateRecordAcceptance, DecisionInput{Actor: office, Passed: true}), ErrConflict},
	}
	s.at(dd(1), "", UpdateSaveDraft, SaveDraftInput{Actor: clerk, DraftID: 1})
	s.at(dd(2), "", UpdateSubmit, SubmitInput{Actor: clerk})
	cases = append(cases,
		want{s.at(dd(3), "", UpdateSubmit, SubmitInput{Actor: clerk}), ErrConflict}, // already submitted
		want{s.at(dd(3), "", UpdateReview, ReviewInput{Actor: clerk, Decision: "approve"}), ErrForbidden},
		want{s.at(dd(3), "", UpdateReview, ReviewInput{Actor: office, Decision: "maybe"}), ErrInvalid},
		want{s.at(dd(3), "", UpdateReview,
			ReviewInput{Actor: office, Decision: "return", Deadline: start.Add(dd(60))}), ErrInvalid},
		want{s.at(dd(3), "", UpdateReview,
			ReviewInput{Actor: office, Decision: "return", Comment: "x", Deadline: start}), ErrInvalid},
		want{s.at(dd(3), "", UpdateReview,
			ReviewInput{Actor: office, Decision: "approve", Shortfalls: []string{"nope"}}), ErrInvalid},
		want{s.at(dd(3), "", UpdateReview, ReviewInput{Actor: office, Decision: "approve",
			Findings: []NewFinding{{Title: "x", Source: "rumour", Severity: vocab.SeverityNormal}}}), ErrInvalid},
		want{s.at(dd(3), "", UpdateReview, ReviewInput{Actor: office, Decision: "approve",
			Findings: []NewFinding{{Title: "x", Source: vocab.SourceOnSite, Severity: "grave"}}}), ErrInvalid},
		want{s.at(dd(3), "", UpdateReview, ReviewInput{Actor: office, Decision: "approve",
			Findings: []NewFinding{{Source: vocab.SourceOnSite, Severity: vocab.SeverityNormal}}}), ErrInvalid},
		want{s.at(dd(3), "", UpdateReview, ReviewInput{Actor: office, Decision: "approve",
			Findings: []NewFinding{{Title: "x", Source: vocab.SourceOnSite, Severity: vocab.SeverityNormal,
				DueDate: start}}}), ErrInvalid},
		want{s.at(dd(3), "", UpdateSaveDraft, SaveDraftInput{Actor: clerk, DraftID: 2}), ErrConflict}, // in review
		want{s.at(dd(3), "", UpdateApply, ApplyInput{Actor: clerk}), ErrConflict},
	)
	s.at(dd(4), "", UpdateReview, ReviewInput{Actor: office, Decision: "approve", Shortfalls: []string{}})
	cases = append(cases,
		want{s.at(dd(5), "", UpdateApply, ApplyInput{Actor: otherClerk}), ErrForbidden},
		want{s.at(dd(5), "", UpdateRecordProvinceResult, DecisionInput{Actor: office, Passed: true}), ErrConflict},
	)
	s.cancelAt(dd(6))
	st := s.runCycle(cycleParams())
	for _, c := range cases {
		refused(t, c.o, c.kind)
	}
	if st.Stage != vocab.StageRectification || st.Version != 1 {
		t.Errorf("refused updates changed the state: %+v", st)
	}
}

func TestEveryNotificationIsDeliveredBeforeTheCycleEnds(t *testing.T) {
	for _, failing := range []bool{false, true} {
		store := newFakeStore()
		store.channels, store.failing = 2, failing
		s := newScenario(t, store)
		s.at(dd(1), "", UpdateSaveDraft, SaveDraftInput{Actor: clerk, DraftID: 2})
		s.at(dd(2), "", UpdateSubmit, SubmitInput{Actor: clerk})
		s.at(dd(3), "", UpdateReview, ReviewInput{Actor: office, Decision: "approve"})
		s.at(dd(4), "", UpdateApply, ApplyInput{Actor: clerk})
		s.at(dd(5), "", UpdateRecordAcceptance, DecisionInput{Actor: office, Passed: true})
		s.at(dd(6), "", UpdateRecordProvinceResult, DecisionInput{Actor: province, Passed: true})
		st := s.runCycle(cycleParams())
		if err := s.env.GetWorkflowError(); err != nil || st.Stage != vocab.StageCertified {
			t.Fatalf("failing channels %v: %v, %s", failing, err, st.Stage)
		}
		var keys []string
		for _, n := range store.notes {
			keys = append(keys, n.Key)
		}
		// Deliveries run in the background: two notices of one change may be delivered in either order.
		slices.Sort(keys)
		slices.Sort(store.sent)
		if !slices.Equal(store.sent, keys) {
			t.Errorf("failing channels %v: delivered %v, notified %v", failing, store.sent, keys)
		}
	}
}

func TestYearNeverSubmittedEndsAtTheApplicationDeadline(t *testing.T) {
	s := newScenario(t, newFakeStore())
	st := s.runCycle(cycleParams())
	if st.Stage != vocab.StageNotApplied || st.EndReason != "application_deadline_passed" || !st.SelfAssessmentOverdue {
		t.Errorf("a district that never submitted: %+v", st)
	}
	if s.store.count(ToOffice, "not_applied", "") != 1 {
		t.Error("the office was not told")
	}
}
