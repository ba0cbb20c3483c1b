package workflows

import (
	"encoding/json"
	"errors"
	"fmt"
	"junheng/vocab"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"
)

// outages makes the fake store fail, as a stalled database would, in each window [from, from+length) of workflow
// time after the start: the read-model writes for the whole window, the other activities for its first three
// minutes. (The test environment gives an activity whose retries are unlimited ten attempts, four and a half
// minutes at its backoff; Temporal itself retries it without end.)
func outages(s *scenario, length time.Duration, from ...time.Duration) {
	s.store.down = func(record bool) bool {
		now, span := s.env.Now(), length
		if !record {
			span = min(length, 3*time.Minute)
		}
		for _, f := range from {
			if !now.Before(start.Add(f)) && now.Before(start.Add(f+span)) {
				return true
			}
		}
		return false
	}
}

// lastCycleRecord is the state the read model holds: the last record written.
func (f *fakeStore) lastCycleRecord() CycleState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cycles[len(f.cycles)-1].State
}

// TestCycleOutlastsTenMinuteOutages: the database fails for ten minutes at the start (the first write), on an
// Update's path (submit) and on a timer's path (the review deadline passing). The year goes on, every change is
// written once, in order, and the read model ends where the workflow is.
func TestCycleOutlastsTenMinuteOutages(t *testing.T) {
	s := newScenario(t, newFakeStore())
	reviewDeadline := dd(211.625) // 2026-04-01 00:00
	outages(s, 10*time.Minute, 0, dd(2)-time.Minute, reviewDeadline-time.Minute)
	outs := []*outcome{
		s.at(time.Minute, "", UpdateSaveDraft, SaveDraftInput{Actor: clerk, DraftID: 1}), // waits for the first write
		s.at(dd(2), "", UpdateSubmit, SubmitInput{Actor: clerk}),
		s.at(reviewDeadline+dd(1), "", UpdateReview,
			ReviewInput{Actor: office, Decision: "approve", Shortfalls: []string{}}),
	}
	duringSubmit := probe[CycleState](s, dd(2)+5*time.Minute, vocab.CycleID(2025, "370211"))
	s.cancelAt(reviewDeadline + dd(2))
	st := s.runCycle(cycleParams())
	ok(t, outs...)
	if duringSubmit.Stage != vocab.StageSelfAssessment {
		t.Errorf("a submission not yet written already shows: %s", duringSubmit.Stage)
	}
	want := []string{"cycle_opened", "save_draft", "submit", "review_overdue", "approve"}
	if got := s.store.actions("cycle:"); !slices.Equal(got, want) {
		t.Errorf("changes written %v, want %v", got, want)
	}
	if last := s.store.lastCycleRecord(); !reflect.DeepEqual(last, st) || st.Stage != vocab.StageRectification ||
		!st.ReviewOverdue {
		t.Errorf("read model %+v\nworkflow   %+v", last, st)
	}
	// The office's reminders before the review deadline fall outside the outages and are sent; its overdue
	// notice, in one, is sent once the database is back.
	if n := s.store.count(ToOffice, "reminder", ""); n != 2 {
		t.Errorf("office reminders %d, want 2", n)
	}
	if n := s.store.count(ToOffice, "overdue", ""); n != 1 {
		t.Errorf("overdue notices %d, want 1", n)
	}
}

// TestReminderRecheckedUnderTheLock: the district submits two minutes before the 30-day reminder while the
// database is down; the submission holds the lock until it is written, and the reminder, which fired in the
// meantime, finds the stage moved on and is not sent.
func TestReminderRecheckedUnderTheLock(t *testing.T) {
	s := newScenario(t, newFakeStore())
	reminder := dd(121.625) - dd(30) // 30 days before the self-assessment deadline
	outages(s, 10*time.Minute, reminder-3*time.Minute)
	s.at(dd(1), "", UpdateSaveDraft, SaveDraftInput{Actor: clerk, DraftID: 1})
	submit := s.at(reminder-2*time.Minute, "", UpdateSubmit, SubmitInput{Actor: clerk})
	s.cancelAt(reminder + dd(1))
	st := s.runCycle(cycleParams())
	ok(t, submit)
	if n := s.store.count(ToDistrict, "reminder", ""); n != 0 || st.Stage != vocab.StageCityReview {
		t.Errorf("%d reminders to a district that submitted (stage %s)", n, st.Stage)
	}
}

// TestItemOutlastsOutagesAndSkipsAStaleNag: an item's start, its overdue mark and a close request each meet a
// ten-minute outage. The nag due while the close request is being written is not sent: the item awaits
// verification by then.
func TestItemOutlastsOutagesAndSkipsAStaleNag(t *testing.T) {
	s := newScenario(t, newFakeStore())
	// Escalation reminders come every 7 days after the escalation, which an outage delays to due+9m.
	due := dd(40)
	nag := due + 9*time.Minute + dd(7)
	outages(s, 10*time.Minute, 0, due-time.Minute, nag-3*time.Minute)
	outs := []*outcome{
		s.at(dd(5), "", UpdatePlan, planFor(due)),
		s.at(nag-2*time.Minute, "", UpdateRequestClose, NoteInput{Actor: clerk, Note: "已完工"}),
	}
	s.cancelAt(nag + dd(1))
	st := s.runItem(itemParams())
	ok(t, outs...)
	want := []string{"finding_opened", "plan", "escalated", "request_close"}
	if got := s.store.actions(f1 + ":"); !slices.Equal(got, want) {
		t.Errorf("changes written %v, want %v", got, want)
	}
	if got := s.store.items[f1]; !reflect.DeepEqual(got, st) || st.Status != vocab.ItemAwaitingVerification ||
		!st.Escalated {
		t.Errorf("read model %+v\nworkflow   %+v", got, st)
	}
	if n := s.store.count(ToDistrict, "escalation_reminder", f1); n != 0 {
		t.Errorf("%d nags for an item awaiting verification", n)
	}
}

// TestCycleContinuesAsNewAfterUpdateLimit: a district saving its draft again and again (an autosaving page) makes
// the run continue as new once it has accepted UpdateLimit Updates, carrying the state and the IDs of the Updates
// it completed; in the new run a repeated ID (a client retrying) gets the state back without acting again.
func TestCycleContinuesAsNewAfterUpdateLimit(t *testing.T) {
	store := newFakeStore()
	for id := int64(3); id <= UpdateLimit+100; id++ {
		store.verdicts[id] = "does_not_meet"
	}
	s := newScenario(t, store)
	firstSave := s.atWithID(time.Minute, "", UpdateSaveDraft, "first-save", SaveDraftInput{Actor: clerk, DraftID: 1})
	outs := s.every(time.Hour, time.Second, UpdateLimit+10, UpdateSaveDraft,
		func(i int) any { return SaveDraftInput{Actor: clerk, DraftID: int64(i + 2)} })
	s.runCycle(cycleParams())
	ok(t, firstSave)
	next := continuedWith[CycleParams](t, s)
	first := next.State
	if first == nil || first.DraftID != UpdateLimit || first.EventsCount != UpdateLimit+1 ||
		len(next.Updates) != UpdateLimit {
		t.Fatalf("continued with %d updates remembered and state %+v", len(next.Updates), first)
	}
	completed := 1
	for _, o := range outs {
		if o != nil && o.completed && o.err() == nil {
			completed++
		}
	}
	if completed < UpdateLimit {
		t.Errorf("%d saves completed before continuing, want %d", completed, UpdateLimit)
	}

	// The next run: the retry of an Update the first run completed answers the state; a new save acts.
	s2 := newScenario(t, store)
	retry := s2.atWithID(time.Minute, "", UpdateSaveDraft, "first-save", SaveDraftInput{Actor: clerk, DraftID: 1})
	fresh := s2.at(2*time.Minute, "", UpdateSaveDraft, SaveDraftInput{Actor: clerk, DraftID: first.DraftID + 1})
	s2.cancelAt(time.Hour)
	s2.env.SetStartWorkflowOptions(cycleOptions(next))
	s2.env.ExecuteWorkflow(DistrictCycle, next)
	ok(t, retry, fresh)
	var answered CycleState
	if err := json.Unmarshal(retry.result, &answered); err != nil || answered.DraftID != first.DraftID {
		t.Errorf("the retried save answered %+v, %v; want the state with draft %d", answered, err, first.DraftID)
	}
	st := s2.state()
	if st.DraftID != first.DraftID+1 || st.EventsCount != first.EventsCount+1 || st.Stage != vocab.StageSelfAssessment {
		t.Errorf("after continuing: %+v", st)
	}
	if got := s2.store.actions("cycle:"); got[len(got)-1] != "save_draft" || len(got) != first.EventsCount+1 {
		t.Errorf("the retry was recorded again or the new run wrote its opening: %d changes", len(got))
	}
}

// TestCycleContinuesAsNewOnLongHistory: past its history limit a year continues as new, and the new run keeps the
// deadlines: the self-assessment deadline passes in it and is marked.
func TestCycleContinuesAsNewOnLongHistory(t *testing.T) {
	s := newScenario(t, newFakeStore())
	p := cycleParams()
	p.HistoryLimit = 40
	s.at(dd(1), "", UpdateSaveDraft, SaveDraftInput{Actor: clerk, DraftID: 1})
	s.env.RegisterDelayedCallback(func() { s.env.SetCurrentHistoryLength(41) }, dd(1.5))
	s.runCycle(p)
	next := continuedWith[CycleParams](t, s)
	if next.State == nil || next.State.DraftID != 1 || next.HistoryLimit != 40 {
		t.Fatalf("continued with %+v", next.State)
	}
	s2 := newScenario(t, s.store)
	s2.env.SetStartTime(start.Add(dd(1.5)))
	s2.env.SetStartWorkflowOptions(cycleOptions(next))
	s2.env.RegisterDelayedCallback(func() { s2.env.SetCurrentHistoryLength(1) }, 0)
	s2.cancelAt(dd(125))
	s2.env.ExecuteWorkflow(DistrictCycle, next)
	st := s2.state()
	if !st.SelfAssessmentOverdue || st.DraftID != 1 || s2.store.count(ToOffice, "overdue", "") != 1 {
		t.Errorf("the continued year missed its deadline: %+v", st)
	}
	if got := s2.store.actions("cycle:"); !slices.Equal(got,
		[]string{"cycle_opened", "save_draft", "self_assessment_overdue"}) {
		t.Errorf("changes across both runs: %v", got)
	}
}

// TestItemAndPlanCarryCompletedUpdates: an item and a plan continuing as new carry the IDs of their completed
// Updates too.
func TestItemAndPlanCarryCompletedUpdates(t *testing.T) {
	s := newScenario(t, newFakeStore())
	p := itemParams()
	p.HistoryLimit = 30
	s.atWithID(dd(1), "", UpdatePlan, "plan-1", planFor(dd(60)))
	s.env.RegisterDelayedCallback(func() { s.env.SetCurrentHistoryLength(31) }, dd(1.5))
	s.at(dd(2), "", UpdateReportProgress, NoteInput{Actor: clerk, Note: "开工"})
	s.runItem(p)
	next := continuedWith[ItemParams](t, s)
	if _, ok := next.Updates["plan-1"]; !ok || next.State == nil || next.State.Status != vocab.ItemInProgress {
		t.Fatalf("the item continued with %v and %+v", next.Updates, next.State)
	}
	s2 := newScenario(t, s.store)
	again := s2.atWithID(time.Minute, "", UpdatePlan, "plan-1", planFor(dd(60)))
	s2.cancelAt(time.Hour)
	st := s2.runItem(next)
	ok(t, again) // a plan is refused once in progress: the retry is answered, not validated again
	if st.EventsCount != next.State.EventsCount {
		t.Errorf("the retried plan acted again: %d changes, %d before", st.EventsCount, next.State.EventsCount)
	}
}

// TestEveryWriteIsRetriedWithoutEnd: the read-model writes never stop retrying, however long the database is
// down (a local activity's retries otherwise end with its StartToCloseTimeout).
func TestEveryWriteIsRetriedWithoutEnd(t *testing.T) {
	s := newScenario(t, newFakeStore())
	outages(s, dd(3), 0) // three days
	s.cancelAt(dd(4))
	st := s.runCycle(cycleParams())
	if got := s.store.actions("cycle:"); !slices.Equal(got, []string{"cycle_opened"}) || st.EventsCount != 1 {
		t.Errorf("after a three-day outage at the start: %v, %+v", got, st)
	}
	if err := s.env.GetWorkflowError(); err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Errorf("the workflow ended with %v, want cancelled by the test", err)
	}
}

// continuedWith checks that the scenario's workflow continued as new and returns its next input.
func continuedWith[P any](t *testing.T, s *scenario) P {
	t.Helper()
	var can *workflow.ContinueAsNewError
	if err := s.env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("want continue-as-new, got %v", err)
	}
	var next P
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	return next
}

// TestRegisteredNamesAreTheRecordedOnes: the workflow types are registered under the names every history holds.
func TestRegisteredNamesAreTheRecordedOnes(t *testing.T) {
	r := &names{}
	Register(r)
	slices.Sort(r.got)
	want := []string{"CreationPlan", "DistrictCycle", "RectificationItem", "SchoolReturn"}
	if !slices.Equal(r.got, want) {
		t.Errorf("registered %v, want %v", r.got, want)
	}
	for _, file := range []string{"cycle_history.json", "item_history.json", "plan_history_v1.json"} {
		var h struct {
			Events []struct {
				Attrs *struct {
					WorkflowType struct{ Name string } `json:"workflowType"`
				} `json:"workflowExecutionStartedEventAttributes"`
			} `json:"events"`
		}
		if err := readJSON("testdata/"+file, &h); err != nil {
			t.Fatal(err)
		}
		if name := h.Events[0].Attrs.WorkflowType.Name; !slices.Contains(r.got, name) {
			t.Errorf("%s starts workflow type %q, not registered", file, name)
		}
	}
}

// names records what a worker would register.
type names struct{ got []string }

func (n *names) RegisterWorkflow(any) { panic("register workflows by name") }
func (n *names) RegisterWorkflowWithOptions(_ any, o workflow.RegisterOptions) {
	n.got = append(n.got, o.Name)
}
func (n *names) RegisterDynamicWorkflow(any, workflow.DynamicRegisterOptions) {}

func cycleOptions(p CycleParams) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{ID: vocab.CycleID(p.Year, p.District)}
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

// TestAnUpdatesAuditKeyOutlivesARestore: a restored backup's workflow may not know an Update the app database
// recorded (answered between the two copies). Retried with the same ID after other changes, the Update is recorded
// under the same audit key, so the audit trail holds it once.
func TestAnUpdatesAuditKeyOutlivesARestore(t *testing.T) {
	keyOf := func(s *scenario, action string) string {
		s.store.mu.Lock()
		defer s.store.mu.Unlock()
		for _, e := range s.store.events {
			if e.Action == action && e.Detail == "n-17" {
				return e.Key
			}
		}
		return ""
	}
	before := newScenario(t, newFakeStore())
	before.atWithID(dd(1), "", UpdateReportProgress, "progress-17", NoteInput{Actor: clerk, Note: "n-17"})
	before.cancelAt(dd(2))
	before.runItem(itemParams())

	restored := newScenario(t, newFakeStore())
	restored.at(dd(1), "", UpdatePlan, planFor(dd(60)))
	restored.atWithID(dd(2), "", UpdateReportProgress, "progress-17", NoteInput{Actor: clerk, Note: "n-17"})
	restored.cancelAt(dd(3))
	restored.runItem(itemParams())
	if k := keyOf(before, "progress"); k == "" || k != keyOf(restored, "progress") {
		t.Errorf("audit keys of the same Update: %q before, %q after a restore", k, keyOf(restored, "progress"))
	}
}

// TestAYearLongBeforeTheReleaseContinuesAsNew: a run that was already long when this release was deployed asks
// whether to continue as new in its replayed history (where the answer is the old release's: go on), and again
// after each later Update, live: there it continues as new.
func TestAYearLongBeforeTheReleaseContinuesAsNew(t *testing.T) {
	s := newScenario(t, newFakeStore())
	s.env.OnGetVersion("cycle-continues-as-new", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	p := cycleParams()
	p.HistoryLimit = 40
	s.at(dd(1), "", UpdateSaveDraft, SaveDraftInput{Actor: clerk, DraftID: 1})
	s.env.RegisterDelayedCallback(func() { s.env.SetCurrentHistoryLength(41) }, dd(1.5))
	running := probe[CycleState](s, dd(1.9), vocab.CycleID(2025, "370211"))
	s.at(dd(2), "", UpdateSaveDraft, SaveDraftInput{Actor: clerk, DraftID: 2})
	s.runCycle(p)
	next := continuedWith[CycleParams](t, s)
	if running.DraftID != 1 || next.State == nil || next.State.DraftID != 2 {
		t.Errorf("still running with %+v before the next Update; continued with %+v", running, next.State)
	}
}

// TestItemContinuesAsNewAfterUpdateLimit: an item taking Update after Update continues as new at UpdateLimit,
// however short its history.
func TestItemContinuesAsNewAfterUpdateLimit(t *testing.T) {
	s := newScenario(t, newFakeStore())
	s.every(dd(1), time.Second, UpdateLimit+5, UpdateReportProgress,
		func(i int) any { return NoteInput{Actor: clerk, Note: fmt.Sprintf("进展 %d", i)} })
	s.runItem(itemParams())
	next := continuedWith[ItemParams](t, s)
	if next.State == nil || next.State.ProgressReports != UpdateLimit || len(next.Updates) != UpdateLimit {
		t.Errorf("continued with %d Updates remembered and %+v", len(next.Updates), next.State)
	}
}

// TestAnOwnChangesKeyIgnoresTheUpdatesBeforeIt: a workflow task whose worker dies after its write is done again,
// with the Updates that arrived meanwhile, and Updates are handled first. The year's opening (or a deadline's
// change) is then made after an Update's change where it was first made alone: it keeps its audit key, so the
// trail holds it once (it held the opening twice after a kill -9 of serve in TestKill9DuringTheYear).
func TestAnOwnChangesKeyIgnoresTheUpdatesBeforeIt(t *testing.T) {
	due := cycleParams().Deadlines.SelfAssessment.Sub(start)
	keyOf := func(withUpdate bool, action string) (key string, actions []string) {
		s := newScenario(t, newFakeStore())
		if withUpdate { // with the start, or just before the deadline
			at := time.Duration(0)
			if action != "cycle_opened" {
				at = due - time.Minute
			}
			s.at(at, "", UpdateSaveDraft, SaveDraftInput{Actor: clerk, DraftID: 1})
		}
		s.cancelAt(due + day)
		s.runCycle(cycleParams())
		for _, e := range s.store.events {
			if e.Action == action {
				key = e.Key
			}
			actions = append(actions, e.Action)
		}
		return key, actions
	}
	for _, action := range []string{"cycle_opened", "self_assessment_overdue"} {
		alone, _ := keyOf(false, action)
		after, actions := keyOf(true, action)
		if !slices.Contains(actions, "save_draft") ||
			slices.Index(actions, "save_draft") > slices.Index(actions, action) {
			t.Fatalf("%s: the Update was not handled first: %v", action, actions)
		}
		if alone == "" || alone != after {
			t.Errorf("%s: key %q made alone, %q after an Update's change", action, alone, after)
		}
	}
}
