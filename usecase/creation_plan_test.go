package usecase

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"junheng/evaluation"
	"junheng/progress"
	"junheng/store"
	"junheng/store/storetest"
	"junheng/vocab"
	"junheng/workflows"
)

// planTemporal records the plan workflow's start and its Updates, and accepts them.
type planTemporal struct {
	client.Client
	starts  []client.StartWorkflowOptions
	params  []workflows.CreationPlanParams
	updates []client.UpdateWorkflowOptions
}

func (f *planTemporal) CheckHealth(context.Context, *client.CheckHealthRequest) (*client.CheckHealthResponse, error) {
	return &client.CheckHealthResponse{}, nil
}

func (f *planTemporal) NewWithStartWorkflowOperation(o client.StartWorkflowOptions, _ any,
	args ...any) client.WithStartWorkflowOperation {
	f.starts = append(f.starts, o)
	f.params = append(f.params, args[0].(workflows.CreationPlanParams))
	return nil
}

func (f *planTemporal) UpdateWithStartWorkflow(_ context.Context,
	o client.UpdateWithStartWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	f.updates = append(f.updates, o.UpdateOptions)
	return planUpdate{}, nil
}

type planUpdate struct{ client.WorkflowUpdateHandle }

func (planUpdate) Get(_ context.Context, out any) error {
	return json.Unmarshal([]byte(`{"district":"370211","status":"submitted"}`), out)
}

// planCore is a core over an empty store with the district 370211's responsibility letter and another district's
// file.
func planCore(t *testing.T) (*Core, *store.Store, *planTemporal) {
	t.Helper()
	db := storetest.SQLite(t)
	for _, f := range []store.File{{ID: "letter", DistrictCode: "370211"}, {ID: "other", DistrictCode: "370202"}} {
		if err := db.AddFile(context.Background(), &f); err != nil {
			t.Fatal(err)
		}
	}
	fake := &planTemporal{}
	return New(Deps{Store: db, Temporal: fake, Profile: evaluation.National2017()}), db, fake
}

func kindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

func fieldsOf(err error) []string {
	var e *Error
	if !errors.As(err, &e) {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

var goodPlan = progress.Plan{TargetYear: 2026, Milestones: []progress.Milestone{
	{Year: 2026, Indicators: []string{"sports_area_per_student"}}}}

// TestWhoMaySubmitACreationPlan: only the district itself submits its plan, and who may not learns nothing of
// the input's problems; the district's input is checked whole (plan, letter, note) before Temporal is asked.
func TestWhoMaySubmitACreationPlan(t *testing.T) {
	c, _, fake := planCore(t)
	ctx := context.Background()
	bad := CreationPlanSubmission{Note: strings.Repeat("字", 2001)}
	for _, tc := range []struct {
		actor Actor
		want  Kind
	}{
		{Actor{Role: vocab.RoleDistrict, Unit: "370202"}, NotFound},
		{Actor{Role: vocab.RoleOffice}, Forbidden},
		{Actor{Role: vocab.RoleAdmin}, Forbidden},
		{Actor{Role: vocab.RoleDistrict, Unit: "370211"}, Invalid},
	} {
		if _, err := c.SubmitCreationPlan(ctx, tc.actor, "k", "370211", bad); kindOf(err) != tc.want {
			t.Errorf("%+v: %v, want %s", tc.actor, err, tc.want)
		}
	}
	own := Actor{TokenID: 7, Name: "区", Role: vocab.RoleDistrict, Unit: "370211"}
	_, err := c.SubmitCreationPlan(ctx, own, "k", "370211", bad)
	for _, f := range []string{"target_year", "milestones", "responsibility_file", "note"} {
		if !slices.Contains(fieldsOf(err), f) {
			t.Errorf("%s is not named: %v", f, err)
		}
	}
	_, err = c.SubmitCreationPlan(ctx, own, "k", "370211", CreationPlanSubmission{Plan: goodPlan,
		ResponsibilityFile: "other"})
	if !slices.Equal(fieldsOf(err), []string{"responsibility_file"}) {
		t.Errorf("another district's file as the letter: %v", err)
	}
	_, err = c.SubmitCreationPlan(ctx, own, "k", "370211", CreationPlanSubmission{Plan: progress.Plan{
		TargetYear: 2026, Milestones: []progress.Milestone{{Year: 2026, Indicators: []string{"no_such_key"}}}},
		ResponsibilityFile: "letter"})
	if !slices.Equal(fieldsOf(err), []string{"milestones[0].indicators[0]"}) {
		t.Errorf("an indicator the profile does not know: %v", err)
	}
	if len(fake.updates) != 0 {
		t.Errorf("refused input reached Temporal: %+v", fake.updates)
	}
}

// TestTheFirstSubmissionStartsThePlan: a district without a plan starts its workflow with its first submission,
// empty; the office's review of a plan that does not exist is NotFound, and of one that does starts a closed run
// again from the read model.
func TestTheFirstSubmissionStartsThePlan(t *testing.T) {
	c, db, fake := planCore(t)
	ctx := context.Background()
	own := Actor{TokenID: 7, Name: "区", Role: vocab.RoleDistrict, Unit: "370211"}
	office := Actor{TokenID: 1, Name: "市", Role: vocab.RoleOffice}
	review := CreationPlanReview{Version: 1, Approved: true}
	if _, err := c.ReviewCreationPlan(ctx, office, "r", "370211", review); kindOf(err) != NotFound {
		t.Errorf("reviewing no plan: %v", err)
	}
	if _, err := c.ReviewCreationPlan(ctx, office, "r", "370211", CreationPlanReview{}); kindOf(err) != Invalid {
		t.Errorf("reviewing no version: %v", err)
	}
	st, err := c.SubmitCreationPlan(ctx, own, "k", "370211", CreationPlanSubmission{Plan: goodPlan,
		ResponsibilityFile: "letter", Note: "说明"})
	if err != nil || st.Status != vocab.PlanSubmitted {
		t.Fatalf("submitting: %+v %v", st, err)
	}
	if len(fake.starts) != 1 || fake.starts[0].ID != vocab.CreationPlanID("370211") ||
		fake.starts[0].WorkflowIDConflictPolicy != enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING ||
		fake.params[0].District != "370211" || fake.params[0].State != nil {
		t.Errorf("the start: %+v %+v", fake.starts, fake.params)
	}
	u := fake.updates[0]
	in, _ := u.Args[0].(workflows.PlanSubmission)
	if u.UpdateName != workflows.UpdateSubmitPlan || u.UpdateID != "7:k" || in.Actor.District != "370211" ||
		in.ResponsibilityFile != "letter" || in.Note != "说明" || in.Plan.TargetYear != 2026 {
		t.Errorf("the Update: %+v", u)
	}

	if err := db.RecordPlan(ctx, &store.Plan{DistrictCode: "370211", Status: "submitted", Version: 1,
		State: workflows.CreationPlanState{District: "370211", Status: vocab.PlanSubmitted}}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReviewCreationPlan(ctx, office, "r", "370211", review); err != nil {
		t.Fatal(err)
	}
	if p := fake.params[1]; p.State == nil || p.State.Status != vocab.PlanSubmitted {
		t.Errorf("the review does not start from the read model: %+v", p)
	}
	if u := fake.updates[1]; u.UpdateName != workflows.UpdateReviewPlan ||
		u.Args[0].(workflows.PlanReview).Actor.Role != vocab.RoleOffice {
		t.Errorf("the review's Update: %+v", u)
	}
	if _, err := c.ReviewCreationPlan(ctx, own, "r", "370211", review); kindOf(err) != Forbidden {
		t.Errorf("a district reviewing its own plan: %v", err)
	}
}

// TestCreationPlanView: every role sees a plan with its versions decoded, a district only its own.
func TestCreationPlanView(t *testing.T) {
	c, db, _ := planCore(t)
	ctx := context.Background()
	if err := db.RecordPlan(ctx, &store.Plan{DistrictCode: "370211", Status: "submitted", Version: 1},
		[]store.PlanVersion{{DistrictCode: "370211", Version: 1, Plan: goodPlan, Status: "submitted"}},
		nil); err != nil {
		t.Fatal(err)
	}
	v, err := c.CreationPlan(ctx, Actor{Role: vocab.RoleProvince}, "370211")
	if err != nil || len(v.Versions) != 1 || v.Versions[0].Plan.TargetYear != 2026 {
		t.Errorf("the plan: %+v %v", v, err)
	}
	other := Actor{Role: vocab.RoleDistrict, Unit: "370202"}
	if _, err := c.CreationPlan(ctx, other, "370211"); kindOf(err) != NotFound {
		t.Errorf("another district's plan: %v", err)
	}
	if _, err := c.CreationPlan(ctx, Actor{Role: vocab.RoleOffice}, "370202"); kindOf(err) != NotFound {
		t.Errorf("no plan: %v", err)
	}
}
