package workflows

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"

	"junheng/evaluation"
	"junheng/vocab"
)

const schoolCode = "3702110001"

var (
	schoolWF    = vocab.SchoolID(2025, "370211", schoolCode)
	headteacher = vocab.Actor{Name: "实验小学", Role: vocab.RoleSchool, Unit: schoolCode, District: "370211"}
	otherSchool = vocab.Actor{Name: "第二小学", Role: vocab.RoleSchool, Unit: "3702110002", District: "370211"}
)

// schoolRecords is the RecordSchool activity in memory: each record as written, its notifications kept by the
// scenario's store.
type schoolRecords struct {
	mu    sync.Mutex
	recs  []SchoolRecord
	store *fakeStore
}

func (r *schoolRecords) RecordSchool(_ context.Context, rec SchoolRecord) (Recorded, error) {
	kept, err := copied(rec)
	if err != nil {
		return Recorded{}, err
	}
	r.mu.Lock()
	r.recs = append(r.recs, kept)
	r.mu.Unlock()
	r.store.mu.Lock()
	defer r.store.mu.Unlock()
	return r.store.noted(kept.Notifications), nil
}

// actions checks that every change was written once, in order, counted, under a key unique in the workflow.
func (r *schoolRecords) actions(t *testing.T, want ...string) []SchoolRecord {
	t.Helper()
	r.mu.Lock()
	recs := slices.Clone(r.recs)
	r.mu.Unlock()
	var got []string
	keys := map[string]bool{}
	for i, rec := range recs {
		got = append(got, rec.Event.Action)
		if !strings.HasPrefix(rec.Event.Key, schoolWF+":") || keys[rec.Event.Key] ||
			rec.State.EventsCount != recs[0].State.EventsCount+i {
			t.Errorf("record %d: key %q, events %d", i, rec.Event.Key, rec.State.EventsCount)
		}
		keys[rec.Event.Key] = true
	}
	if !slices.Equal(got, want) {
		t.Errorf("recorded %v, want %v", got, want)
	}
	return recs
}

func newSchoolScenario(t *testing.T) (*scenario, *schoolRecords) {
	s := newScenario(t, newFakeStore())
	recs := &schoolRecords{store: s.store}
	s.env.RegisterActivityWithOptions(recs.RecordSchool, activity.RegisterOptions{Name: ActivityRecordSchool})
	return s, recs
}

// schoolParams opens the school's year with its deadline d after the start and the default reminders.
func schoolParams(d time.Duration) SchoolParams {
	return SchoolParams{Year: 2025, District: "370211", DistrictName: "黄岛区", School: schoolCode,
		SchoolName: "实验小学", Deadline: start.Add(d), Reminders: DefaultPolicy().DistrictReminders, OpenedBy: clerk}
}

func (s *scenario) runSchool(p SchoolParams) SchoolState {
	s.t.Helper()
	s.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: vocab.SchoolID(p.Year, p.District, p.School)})
	s.env.ExecuteWorkflow(SchoolReturn, p)
	return queryState[SchoolState](s)
}

// countAt is how many notifications of kind went to recipient by d.
func countAt(s *scenario, d time.Duration, to Recipient, kind string) *int {
	n := new(int)
	s.env.RegisterDelayedCallback(func() { *n = s.store.count(to, kind, "") }, d)
	return n
}

func entry() SchoolEntryInput {
	return SchoolEntryInput{Actor: clerk, Data: evaluation.School{Code: schoolCode, Name: "实验小学",
		Kind: evaluation.KindPrimary}}
}

func TestSchoolSubmitReturnResubmitAccept(t *testing.T) {
	s, recs := newSchoolScenario(t)
	outs := []*outcome{
		s.at(dd(1), "", UpdateSubmitSchool, SchoolInput{Actor: headteacher}),
		s.at(dd(2), "", UpdateReturnSchool, SchoolReturnInput{Actor: clerk, Reason: "在校生数与学籍系统不一致"}),
		s.at(dd(3), "", UpdateSubmitSchool, SchoolInput{Actor: headteacher}),
		s.at(dd(4), "", UpdateAcceptSchool, SchoolInput{Actor: clerk}),
	}
	submitted := probe[SchoolState](s, dd(1.5), schoolWF)
	returned := probe[SchoolState](s, dd(2.5), schoolWF)
	st := s.runSchool(schoolParams(dd(40)))
	ok(t, outs...)
	if submitted.Status != vocab.SchoolSubmitted || submitted.Submissions != 1 || submitted.Late ||
		!submitted.SubmittedAt.Equal(start.Add(dd(1))) {
		t.Errorf("after the submission: %+v", submitted)
	}
	if returned.Status != vocab.SchoolReturned || returned.Reason != "在校生数与学籍系统不一致" {
		t.Errorf("after the return: %+v", returned)
	}
	if st.Status != vocab.SchoolAccepted || st.Submissions != 2 || st.ByDistrict || st.Late || st.Overdue {
		t.Errorf("accepted: %+v", st)
	}
	// Accepted, it ends at the deadline by itself.
	if !s.env.IsWorkflowCompleted() || s.env.GetWorkflowError() != nil || s.env.Now().Before(start.Add(dd(40))) {
		t.Errorf("completed %v at %v: %v", s.env.IsWorkflowCompleted(), s.env.Now(), s.env.GetWorkflowError())
	}
	got := recs.actions(t, "school_opened", "school_submitted", "school_returned", "school_submitted",
		"school_accepted")
	for i, rec := range got {
		if rec.CopyDraft != (rec.Event.Action == "school_submitted") || rec.Data != nil {
			t.Errorf("record %d (%s): copy draft %v, data %v", i, rec.Event.Action, rec.CopyDraft, rec.Data)
		}
	}
	if got[0].Event.Actor != clerk || got[1].Event.Actor != headteacher {
		t.Errorf("actors: %+v, %+v", got[0].Event.Actor, got[1].Event.Actor)
	}
	if s.store.count(ToSchool, "returned", schoolWF) != 1 || s.store.count(ToSchool, "accepted", schoolWF) != 1 ||
		s.store.count(ToSchool, "reminder", "") != 0 {
		t.Errorf("notifications: %+v", s.store.notes)
	}
	for _, n := range s.store.notes {
		if n.District != "370211" || n.Year != 2025 || n.Target != schoolWF || n.TitleZh == "" || n.TitleEn == "" {
			t.Errorf("notification %+v: want the district, the year and the workflow as its target", n)
		}
	}
}

func TestSchoolValidators(t *testing.T) {
	s, recs := newSchoolScenario(t)
	type want struct {
		o     *outcome
		kind  string
		field string
	}
	wrongCode := entry()
	wrongCode.Data.Code = "3702110002"
	cases := []want{
		{s.at(dd(0.1), "", UpdateAcceptSchool, SchoolInput{Actor: clerk}), ErrConflict, ""}, // nothing submitted
		{s.at(dd(0.1), "", UpdateReturnSchool, SchoolReturnInput{Actor: clerk, Reason: "x"}), ErrConflict, ""},
		{s.at(dd(0.1), "", UpdateSubmitSchool, SchoolInput{Actor: clerk}), ErrForbidden, ""},
		{s.at(dd(0.1), "", UpdateSubmitSchool, SchoolInput{Actor: otherSchool}), ErrForbidden, ""},
		{s.at(dd(0.1), "", UpdateEnterSchool, wrongCode), ErrInvalid, "data.code"},
		{s.at(dd(0.1), "", UpdateEnterSchool, SchoolEntryInput{Actor: otherClerk, Data: entry().Data}),
			ErrForbidden, ""},
		{s.at(dd(0.1), "", UpdateSetSchoolDeadline, SchoolDeadlineInput{Actor: clerk, Deadline: start}),
			ErrInvalid, "deadline"},
	}
	s.at(dd(1), "", UpdateSubmitSchool, SchoolInput{Actor: headteacher})
	cases = append(cases,
		want{s.at(dd(2), "", UpdateSubmitSchool, SchoolInput{Actor: headteacher}), ErrConflict, ""},
		want{s.at(dd(2), "", UpdateAcceptSchool, SchoolInput{Actor: otherClerk}), ErrForbidden, ""},
		want{s.at(dd(2), "", UpdateAcceptSchool, SchoolInput{Actor: headteacher}), ErrForbidden, ""},
		want{s.at(dd(2), "", UpdateAcceptSchool, SchoolInput{Actor: office}), ErrForbidden, ""},
		want{s.at(dd(2), "", UpdateReturnSchool, SchoolReturnInput{Actor: clerk, Reason: "  "}), ErrInvalid, "reason"},
		want{s.at(dd(2), "", UpdateReturnSchool, SchoolReturnInput{Actor: clerk,
			Reason: strings.Repeat("错", maxReason+1)}), ErrInvalid, "reason"},
		want{s.at(dd(2), "", UpdateEnterSchool, entry()), ErrConflict, ""}, // the school has submitted
	)
	s.at(dd(3), "", UpdateAcceptSchool, SchoolInput{Actor: clerk})
	cases = append(cases,
		want{s.at(dd(4), "", UpdateSetSchoolDeadline, SchoolDeadlineInput{Actor: clerk, Deadline: start.Add(dd(50))}),
			ErrConflict, ""},
		want{s.at(dd(4), "", UpdateReturnSchool, SchoolReturnInput{Actor: clerk, Reason: "x"}), ErrConflict, ""},
	)
	s.cancelAt(dd(5))
	st := s.runSchool(schoolParams(dd(40)))
	for _, c := range cases {
		if r := refused(t, c.o, c.kind); r.Field != c.field {
			t.Errorf("%s: field %q, want %q", c.o.what, r.Field, c.field)
		}
	}
	if st.Status != vocab.SchoolAccepted || st.EventsCount != 3 {
		t.Errorf("refused Updates changed the return: %+v", st)
	}
	recs.actions(t, "school_opened", "school_submitted", "school_accepted")
}

// TestSchoolRemindersAndOverdue: reminders at each reminder day before the deadline while the school has not
// submitted, the overdue notice to the school and the district at the deadline, then a late submission.
func TestSchoolRemindersAndOverdue(t *testing.T) {
	s, recs := newSchoolScenario(t)
	at := map[float64]*int{}
	for _, d := range []float64{9.9, 10.1, 32.9, 33.1, 38.9, 39.1} {
		at[d] = countAt(s, dd(d), ToSchool, "reminder")
	}
	overdueBefore := countAt(s, dd(39.9), ToSchool, "overdue")
	overdueSchool, overdueDistrict := countAt(s, dd(40.1), ToSchool, "overdue"), countAt(s, dd(40.1), ToDistrict,
		"overdue")
	overdue := probe[SchoolState](s, dd(40.5), schoolWF)
	late := s.at(dd(41), "", UpdateSubmitSchool, SchoolInput{Actor: headteacher})
	s.cancelAt(dd(45))
	st := s.runSchool(schoolParams(dd(40)))
	ok(t, late)
	for d, want := range map[float64]int{9.9: 0, 10.1: 1, 32.9: 1, 33.1: 2, 38.9: 2, 39.1: 3} {
		if *at[d] != want {
			t.Errorf("reminders by day %v: %d, want %d", d, *at[d], want)
		}
	}
	if *overdueBefore != 0 || *overdueSchool != 1 || *overdueDistrict != 1 {
		t.Errorf("overdue notices: before %d, school %d, district %d", *overdueBefore, *overdueSchool,
			*overdueDistrict)
	}
	if !overdue.Overdue || overdue.Status != vocab.SchoolNotStarted {
		t.Errorf("at the deadline: %+v", overdue)
	}
	if st.Status != vocab.SchoolSubmitted || !st.Late || st.Overdue {
		t.Errorf("a late submission is taken, marked late: %+v", st)
	}
	if recs := recs.actions(t, "school_opened", "school_overdue", "school_submitted"); recs[1].Event.Actor != system {
		t.Errorf("the overdue mark is the system's: %+v", recs[1].Event)
	}
}

// TestSchoolDeadlineMovedResetsReminders: a new deadline drops the old one's reminders and overdue notice and
// schedules its own; moved again after it passed, it is no longer overdue until the new one passes.
func TestSchoolDeadlineMovedResetsReminders(t *testing.T) {
	s, _ := newSchoolScenario(t)
	moved := s.at(dd(5), "", UpdateSetSchoolDeadline, SchoolDeadlineInput{Actor: clerk, Deadline: start.Add(dd(60))})
	reminders := map[float64]*int{}
	for _, d := range []float64{29.9, 30.1, 40.5, 53.1, 59.1, 63.1, 69.1} {
		reminders[d] = countAt(s, dd(d), ToSchool, "reminder")
	}
	overdue := map[float64]*int{}
	for _, d := range []float64{40.5, 60.1, 69.9, 70.1} {
		overdue[d] = countAt(s, dd(d), ToDistrict, "overdue")
	}
	again := s.at(dd(62), "", UpdateSetSchoolDeadline, SchoolDeadlineInput{Actor: clerk, Deadline: start.Add(dd(70))})
	pastFirst := probe[SchoolState](s, dd(61), schoolWF)
	movedAgain := probe[SchoolState](s, dd(62.5), schoolWF)
	s.cancelAt(dd(71))
	st := s.runSchool(schoolParams(dd(40)))
	ok(t, moved, again)
	// The first deadline's reminders (days 10, 33, 39) and overdue notice (day 40) never come; the second's (30,
	// 53, 59; 60) do, and the third's that are still ahead (63, 69; 70).
	for d, want := range map[float64]int{29.9: 0, 30.1: 1, 40.5: 1, 53.1: 2, 59.1: 3, 63.1: 4, 69.1: 5} {
		if *reminders[d] != want {
			t.Errorf("reminders by day %v: %d, want %d", d, *reminders[d], want)
		}
	}
	for d, want := range map[float64]int{40.5: 0, 60.1: 1, 69.9: 1, 70.1: 2} {
		if *overdue[d] != want {
			t.Errorf("overdue notices by day %v: %d, want %d", d, *overdue[d], want)
		}
	}
	if !pastFirst.Overdue || movedAgain.Overdue || !movedAgain.Deadline.Equal(start.Add(dd(70))) || !st.Overdue {
		t.Errorf("overdue: past the second deadline %v, moved %+v, at the end %v", pastFirst.Overdue, movedAgain,
			st.Overdue)
	}
	if s.store.count(ToSchool, "deadline", schoolWF) != 2 {
		t.Errorf("the school is told of each new deadline: %+v", s.store.notes)
	}
}

func TestSchoolEnteredByDistrict(t *testing.T) {
	s, recs := newSchoolScenario(t)
	entered := s.at(dd(1), "", UpdateEnterSchool, entry())
	tooLate := s.at(dd(2), "", UpdateSubmitSchool, SchoolInput{Actor: headteacher})
	st := s.runSchool(schoolParams(dd(40)))
	ok(t, entered)
	refused(t, tooLate, ErrConflict)
	if st.Status != vocab.SchoolAccepted || !st.ByDistrict || st.Submissions != 0 {
		t.Errorf("entered by the district: %+v", st)
	}
	if !s.env.IsWorkflowCompleted() || s.env.GetWorkflowError() != nil {
		t.Errorf("an entered school ends at the deadline: %v", s.env.GetWorkflowError())
	}
	got := recs.actions(t, "school_opened", "school_entered_by_district")
	if d := got[1].Data; d == nil || d.Code != schoolCode || d.Kind != evaluation.KindPrimary || got[1].CopyDraft {
		t.Errorf("the entry's record carries the district's data: %+v", got[1])
	}
	if s.store.count(ToSchool, "entered", schoolWF) != 1 || s.store.count(ToSchool, "reminder", "") != 0 {
		t.Errorf("notifications: %+v", s.store.notes)
	}
}

func TestSchoolContinuesAsNewCarryingItsState(t *testing.T) {
	s, _ := newSchoolScenario(t)
	s.at(dd(1), "", UpdateSubmitSchool, SchoolInput{Actor: headteacher})
	s.env.RegisterDelayedCallback(func() { s.env.SetCurrentHistoryLength(61) }, dd(1.5))
	p := schoolParams(dd(40))
	p.HistoryLimit = 60
	s.runSchool(p)
	next := continuedWith[SchoolParams](t, s)
	if next.School != schoolCode || next.State == nil || next.State.Status != vocab.SchoolSubmitted ||
		next.State.EventsCount != 2 || len(next.Updates) != 1 || !next.Deadline.Equal(start.Add(dd(40))) {
		t.Fatalf("continued with %+v, state %+v", next, next.State)
	}
	s2, recs := newSchoolScenario(t)
	accept := s2.at(dd(1), "", UpdateAcceptSchool, SchoolInput{Actor: clerk})
	st := s2.runSchool(next)
	ok(t, accept)
	if st.Status != vocab.SchoolAccepted || st.EventsCount != 3 || !s2.env.IsWorkflowCompleted() {
		t.Errorf("after continuing: %+v", st)
	}
	if recs.actions(t, "school_accepted"); len(s2.store.notes) != 1 {
		t.Errorf("the next run opens nothing again: %+v", s2.store.notes)
	}
}
