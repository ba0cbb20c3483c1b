package workflows

import (
	"errors"
	"junheng/vocab"
	"testing"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"
)

func itemParams() ItemParams {
	return ItemParams{ID: f1, Year: 2025, District: "370211", Seq: 1, Title: "运动场面积不足", Severity: vocab.SeverityNormal,
		Source: vocab.SourceSelfAssessment, CreatedAt: start, PlanDue: start.Add(dd(30)), Policy: DefaultPolicy()}
}

func TestItemOverdueEscalationThenClosed(t *testing.T) {
	s := newScenario(t, newFakeStore())
	outs := []*outcome{
		s.at(dd(5), "", UpdatePlan, planFor(dd(40))),
		s.at(dd(55), "", UpdateRequestClose, NoteInput{Actor: clerk, Note: "已完工", Evidence: []string{"file-9"}}),
		s.at(dd(56), "", UpdateVerify, VerifyInput{Actor: office, Accepted: true, Comment: "同意销号"}),
	}
	before := probe[ItemState](s, dd(39.9), f1)
	after := probe[ItemState](s, dd(40.1), f1)
	st := s.runItem(itemParams())
	ok(t, outs...)
	if err := s.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if before.Overdue || before.Escalated || !after.Overdue || !after.Escalated ||
		!after.EscalatedAt.Equal(start.Add(dd(40))) {
		t.Errorf("overdue at the due date: before %+v, after %+v", before, after)
	}
	counts := map[string]int{
		"reminder":            s.store.count(ToDistrict, "reminder", f1),            // 7 and 1 days before
		"overdue":             s.store.count(ToDistrict, "overdue", f1),             // at the due date
		"escalation":          s.store.count(ToOffice, "escalation", f1),            // the office is told once
		"escalation_reminder": s.store.count(ToDistrict, "escalation_reminder", f1), // +7 and +14 days
	}
	for kind, want := range map[string]int{"reminder": 2, "overdue": 1, "escalation": 1, "escalation_reminder": 2} {
		if counts[kind] != want {
			t.Errorf("%s notifications: %d, want %d", kind, counts[kind], want)
		}
	}
	if st.Status != vocab.ItemClosed || st.Overdue || !st.Escalated || st.Reminders != 4 ||
		!st.ClosedAt.Equal(start.Add(dd(56))) {
		t.Errorf("closed item: %+v", st)
	}
}

func TestItemWithoutPlanEscalatesAtPlanDeadline(t *testing.T) {
	s := newScenario(t, newFakeStore())
	escalated := probe[ItemState](s, dd(30.1), f1)
	late := s.at(dd(31), "", UpdatePlan, planFor(dd(90)))
	s.cancelAt(dd(32))
	st := s.runItem(itemParams())
	ok(t, late)
	if !escalated.Overdue || escalated.Status != vocab.ItemOpen || s.store.count(ToDistrict, "reminder", f1) != 2 {
		t.Errorf("missing plan: %+v", escalated)
	}
	if st.Status != vocab.ItemInProgress || st.Overdue || !st.Escalated {
		t.Errorf("a late plan clears overdue but the item stays listed: %+v", st)
	}
}

func TestItemExtensionApprovedMovesTheTimer(t *testing.T) {
	s := newScenario(t, newFakeStore())
	outs := []*outcome{
		s.at(dd(5), "", UpdatePlan, planFor(dd(40))),
		s.at(dd(30), "", UpdateRequestExtension,
			ExtensionInput{Actor: clerk, DueDate: start.Add(dd(70)), Reason: "施工受雨季影响"}),
		s.at(dd(31), "", UpdateDecideExtension, ExtensionDecisionInput{Actor: office, Approved: true}),
	}
	atOldDue := probe[ItemState](s, dd(41), f1)
	atNewDue := probe[ItemState](s, dd(70.1), f1)
	s.cancelAt(dd(71))
	s.runItem(itemParams())
	ok(t, outs...)
	if atOldDue.Overdue || !atOldDue.DueDate.Equal(start.Add(dd(70))) || len(atOldDue.Extensions) != 1 ||
		atOldDue.Extension != nil {
		t.Errorf("after the old due date: %+v", atOldDue)
	}
	if !atNewDue.Overdue {
		t.Errorf("not overdue at the extended due date: %+v", atNewDue)
	}
	if n := s.store.count(ToDistrict, "reminder", f1); n != 2 {
		t.Errorf("reminders: %d, want 2 (7 and 1 days before the new date)", n)
	}
}

func TestItemExtensionRejectedKeepsTheTimer(t *testing.T) {
	s := newScenario(t, newFakeStore())
	outs := []*outcome{
		s.at(dd(5), "", UpdatePlan, planFor(dd(40))),
		s.at(dd(30), "", UpdateRequestExtension,
			ExtensionInput{Actor: clerk, DueDate: start.Add(dd(70)), Reason: "资金未到位"}),
		s.at(dd(31), "", UpdateDecideExtension,
			ExtensionDecisionInput{Actor: office, Approved: false, Comment: "理由不充分"}),
	}
	atDue := probe[ItemState](s, dd(40.1), f1)
	s.cancelAt(dd(41))
	s.runItem(itemParams())
	ok(t, outs...)
	if !atDue.Overdue || !atDue.DueDate.Equal(start.Add(dd(40))) || atDue.Extensions[0].Approved {
		t.Errorf("rejected extension: %+v", atDue)
	}
}

func TestItemVerificationRejectedAfterDueIsOverdueAtOnce(t *testing.T) {
	s := newScenario(t, newFakeStore())
	outs := []*outcome{
		s.at(dd(5), "", UpdatePlan, planFor(dd(20))),
		s.at(dd(15), "", UpdateRequestClose, NoteInput{Actor: clerk, Note: "已完工"}),
		s.at(dd(25), "", UpdateVerify, VerifyInput{Actor: office, Accepted: false, Comment: "抽查不合格"}),
		s.at(dd(30), "", UpdateRequestClose, NoteInput{Actor: clerk, Note: "已返工"}),
		s.at(dd(31), "", UpdateVerify, VerifyInput{Actor: office, Accepted: true}),
	}
	waiting := probe[ItemState](s, dd(21), f1)
	rejected := probe[ItemState](s, dd(25.1), f1)
	st := s.runItem(itemParams())
	ok(t, outs...)
	if waiting.Overdue || waiting.Status != vocab.ItemAwaitingVerification {
		t.Errorf("an item awaiting verification must not go overdue: %+v", waiting)
	}
	if !rejected.Overdue || rejected.Status != vocab.ItemInProgress || rejected.LastComment != "抽查不合格" {
		t.Errorf("after a rejected verification past the due date: %+v", rejected)
	}
	if st.Status != vocab.ItemClosed || st.Rejections != 1 {
		t.Errorf("final: %+v", st)
	}
}

func TestItemTalksAndCircularsAreCounted(t *testing.T) {
	s := newScenario(t, newFakeStore())
	outs := []*outcome{
		s.at(dd(1), "", UpdateRecordTalk, TalkInput{Actor: office, Kind: "talk", Note: "约谈分管副区长"}),
		s.at(dd(2), "", UpdateRecordTalk, TalkInput{Actor: office, Kind: "circular", Note: "全市通报"}),
		s.at(dd(3), "", UpdateRecordTalk, TalkInput{Actor: office, Kind: "talk", Note: "再次约谈"}),
	}
	s.cancelAt(dd(4))
	st := s.runItem(itemParams())
	ok(t, outs...)
	if st.Talks != 2 || st.Circulars != 1 || s.store.count(ToDistrict, "talk", f1) != 2 {
		t.Errorf("talks: %+v", st)
	}
}

func TestItemContinuesAsNewCarryingItsState(t *testing.T) {
	s := newScenario(t, newFakeStore())
	p := itemParams()
	p.HistoryLimit = 60
	s.at(dd(1), "", UpdatePlan, planFor(dd(200)))
	for i := range 3 {
		s.at(dd(2)+time.Duration(i)*time.Hour, "", UpdateReportProgress, NoteInput{Actor: clerk, Note: "进展"})
	}
	s.env.RegisterDelayedCallback(func() { s.env.SetCurrentHistoryLength(61) }, dd(2.5))
	s.runItem(p)
	var can *workflow.ContinueAsNewError
	if err := s.env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("want continue-as-new, got %v", err)
	}
	var next ItemParams
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if next.State == nil || next.State.Status != vocab.ItemInProgress || next.State.ProgressReports != 3 ||
		next.State.Plan == nil || next.HistoryLimit != 60 {
		t.Errorf("continued with %+v", next.State)
	}
}

func TestItemValidators(t *testing.T) {
	s := newScenario(t, newFakeStore())
	type want struct {
		o    *outcome
		kind string
	}
	good := planFor(dd(40))
	noMeasures, pastDue, tooLate, byOffice := good, good, good, good
	noMeasures.Measures = " "
	pastDue.DueDate = start
	tooLate.DueDate = start.Add(dd(400))
	byOffice.Actor = office
	cases := []want{
		{s.at(dd(0.1), "", UpdatePlan, byOffice), ErrForbidden},
		{s.at(dd(0.1), "", UpdatePlan, noMeasures), ErrInvalid},
		{s.at(dd(0.1), "", UpdatePlan, pastDue), ErrInvalid},
		{s.at(dd(0.1), "", UpdatePlan, tooLate), ErrInvalid},
		{s.at(dd(0.1), "", UpdateRequestClose, NoteInput{Actor: clerk, Note: "x"}), ErrConflict}, // still open
		{s.at(dd(0.1), "", UpdateReportProgress, NoteInput{Actor: otherClerk, Note: "x"}), ErrForbidden},
		{s.at(dd(0.1), "", UpdateReportProgress, NoteInput{Actor: clerk}), ErrInvalid},
		{s.at(dd(0.1), "", UpdateVerify, VerifyInput{Actor: office, Accepted: true}), ErrConflict},
		{s.at(dd(0.1), "", UpdateDecideExtension, ExtensionDecisionInput{Actor: office, Approved: true}), ErrConflict},
		{s.at(dd(0.1), "", UpdateRecordTalk, TalkInput{Actor: office, Kind: "lecture", Note: "x"}), ErrInvalid},
		{s.at(dd(0.1), "", UpdateRecordTalk, TalkInput{Actor: clerk, Kind: "talk", Note: "x"}), ErrForbidden},
	}
	s.at(dd(1), "", UpdatePlan, good)
	cases = append(cases,
		want{s.at(dd(2), "", UpdatePlan, good), ErrConflict}, // already planned
		want{s.at(dd(2), "", UpdateRequestExtension,
			ExtensionInput{Actor: clerk, DueDate: start.Add(dd(35)), Reason: "x"}), ErrInvalid},
		want{s.at(dd(2), "", UpdateRequestExtension,
			ExtensionInput{Actor: clerk, DueDate: start.Add(dd(50))}), ErrInvalid},
		want{s.at(dd(2), "", UpdateRequestExtension,
			ExtensionInput{Actor: clerk, DueDate: start.Add(dd(500)), Reason: "x"}), ErrInvalid},
	)
	s.at(dd(3), "", UpdateRequestExtension, ExtensionInput{Actor: clerk, DueDate: start.Add(dd(50)), Reason: "x"})
	cases = append(cases,
		want{s.at(dd(4), "", UpdateRequestExtension,
			ExtensionInput{Actor: clerk, DueDate: start.Add(dd(60)), Reason: "y"}), ErrConflict},
		want{s.at(dd(4), "", UpdateDecideExtension,
			ExtensionDecisionInput{Actor: clerk, Approved: true}), ErrForbidden},
		want{s.at(dd(4), "", UpdateDecideExtension,
			ExtensionDecisionInput{Actor: office, Approved: false}), ErrInvalid},
	)
	s.at(dd(5), "", UpdateRequestClose, NoteInput{Actor: clerk, Note: "done"})
	cases = append(cases,
		want{s.at(dd(6), "", UpdateVerify, VerifyInput{Actor: clerk, Accepted: true}), ErrForbidden},
		want{s.at(dd(6), "", UpdateVerify, VerifyInput{Actor: office, Accepted: false}), ErrInvalid},
		want{s.at(dd(6), "", UpdateRequestClose, NoteInput{Actor: clerk, Note: "again"}), ErrConflict},
	)
	s.at(dd(7), "", UpdateVerify, VerifyInput{Actor: office, Accepted: true})
	st := s.runItem(itemParams())
	for _, c := range cases {
		refused(t, c.o, c.kind)
	}
	if st.Status != vocab.ItemClosed || st.EventsCount != 5 {
		t.Errorf("refused updates changed the item: %+v", st)
	}
}
