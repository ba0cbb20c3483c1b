package usecase

import (
	"context"
	"errors"
	"testing"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"junheng/evaluation"
	"junheng/store"
	"junheng/store/storetest"
	"junheng/vocab"
	"junheng/workflows"
)

// TestWhoMaySaveADraft: the core decides the role and the district scope before it stores or asks anything: a
// district saving for another district finds nothing there, the office may not save a district's draft.
func TestWhoMaySaveADraft(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	if err := db.RecordCycle(ctx, &store.Cycle{Year: 2025, DistrictCode: "370211", Stage: "self_assessment"},
		nil); err != nil {
		t.Fatal(err)
	}
	c := New(Deps{Store: db, Profile: evaluation.National2017()})
	in := evaluation.Input{Year: 2025, District: evaluation.District{Code: "370211"}}
	for _, tc := range []struct {
		actor Actor
		want  Kind
	}{
		{Actor{Role: vocab.RoleDistrict, Unit: "370202"}, NotFound},
		{Actor{Role: vocab.RoleOffice}, Forbidden},
		{Actor{Role: vocab.RoleDistrict, Unit: "370211"}, Invalid}, // reached the input: no schools
	} {
		_, err := c.SaveDraft(ctx, tc.actor, "k", 2025, "370211", in)
		var e *Error
		if !errors.As(err, &e) || e.Kind != tc.want {
			t.Errorf("%+v: %v, want %s", tc.actor, err, tc.want)
		}
	}
	_, err := c.SaveDraft(ctx, Actor{Role: vocab.RoleDistrict, Unit: "370211"}, "k", 2025, "370211",
		evaluation.Input{Year: 2024, District: evaluation.District{Code: "370202"}})
	if e := (*Error)(nil); !errors.As(err, &e) || len(e.Fields) != 2 {
		t.Errorf("data of another district and year: %v", err)
	}
}

// TestWorkflowErrors: what Temporal answers maps to the kinds the faces answer for.
func TestWorkflowErrors(t *testing.T) {
	refusal := func(kind string) error {
		return temporal.NewNonRetryableApplicationError("no", kind, nil,
			workflows.Refusal{MessageZh: "不", MessageEn: "no", Field: "due_date"})
	}
	for err, want := range map[error]Kind{
		refusal(workflows.ErrInvalid):                                    Invalid,
		refusal(workflows.ErrForbidden):                                  Forbidden,
		refusal(workflows.ErrConflict):                                   Refused,
		serviceerror.NewNotFound("workflow execution already completed"): Ended,
		serviceerror.NewNotFound("workflow not found"):                   NotFound,
		serviceerror.NewUnavailable("down"):                              Unavailable,
		serviceerror.NewFailedPrecondition("The limit on the total number of distinct updates in this " +
			"workflow has been reached (2000)."): Busy,
	} {
		var e *Error
		if !errors.As(WorkflowError(err), &e) || e.Kind != want {
			t.Errorf("%v: %v, want %s", err, WorkflowError(err), want)
		}
	}
	if err := WorkflowError(refusal(workflows.ErrInvalid)).(*Error); len(err.Fields) != 1 ||
		err.Fields[0].Field != "due_date" {
		t.Errorf("the refused field is not named: %+v", err)
	}
	other := errors.New("other")
	if WorkflowError(other) != other || WorkflowError(nil) != nil {
		t.Error("other errors are not passed on as they are")
	}
}

// TestEvaluationsOfTheYear: the charts' evaluations come from each district's newest submission; a district sees
// only its own.
func TestEvaluationsOfTheYear(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	for _, sub := range []store.Submission{
		{Year: 2025, DistrictCode: "370211", DraftID: 1,
			Evaluation: evaluation.Result{Verdict: evaluation.DoesNotMeet}},
		{Year: 2025, DistrictCode: "370211", DraftID: 2, Evaluation: evaluation.Result{Verdict: evaluation.Meets}},
		{Year: 2025, DistrictCode: "370202", DraftID: 3, Evaluation: evaluation.Result{Verdict: evaluation.Meets}},
	} {
		if err := db.Submit(ctx, &sub); err != nil {
			t.Fatal(err)
		}
	}
	c := New(Deps{Store: db})
	all, err := c.Evaluations(ctx, Actor{Role: vocab.RoleOffice}, 2025)
	if err != nil || len(all) != 2 || all["370211"].Verdict != evaluation.Meets {
		t.Errorf("the office: %v %v", all, err)
	}
	own, err := c.Evaluations(ctx, Actor{Role: vocab.RoleDistrict, Unit: "370202"}, 2025)
	if err != nil || len(own) != 1 || own["370202"] == nil {
		t.Errorf("a district: %v %v", own, err)
	}
}

// TestRefusalsAudited: an action refused by the core is in the audit trail once, with who asked, the request and
// the outcome, and marked so that a face does not record it again.
func TestRefusalsAudited(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	c := New(Deps{Store: db, Profile: evaluation.National2017()})
	other := Actor{Name: "clerk", Role: vocab.RoleDistrict, Unit: "370202", RequestID: "req-9"}
	_, err := c.SaveDraft(ctx, other, "k", 2025, "370211", evaluation.Input{})
	if !errors.Is(err, ErrNotFound) || !Audited(err) {
		t.Fatalf("%v, audited %v", err, Audited(err))
	}
	events, err := db.Audit(ctx, store.AuditFilter{Action: "save_draft"})
	if err != nil || len(events) != 1 || events[0].Outcome != "not_found" || events[0].Actor != "clerk" ||
		events[0].RequestID != "req-9" || events[0].Target != "cycle:2025:370211" {
		t.Errorf("audit %+v, %v", events, err)
	}
}
