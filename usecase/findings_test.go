package usecase

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"junheng/store"
	"junheng/store/storetest"
	"junheng/vocab"
	"junheng/workflows"
)

// findingsTemporal records the Updates sent and answers each with an item in progress, or, while missing counts
// down, NotFound: the workflow does not run.
type findingsTemporal struct {
	client.Client
	sent     []client.UpdateWorkflowOptions
	deadline time.Time // of the last Update sent
	missing  int
}

func (f *findingsTemporal) CheckHealth(context.Context, *client.CheckHealthRequest,
) (*client.CheckHealthResponse, error) {
	return &client.CheckHealthResponse{}, nil
}

func (f *findingsTemporal) UpdateWorkflow(ctx context.Context, o client.UpdateWorkflowOptions,
) (client.WorkflowUpdateHandle, error) {
	f.sent = append(f.sent, o)
	f.deadline, _ = ctx.Deadline()
	if f.missing > 0 {
		f.missing--
		return nil, serviceerror.NewNotFound("workflow not found for ID: " + o.WorkflowID)
	}
	return findingsUpdate{}, nil
}

type findingsUpdate struct{ client.WorkflowUpdateHandle }

func (findingsUpdate) Get(_ context.Context, out any) error {
	data, _ := json.Marshal(workflows.ItemState{Status: vocab.ItemInProgress})
	return json.Unmarshal(data, out)
}

// findingsCore is a core over a store with one finding of 370211 and one of 370202, and a file of each.
func findingsCore(t *testing.T) (*Core, *findingsTemporal, string) {
	t.Helper()
	db := storetest.SQLite(t)
	ctx := context.Background()
	id := vocab.FindingID(2025, "370211", 1)
	if err := db.CreateFindings(ctx, []store.Finding{
		{ID: id, Year: 2025, DistrictCode: "370211", Seq: 1, Title: "a", Status: "open",
			State: &workflows.ItemState{ID: id, Status: vocab.ItemOpen}},
		{ID: vocab.FindingID(2025, "370202", 1), Year: 2025, DistrictCode: "370202", Seq: 1, Title: "b",
			Status: "open"},
	}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []store.File{{ID: "own", DistrictCode: "370211"}, {ID: "theirs", DistrictCode: "370202"}} {
		if err := db.AddFile(ctx, &f); err != nil {
			t.Fatal(err)
		}
	}
	fake := &findingsTemporal{}
	return New(Deps{Store: db, Temporal: fake}), fake, id
}

func findingErrKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// TestWhoMayActOnAFinding: the core loads the finding and decides the role and the district before it looks at
// the input: another district's item is not there (whatever the input), the office may not plan. Only then are
// the due date and the evidence checked, and only a valid action reaches the workflow.
func TestWhoMayActOnAFinding(t *testing.T) {
	c, fake, id := findingsCore(t)
	ctx := context.Background()
	clerk := Actor{Name: "clerk", Role: vocab.RoleDistrict, Unit: "370211"}
	other := Actor{Role: vocab.RoleDistrict, Unit: "370202"}
	office := Actor{Role: vocab.RoleOffice}
	due := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		err  error
		want Kind
	}{
		{"another district's plan", planErr(c, other, id, time.Time{}), NotFound},
		{"another district's note", noteErr(c, other, id, "theirs"), NotFound},
		{"the office plans", planErr(c, office, id, due), Forbidden},
		{"the district verifies", verifyErr(c, clerk, id), Forbidden},
		{"no such finding", planErr(c, clerk, "nope", due), NotFound},
		{"no due date", planErr(c, clerk, id, time.Time{}), Invalid},
		{"another district's evidence", noteErr(c, clerk, id, "theirs"), Invalid},
	} {
		if got := findingErrKind(tc.err); got != tc.want {
			t.Errorf("%s: %v, want %s", tc.name, tc.err, tc.want)
		}
	}
	if len(fake.sent) != 0 {
		t.Fatalf("refused actions reached the workflow: %+v", fake.sent)
	}

	st, err := c.PlanFinding(ctx, clerk, "k", id, FindingPlan{Measures: "m", DueDate: due})
	if err != nil || st.Status != vocab.ItemInProgress || len(fake.sent) != 1 {
		t.Fatalf("a valid plan: %+v %v", st, err)
	}
	o := fake.sent[0]
	in, _ := o.Args[0].(workflows.PlanInput)
	if o.WorkflowID != id || o.UpdateName != workflows.UpdatePlan || o.UpdateID != "0:k" || in.Actor.Name != "clerk" ||
		!in.DueDate.Equal(due) || in.Measures != "m" {
		t.Errorf("the Update sent: %+v", o)
	}
	if _, err := c.ReportProgress(ctx, clerk, "", id, FindingNote{Text: "n", Evidence: []string{"own"}}); err != nil {
		t.Errorf("progress with the district's own evidence: %v", err)
	}
}

// TestActionWaitsForAStartingItem: a review is answered before its findings' workflows run, so a district may
// act on a finding its workflow has not recorded yet; the core waits for the record (here it never comes: the
// caller gives up first) and sends nothing meanwhile. Once recorded, the action goes to the workflow, within the
// action's one deadline, and a recorded finding whose workflow is gone is NotFound at once.
func TestActionWaitsForAStartingItem(t *testing.T) {
	c, fake, recorded := findingsCore(t)
	ctx := context.Background()
	starting := vocab.FindingID(2025, "370211", 2)
	err := c.store.CreateFindings(ctx, []store.Finding{{ID: starting, Year: 2025, DistrictCode: "370211", Seq: 2,
		Title: "c", Status: "open"}})
	if err != nil {
		t.Fatal(err)
	}
	clerk := Actor{Name: "clerk", Role: vocab.RoleDistrict, Unit: "370211"}
	note := FindingNote{Text: "n"}
	fake.missing = 1 // the workflow does not run yet
	waiting, cancel := context.WithTimeout(ctx, 5*recordedPoll)
	defer cancel()
	if _, err := c.ReportProgress(waiting, clerk, "k", starting, note); findingErrKind(err) != Unavailable ||
		len(fake.sent) != 0 {
		t.Errorf("progress on an item not recorded: %v after %d sends, want Unavailable after none", err,
			len(fake.sent))
	}

	fake.missing = 0
	st := &workflows.ItemState{ID: starting, Status: vocab.ItemOpen}
	if err := c.store.RecordFinding(ctx, &store.Finding{ID: starting, Status: "open", State: st,
		Written: store.Written{RecordTime: 1, RecordSeq: 1}},
		&store.AuditEvent{Action: "opened", Target: starting}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReportProgress(ctx, clerk, "k", starting, note); err != nil || len(fake.sent) != 1 {
		t.Errorf("progress on the item recorded: %v after %d sends, want success after 1", err, len(fake.sent))
	}

	// An item recorded while the action waits: the Update gets what is left of the action's time, not a time of
	// its own, so the action lasts at most ActionTimeout in all.
	later := vocab.FindingID(2025, "370211", 3)
	if err := c.store.CreateFindings(ctx, []store.Finding{{ID: later, Year: 2025, DistrictCode: "370211", Seq: 3,
		Title: "d", Status: "open"}}); err != nil {
		t.Fatal(err)
	}
	recordedLater := make(chan error, 1)
	time.AfterFunc(3*recordedPoll, func() {
		recordedLater <- c.store.RecordFinding(ctx, &store.Finding{ID: later, Status: "open",
			State:   &workflows.ItemState{ID: later, Status: vocab.ItemOpen},
			Written: store.Written{RecordTime: 1, RecordSeq: 1}}, &store.AuditEvent{Action: "opened", Target: later})
	})
	asked := time.Now()
	if _, err := c.ReportProgress(ctx, clerk, "k3", later, note); err != nil || <-recordedLater != nil {
		t.Fatalf("progress on an item recorded while it waits: %v", err)
	}
	if limit := asked.Add(ActionTimeout + recordedPoll); !fake.deadline.Before(limit) {
		t.Errorf("the Update's deadline is %v after the action was asked, want within ActionTimeout (%v)",
			fake.deadline.Sub(asked), ActionTimeout)
	}

	fake.sent, fake.missing = nil, 1
	if _, err := c.ReportProgress(ctx, clerk, "k2", recorded, note); findingErrKind(err) != NotFound ||
		len(fake.sent) != 1 {
		t.Errorf("progress on a recorded item without its workflow: %v after %d sends, want NotFound after 1", err,
			len(fake.sent))
	}
}

func planErr(c *Core, a Actor, id string, due time.Time) error {
	_, err := c.PlanFinding(context.Background(), a, "k", id, FindingPlan{DueDate: due})
	return err
}

func noteErr(c *Core, a Actor, id, evidence string) error {
	_, err := c.RequestClose(context.Background(), a, "k", id, FindingNote{Evidence: []string{evidence}})
	return err
}

func verifyErr(c *Core, a Actor, id string) error {
	_, err := c.VerifyFinding(context.Background(), a, "k", id, Verification{Accepted: true})
	return err
}

// TestFindingsAsTheDistrictSeesThem: a district sees its own finding with its state, not another's, and its own
// ledger rows whatever district it names; the office sees every row.
func TestFindingsAsTheDistrictSeesThem(t *testing.T) {
	c, _, id := findingsCore(t)
	ctx := context.Background()
	clerk := Actor{Role: vocab.RoleDistrict, Unit: "370211"}
	v, err := c.Finding(ctx, clerk, id)
	if err != nil || v.ID != id || v.State.Status != vocab.ItemOpen {
		t.Errorf("its own finding: %+v %v", v, err)
	}
	if _, err := c.Finding(ctx, clerk, vocab.FindingID(2025, "370202", 1)); findingErrKind(err) != NotFound {
		t.Errorf("another district's finding: %v", err)
	}
	p, err := c.Ledger(ctx, clerk, LedgerFilter{District: "370202"}, 0, 0)
	if err != nil || p.Total != 1 || p.Findings[0].DistrictCode != "370211" || p.Page != 1 || p.PerPage != 50 {
		t.Errorf("the district's ledger: %+v %v", p, err)
	}
	rows, err := c.LedgerRows(ctx, Actor{Role: vocab.RoleOffice}, LedgerFilter{})
	if err != nil || len(rows) != 2 {
		t.Errorf("the office's ledger: %+v %v", rows, err)
	}
}
