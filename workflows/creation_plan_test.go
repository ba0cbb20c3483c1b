package workflows

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"junheng/progress"
	"junheng/vocab"
)

var planWF = vocab.CreationPlanID("370211")

func planOf(target int) progress.Plan {
	oversized := 1
	return progress.Plan{TargetYear: target, Milestones: []progress.Milestone{
		{Year: target - 1, Schools: []string{"S007"}, OversizedMax: &oversized},
		{Year: target, Indicators: []string{"sports_area_per_student"}, Note: "全部达标"},
	}}
}

func submission(target int) PlanSubmission {
	return PlanSubmission{Actor: clerk, Plan: planOf(target), ResponsibilityFile: "file-zrs", Note: "区政府常务会议审议通过"}
}

func approve() PlanReview { return PlanReview{Actor: office, Approved: true, Comment: "同意"} }

func (s *scenario) runPlan(p CreationPlanParams) CreationPlanState {
	s.t.Helper()
	s.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: vocab.CreationPlanID(p.District)})
	s.env.ExecuteWorkflow(CreationPlan, p)
	return queryState[CreationPlanState](s)
}

// returned decodes the state an accepted Update answered with.
func returned(t *testing.T, o *outcome) CreationPlanState {
	t.Helper()
	var st CreationPlanState
	if err := json.Unmarshal(o.result, &st); err != nil {
		t.Fatalf("%s: result %s: %v", o.what, o.result, err)
	}
	return st
}

func statuses(st CreationPlanState) []vocab.CreationPlanStatus {
	out := make([]vocab.CreationPlanStatus, len(st.Versions))
	for i, v := range st.Versions {
		out[i] = v.Status
	}
	return out
}

// recordedOnce checks that every accepted change was written once, in order, with an event key unique in the
// workflow, and that the state written with it counts that event.
func recordedOnce(t *testing.T, f *fakeStore, actions ...string) {
	t.Helper()
	f.mu.Lock()
	recs := slices.Clone(f.plans)
	f.mu.Unlock()
	var got []string
	keys := map[string]bool{}
	for i, r := range recs {
		got = append(got, r.Event.Action)
		if !strings.HasPrefix(r.Event.Key, planWF+":update:") || keys[r.Event.Key] || r.State.EventsCount != i+1 {
			t.Errorf("record %d: key %q events %d, want a new key of an Update and %d", i, r.Event.Key,
				r.State.EventsCount, i+1)
		}
		keys[r.Event.Key] = true
	}
	if !slices.Equal(got, actions) {
		t.Errorf("recorded %v, want %v", got, actions)
	}
}

func TestPlanSubmitThenApprove(t *testing.T) {
	s := newScenario(t, newFakeStore())
	sub := s.at(dd(1), "", UpdateSubmitPlan, submission(2027))
	pending := probe[CreationPlanState](s, dd(1.5), planWF)
	rev := s.at(dd(2), "", UpdateReviewPlan, approve())
	s.cancelAt(dd(3))
	st := s.runPlan(CreationPlanParams{District: "370211"})
	ok(t, sub, rev)
	if got := returned(t, sub); got.Status != vocab.PlanSubmitted || len(got.Versions) != 1 || got.Approved != 0 {
		t.Errorf("SubmitPlan answered %+v", got)
	}
	if got := returned(t, rev); got.Status != vocab.PlanApproved || got.Approved != 1 {
		t.Errorf("ReviewPlan answered %+v", got)
	}
	if pending.Status != vocab.PlanSubmitted || pending.Approved != 0 {
		t.Errorf("before the review: %+v", pending)
	}
	if st.District != "370211" || st.Status != vocab.PlanApproved || st.Approved != 1 || len(st.Versions) != 1 ||
		st.EventsCount != 2 {
		t.Fatalf("approved plan: %+v", st)
	}
	v := st.Versions[0]
	if v.Version != 1 || v.Status != vocab.PlanApproved || v.Plan.TargetYear != 2027 || len(v.Plan.Milestones) != 2 ||
		v.ResponsibilityFile != "file-zrs" || v.Note == "" || v.SubmittedBy != clerk.Name ||
		!v.SubmittedAt.Equal(start.Add(dd(1))) || v.DecidedBy != office.Name || !v.DecidedAt.Equal(start.Add(dd(2))) ||
		v.Comment != "同意" {
		t.Errorf("version 1: %+v", v)
	}
	if s.store.count(ToOffice, "plan_submitted", planWF) != 1 ||
		s.store.count(ToDistrict, "plan_approved", planWF) != 1 {
		t.Errorf("notifications: %+v", s.store.notes)
	}
	for _, n := range s.store.notes {
		if n.Year != 2027 || n.District != "370211" || n.TitleZh == "" || n.TitleEn == "" {
			t.Errorf("notification %+v: want year 2027 (the plan's target year) and both titles", n)
		}
	}
	recordedOnce(t, s.store, "plan_submitted", "plan_approved")
	if first := s.store.plans[0]; first.State.Status != vocab.PlanSubmitted || first.Event.Actor != clerk {
		t.Errorf("first record: %+v", first)
	}
}

func TestPlanReturnedThenResubmittedAndApproved(t *testing.T) {
	s := newScenario(t, newFakeStore())
	outs := []*outcome{
		s.at(dd(1), "", UpdateSubmitPlan, submission(2026)),
		s.at(dd(2.1), "", UpdateReviewPlan, PlanReview{Actor: office, Comment: "里程碑过于笼统, 请细化到学校"}),
		s.at(dd(3), "", UpdateSubmitPlan, submission(2027)),
		s.at(dd(4), "", UpdateReviewPlan, approve()),
	}
	noComment := s.at(dd(2), "", UpdateReviewPlan, PlanReview{Actor: office, Comment: "  "})
	afterReturn := probe[CreationPlanState](s, dd(2.5), planWF)
	s.cancelAt(dd(5))
	st := s.runPlan(CreationPlanParams{District: "370211"})
	ok(t, outs...)
	if r := refused(t, noComment, ErrInvalid); r.Field != "comment" {
		t.Errorf("a return without comment: %+v", r)
	}
	if afterReturn.Status != vocab.PlanReturned || afterReturn.Approved != 0 || afterReturn.Versions[0].Comment == "" {
		t.Errorf("after the return: %+v", afterReturn)
	}
	if st.Status != vocab.PlanApproved || st.Approved != 2 ||
		!slices.Equal(statuses(st), []vocab.CreationPlanStatus{vocab.PlanReturned, vocab.PlanApproved}) ||
		st.Versions[1].Plan.TargetYear != 2027 {
		t.Errorf("final: %+v", st)
	}
	if s.store.count(ToDistrict, "plan_returned", planWF) != 1 ||
		s.store.count(ToOffice, "plan_submitted", planWF) != 2 {
		t.Errorf("notifications: %+v", s.store.notes)
	}
	recordedOnce(t, s.store, "plan_submitted", "plan_returned", "plan_submitted", "plan_approved")
}

func TestPlanRevisionKeepsTheApprovedVersionInEffect(t *testing.T) {
	s := newScenario(t, newFakeStore())
	outs := []*outcome{
		s.at(dd(1), "", UpdateSubmitPlan, submission(2027)),
		s.at(dd(2), "", UpdateReviewPlan, approve()),
		s.at(dd(100), "", UpdateSubmitPlan, submission(2026)), // the district brings its target forward
		s.at(dd(101), "", UpdateReviewPlan, PlanReview{Actor: office, Comment: "条件尚不具备"}),
		s.at(dd(200), "", UpdateSubmitPlan, submission(2026)),
		s.at(dd(201), "", UpdateReviewPlan, approve()),
	}
	revising := probe[CreationPlanState](s, dd(100.5), planWF)
	revisionReturned := probe[CreationPlanState](s, dd(101.5), planWF)
	s.cancelAt(dd(202))
	st := s.runPlan(CreationPlanParams{District: "370211"})
	ok(t, outs...)
	if revising.Status != vocab.PlanSubmitted || revising.Approved != 1 ||
		revising.Versions[0].Status != vocab.PlanApproved {
		t.Errorf("while the revision waits, version 1 stays in effect: %+v", revising)
	}
	if revisionReturned.Status != vocab.PlanReturned || revisionReturned.Approved != 1 {
		t.Errorf("a returned revision leaves version 1 in effect: %+v", revisionReturned)
	}
	if st.Approved != 3 || st.Status != vocab.PlanApproved ||
		!slices.Equal(statuses(st), []vocab.CreationPlanStatus{vocab.PlanApproved, vocab.PlanReturned,
			vocab.PlanApproved}) ||
		st.Versions[st.Approved-1].Plan.TargetYear != 2026 {
		t.Errorf("after the revision is approved: %+v", st)
	}
	recordedOnce(t, s.store, "plan_submitted", "plan_approved", "plan_submitted", "plan_returned", "plan_submitted",
		"plan_approved")
}

func TestPlanPendingVersionIsSuperseded(t *testing.T) {
	s := newScenario(t, newFakeStore())
	outs := []*outcome{
		s.at(dd(1), "", UpdateSubmitPlan, submission(2027)),
		s.at(dd(2), "", UpdateSubmitPlan, submission(2026)),
		s.at(dd(3), "", UpdateReviewPlan, approve()),
	}
	again := s.at(dd(4), "", UpdateReviewPlan, approve())
	s.cancelAt(dd(5))
	st := s.runPlan(CreationPlanParams{District: "370211"})
	ok(t, outs...)
	refused(t, again, ErrConflict)
	if got := returned(t, outs[1]); !slices.Equal(statuses(got), []vocab.CreationPlanStatus{vocab.PlanSuperseded,
		vocab.PlanSubmitted}) {
		t.Errorf("second submission answered %+v", got)
	}
	if st.Approved != 2 || !slices.Equal(statuses(st), []vocab.CreationPlanStatus{vocab.PlanSuperseded,
		vocab.PlanApproved}) ||
		st.Versions[0].DecidedBy != "" || !st.Versions[0].DecidedAt.IsZero() {
		t.Errorf("final: %+v", st)
	}
	// The write of the second submission carries the superseded first version, so the read model updates it.
	if rec := s.store.plans[1]; !slices.Equal(statuses(rec.State), []vocab.CreationPlanStatus{vocab.PlanSuperseded,
		vocab.PlanSubmitted}) {
		t.Errorf("second record: %+v", rec.State)
	}
	recordedOnce(t, s.store, "plan_submitted", "plan_submitted", "plan_approved")
}

func TestPlanValidators(t *testing.T) {
	s := newScenario(t, newFakeStore())
	type want struct {
		o     *outcome
		kind  string
		field string
	}
	good := submission(2027)
	byOffice, byOther, noFile, badPlan := good, good, good, good
	byOffice.Actor, byOther.Actor, noFile.ResponsibilityFile = office, otherClerk, " "
	badPlan.Plan = progress.Plan{TargetYear: 1999}
	cases := []want{
		{s.at(dd(0.1), "", UpdateReviewPlan, approve()), ErrConflict, ""}, // nothing submitted yet
		{s.at(dd(0.1), "", UpdateSubmitPlan, byOffice), ErrForbidden, ""},
		{s.at(dd(0.1), "", UpdateSubmitPlan, byOther), ErrForbidden, ""},
		{s.at(dd(0.1), "", UpdateSubmitPlan, noFile), ErrInvalid, "responsibility_file"},
		{s.at(dd(0.1), "", UpdateSubmitPlan, badPlan), ErrInvalid, "plan.target_year"},
	}
	s.at(dd(1), "", UpdateSubmitPlan, good)
	cases = append(cases,
		want{s.at(dd(2), "", UpdateReviewPlan, PlanReview{Actor: clerk, Approved: true}), ErrForbidden, ""},
		want{s.at(dd(2), "", UpdateReviewPlan, PlanReview{Actor: province, Approved: true}), ErrForbidden, ""},
		want{s.at(dd(2), "", UpdateReviewPlan, PlanReview{Actor: office}), ErrInvalid, "comment"},
	)
	s.at(dd(3), "", UpdateReviewPlan, PlanReview{Actor: office, Comment: "请补充分年度目标"})
	// returned: nothing pending
	cases = append(cases, want{s.at(dd(4), "", UpdateReviewPlan, approve()), ErrConflict, ""})
	s.cancelAt(dd(5))
	st := s.runPlan(CreationPlanParams{District: "370211"})
	for _, c := range cases {
		if r := refused(t, c.o, c.kind); r.Field != c.field {
			t.Errorf("%s: field %q, want %q", c.o.what, r.Field, c.field)
		}
	}
	r := refused(t, cases[4].o, ErrInvalid)
	if len(r.Reasons) != 2 || r.Reasons[0].Key != "plan.target_year" || r.Reasons[1].Key != "plan.milestones" ||
		r.Reasons[1].MessageZh == "" {
		t.Errorf("an invalid plan names every problem: %+v", r.Reasons)
	}
	if st.Status != vocab.PlanReturned || len(st.Versions) != 1 || st.EventsCount != 2 {
		t.Errorf("refused updates changed the plan: %+v", st)
	}
	recordedOnce(t, s.store, "plan_submitted", "plan_returned")
}

func TestPlanContinuesAsNewCarryingItsState(t *testing.T) {
	s := newScenario(t, newFakeStore())
	s.at(dd(1), "", UpdateSubmitPlan, submission(2027))
	s.at(dd(2), "", UpdateReviewPlan, approve())
	s.at(dd(3), "", UpdateSubmitPlan, submission(2026))
	s.env.RegisterDelayedCallback(func() { s.env.SetCurrentHistoryLength(61) }, dd(3.5))
	s.runPlan(CreationPlanParams{District: "370211", HistoryLimit: 60})
	var can *workflow.ContinueAsNewError
	if err := s.env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("want continue-as-new, got %v", err)
	}
	var next CreationPlanParams
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if next.District != "370211" || next.HistoryLimit != 60 || next.State == nil || next.State.Approved != 1 ||
		next.State.Status != vocab.PlanSubmitted || next.State.EventsCount != 3 ||
		!slices.Equal(statuses(*next.State), []vocab.CreationPlanStatus{vocab.PlanApproved, vocab.PlanSubmitted}) {
		t.Fatalf("continued with %+v", next.State)
	}

	// The next run goes on from the carried state, numbering its events after the first run's.
	s2 := newScenario(t, newFakeStore())
	rev := s2.at(dd(1), "", UpdateReviewPlan, approve())
	s2.cancelAt(dd(2))
	st := s2.runPlan(next)
	ok(t, rev)
	if st.Approved != 2 || st.EventsCount != 4 || len(st.Versions) != 2 {
		t.Errorf("after continuing: %+v", st)
	}
	if len(s2.store.plans) != 1 || s2.store.plans[0].State.EventsCount != 4 {
		t.Errorf("continued run's records: %+v", s2.store.plans)
	}
}

// TestPlanReviewNamesTheVersionRead: the office decides on the version it read; one the district has replaced
// since is refused, and the new one is decided on by its number.
func TestPlanReviewNamesTheVersionRead(t *testing.T) {
	s := newScenario(t, newFakeStore())
	s.at(dd(1), "", UpdateSubmitPlan, submission(2026))
	s.at(dd(2), "", UpdateSubmitPlan, submission(2027)) // replaces version 1 before the review
	stale := s.at(dd(3), "", UpdateReviewPlan, PlanReview{Actor: office, Version: 1, Approved: true})
	current := s.at(dd(4), "", UpdateReviewPlan, PlanReview{Actor: office, Version: 2, Approved: true})
	s.cancelAt(dd(5))
	st := s.runPlan(CreationPlanParams{District: "370211"})
	refused(t, stale, ErrConflict)
	ok(t, current)
	if st.Approved != 2 || st.Versions[0].Status != vocab.PlanSuperseded || st.Versions[1].Plan.TargetYear != 2027 {
		t.Errorf("state %+v", st)
	}
}
