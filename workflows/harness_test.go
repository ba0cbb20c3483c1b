package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"junheng/vocab"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
)

var (
	shanghai, _ = time.LoadLocation("Asia/Shanghai")
	start       = time.Date(2025, 9, 1, 9, 0, 0, 0, shanghai)
	office      = vocab.Actor{Name: "督导办", Role: vocab.RoleOffice}
	province    = vocab.Actor{Name: "省督导办", Role: vocab.RoleProvince}
	clerk       = vocab.Actor{Name: "黄岛区教育局", Role: vocab.RoleDistrict, District: "370211"}
	otherClerk  = vocab.Actor{Name: "市南区教育局", Role: vocab.RoleDistrict, District: "370202"}
)

// fakeStore implements the activity contract in memory, recording what the workflows asked for.
type fakeStore struct {
	mu       sync.Mutex
	verdicts map[int64]string   // draft ID → verdict
	short    map[int64][]string // draft ID → shortfall IDs
	versions int
	cycles   []CycleRecord
	items    map[string]ItemState
	plans    []CreationPlanRecord
	events   []Event
	notes    []Notification
	channels int      // how many channels Notify reports for each notification
	failing  bool     // Deliver fails for good
	sent     []string // keys Deliver was called with
	// down, when set, says whether the database is down now for the read-model writes (record) or the other
	// activities: a method fails then as it would on a stalled database.
	down func(record bool) bool
}

var errDown = errors.New("database unavailable")

func (f *fakeStore) unavailable(record bool) error {
	if f.down != nil && f.down(record) {
		return errDown
	}
	return nil
}

func newFakeStore() *fakeStore {
	return &fakeStore{
		verdicts: map[int64]string{1: "does_not_meet", 2: "meets"},
		short: map[int64][]string{1: {"resource:sports_area_per_student:school:S007:junior",
			"government:class_size:school:S003"}},
		items: map[string]ItemState{},
	}
}

func (f *fakeStore) EvaluateDraft(_ context.Context, in DraftInput) (DraftResult, error) {
	if err := f.unavailable(false); err != nil {
		return DraftResult{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return DraftResult{DraftID: in.DraftID, Verdict: f.verdicts[in.DraftID], Shortfalls: len(f.short[in.DraftID])}, nil
}

func (f *fakeStore) SubmitSnapshot(_ context.Context, in SnapshotInput) (SnapshotResult, error) {
	if err := f.unavailable(false); err != nil {
		return SnapshotResult{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.versions++
	return SnapshotResult{Version: f.versions, Verdict: f.verdicts[in.DraftID], ShortfallIDs: f.short[in.DraftID]}, nil
}

func (f *fakeStore) CreateFindings(_ context.Context, in FindingsInput) ([]FindingInfo, error) {
	if err := f.unavailable(false); err != nil {
		return nil, err
	}
	out := make([]FindingInfo, 0, len(in.Findings))
	for _, r := range in.Findings {
		info := FindingInfo{ID: r.ID, Seq: r.Seq, Title: r.New.Title, Severity: r.New.Severity, Source: r.New.Source,
			DueDate: r.New.DueDate}
		if r.ShortfallID != "" {
			info.Title, info.Severity, info.Source = "shortfall "+r.ShortfallID, vocab.SeverityNormal,
				vocab.SourceSelfAssessment
		}
		out = append(out, info)
	}
	return out, nil
}

func (f *fakeStore) OpenSeriousFindings(_ context.Context, district string) ([]FindingInfo, error) {
	if err := f.unavailable(false); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []FindingInfo
	for _, s := range f.items {
		if s.District == district && s.Severity == vocab.SeveritySerious && s.Status != vocab.ItemClosed {
			out = append(out, FindingInfo{ID: s.ID, Seq: s.Seq, Title: s.Title, Severity: s.Severity})
		}
	}
	slices.SortFunc(out, func(a, b FindingInfo) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func (f *fakeStore) RecordCycle(_ context.Context, r CycleRecord) (Recorded, error) {
	if err := f.unavailable(true); err != nil {
		return Recorded{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cycles = append(f.cycles, r)
	f.events = append(f.events, r.Event)
	return f.noted(r.Notifications), nil
}

func (f *fakeStore) RecordItem(_ context.Context, r ItemRecord) (Recorded, error) {
	if err := f.unavailable(true); err != nil {
		return Recorded{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items[r.State.ID] = r.State
	f.events = append(f.events, r.Event)
	return f.noted(r.Notifications), nil
}

func (f *fakeStore) RecordPlan(_ context.Context, r CreationPlanRecord) (Recorded, error) {
	if err := f.unavailable(true); err != nil {
		return Recorded{}, err
	}
	kept, err := copied(r)
	if err != nil {
		return Recorded{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.plans = append(f.plans, kept)
	f.events = append(f.events, r.Event)
	return f.noted(r.Notifications), nil
}

// copied is a deep copy of a record, through its JSON. The test environment hands a local activity the workflow's
// own values: a fake that keeps a record keeps a copy, as the real activity keeps only what it wrote, or the next
// change would show through the record.
func copied[R any](r R) (R, error) {
	var kept R
	raw, err := json.Marshal(r)
	if err == nil {
		err = json.Unmarshal(raw, &kept)
	}
	return kept, err
}

// noted keeps the notifications a record stores, as Notify does, and answers those the channels are to deliver.
// The caller holds f.mu.
func (f *fakeStore) noted(ns []Notification) Recorded {
	var out Recorded
	for _, n := range ns {
		f.notes = append(f.notes, n)
		if f.channels > 0 {
			out.Deliver = append(out.Deliver, n.Key)
		}
	}
	return out
}

func (f *fakeStore) Notify(_ context.Context, n Notification) (int, error) {
	if err := f.unavailable(false); err != nil {
		return 0, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.notes = append(f.notes, n)
	return f.channels, nil
}

func (f *fakeStore) Deliver(_ context.Context, key string) error {
	if err := f.unavailable(false); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, key)
	if f.failing {
		return temporal.NewNonRetryableApplicationError("webhook refused", "Permanent", nil)
	}
	return nil
}

// count returns how many notifications of kind went to recipient about target ("" = any target).
func (f *fakeStore) count(to Recipient, kind, target string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, x := range f.notes {
		if x.Recipient == to && x.Kind == kind && (target == "" || x.Target == target) {
			n++
		}
	}
	return n
}

// actions lists the recorded actions of the workflow whose event keys start with prefix, in order.
func (f *fakeStore) actions(prefix string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, e := range f.events {
		if strings.HasPrefix(e.Key, prefix) {
			out = append(out, e.Action)
		}
	}
	return out
}

var updateIDs atomic.Int64

// scenario drives one workflow through Updates scheduled on the workflow clock.
type scenario struct {
	t     *testing.T
	env   *testsuite.TestWorkflowEnvironment
	store *fakeStore
}

// outcome is what became of one scheduled Update.
type outcome struct {
	what      string
	rejected  error // by the validator
	failed    error // by the handler
	completed bool
	result    []byte // the handler's result as JSON, encoded when it returned (as Temporal would)
}

func (o *outcome) err() error {
	if o.rejected != nil {
		return o.rejected
	}
	return o.failed
}

func newScenario(t *testing.T, store *fakeStore) *scenario {
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr,
		&slog.HandlerOptions{Level: slog.LevelWarn}))))
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	env.SetDetachedChildWait(false) // items outlive their cycle; a scenario ends with the cycle
	Register(env)
	for name, fn := range map[string]any{
		ActivityEvaluateDraft: store.EvaluateDraft, ActivitySubmitSnapshot: store.SubmitSnapshot,
		ActivityCreateFindings: store.CreateFindings, ActivityOpenSeriousFindings: store.OpenSeriousFindings,
		ActivityRecordCycle: store.RecordCycle, ActivityRecordItem: store.RecordItem,
		ActivityRecordPlan: store.RecordPlan, ActivityNotify: store.Notify, ActivityDeliver: store.Deliver,
	} {
		env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name})
	}
	return &scenario{t: t, env: env, store: store}
}

// at sends Update name with arg to workflow target ("" = the root workflow) after d of workflow time.
func (s *scenario) at(d time.Duration, target, name string, arg any) *outcome {
	return s.atWithID(d, target, name, fmt.Sprintf("u%d", updateIDs.Add(1)), arg)
}

// atWithID is at with the Update's ID: IDs are unique across scenarios unless a test repeats one, as a client
// retrying does, since a continued run remembers them.
func (s *scenario) atWithID(d time.Duration, target, name, id string, arg any) *outcome {
	o := &outcome{what: fmt.Sprintf("%s %s at +%v", name, target, d)}
	s.env.RegisterDelayedCallback(func() { s.send(o, target, name, id, arg) }, d)
	return o
}

// every sends Update name n times, the first after d and then every step: one at a time, as the test
// environment holds at most a thousand pending callbacks.
func (s *scenario) every(d, step time.Duration, n int, name string, arg func(i int) any) []*outcome {
	outs := make([]*outcome, n)
	var next func(i int)
	next = func(i int) {
		outs[i] = &outcome{what: fmt.Sprintf("%s #%d", name, i)}
		s.send(outs[i], "", name, fmt.Sprintf("u%d", updateIDs.Add(1)), arg(i))
		if i+1 < n {
			s.env.RegisterDelayedCallback(func() { next(i + 1) }, step)
		}
	}
	s.env.RegisterDelayedCallback(func() { next(0) }, d)
	return outs
}

// send sends an Update now, from a callback of the test environment.
func (s *scenario) send(o *outcome, target, name, id string, arg any) {
	cb := &testsuite.TestUpdateCallback{
		OnReject: func(err error) { o.rejected = err },
		OnComplete: func(res any, err error) {
			o.completed, o.failed = true, err
			if err == nil {
				o.result, _ = json.Marshal(res)
			}
		},
	}
	if target == "" {
		s.env.UpdateWorkflow(name, id, cb, arg)
	} else if err := s.env.UpdateWorkflowByID(target, name, id, cb, arg); err != nil {
		o.failed = err
	}
}

// cancelAt ends a scenario whose workflow would otherwise wait forever.
func (s *scenario) cancelAt(d time.Duration) {
	s.env.RegisterDelayedCallback(s.env.CancelWorkflow, d)
}

// probe captures a workflow's state at d.
func probe[S any](s *scenario, d time.Duration, target string) *S {
	out := new(S)
	s.env.RegisterDelayedCallback(func() {
		v, err := s.env.QueryWorkflowByID(target, QueryState)
		if err != nil {
			s.t.Errorf("query %s at +%v: %v", target, d, err)
			return
		}
		if err := v.Get(out); err != nil {
			s.t.Error(err)
		}
	}, d)
	return out
}

func (s *scenario) runCycle(p CycleParams) CycleState {
	s.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: vocab.CycleID(p.Year, p.District)})
	s.env.ExecuteWorkflow(DistrictCycle, p)
	return s.state()
}

func (s *scenario) runItem(p ItemParams) ItemState {
	s.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: p.ID})
	s.env.ExecuteWorkflow(RectificationItem, p)
	return queryState[ItemState](s)
}

func (s *scenario) state() CycleState { return queryState[CycleState](s) }

// queryState asks the workflow under test for its state.
func queryState[S any](s *scenario) S {
	s.t.Helper()
	var st S
	v, err := s.env.QueryWorkflow(QueryState)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := v.Get(&st); err != nil {
		s.t.Fatal(err)
	}
	return st
}

func ok(t *testing.T, outs ...*outcome) {
	t.Helper()
	for _, o := range outs {
		if !o.completed || o.err() != nil {
			t.Errorf("%s: completed=%v err=%v", o.what, o.completed, o.err())
		}
	}
}

// refused checks that an Update was refused with the given kind (Conflict, Invalid, Forbidden).
func refused(t *testing.T, o *outcome, kind string) Refusal {
	t.Helper()
	got, r, isRefusal := AsRefusal(o.err())
	if !isRefusal || got != kind {
		t.Errorf("%s: want refusal %s, got %v", o.what, kind, o.err())
	}
	if isRefusal && (r.MessageZh == "" || r.MessageEn == "") {
		t.Errorf("%s: refusal without both messages: %+v", o.what, r)
	}
	return r
}

func cycleParams() CycleParams {
	return CycleParams{Year: 2025, District: "370211", DistrictName: "黄岛区",
		Deadlines: DefaultCalendar.Deadlines(2025, shanghai), Policy: DefaultPolicy()}
}

func dd(n float64) time.Duration { return time.Duration(n * float64(day)) }
