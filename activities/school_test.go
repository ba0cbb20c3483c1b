package activities

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"junheng/evaluation"
	"junheng/store"
	"junheng/store/storetest"
	"junheng/vocab"
	"junheng/workflows"
)

// TestRecordSchool: a school's changes reach the read model with their audit entries; a submission copies the
// draft, a district's entry writes its own data, and a submission without a draft fails for good.
func TestRecordSchool(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	a := &Activities{Store: db}
	const code = "3702110001"
	due := time.Date(2025, 12, 17, 0, 0, 0, 0, time.UTC)
	t0 := time.Date(2025, 11, 1, 9, 0, 0, 0, time.UTC)
	if _, err := db.ClaimSchoolReturns(ctx, 2025, "370211", []string{code}, due); err != nil {
		t.Fatal(err)
	}
	head := vocab.Actor{Name: "实验小学", Role: vocab.RoleSchool, Unit: code, District: "370211"}
	rec := func(n int, status vocab.SchoolStatus, action string) workflows.SchoolRecord {
		return workflows.SchoolRecord{State: workflows.SchoolState{Year: 2025, District: "370211", School: code,
			Status: status, Deadline: due, Submissions: 1, SubmittedAt: t0, EventsCount: n},
			Event: workflows.Event{Key: action, Actor: head, Action: action, At: t0.Add(time.Duration(n) * time.Hour)}}
	}
	submit := rec(1, vocab.SchoolSubmitted, "school_submitted")
	submit.CopyDraft = true
	var appErr *temporal.ApplicationError
	if _, err := a.RecordSchool(ctx, submit); !errors.As(err, &appErr) || !appErr.NonRetryable() {
		t.Fatalf("a submission without a draft: %v, want a non-retryable error", err)
	}
	data := evaluation.School{Code: code, Name: "实验小学", Kind: evaluation.KindPrimary}
	if err := db.SaveSchoolDraft(ctx, &store.SchoolDraft{Year: 2025, SchoolCode: code, DistrictCode: "370211",
		Data: data, EnteredBy: head.Name}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := a.RecordSchool(ctx, submit); err != nil {
		t.Fatal(err)
	}
	r, err := db.SchoolReturn(ctx, 2025, code)
	if err != nil || r.Status != "submitted" || r.Data == nil || r.Data.Name != "实验小学" || r.SubmittedAt == nil {
		t.Fatalf("submitted: %+v, %v", r, err)
	}
	entered := rec(2, vocab.SchoolAccepted, "school_entered_by_district")
	entered.State.ByDistrict, entered.Data = true, &evaluation.School{Code: code, Name: "实验小学(区县代填)"}
	if _, err := a.RecordSchool(ctx, entered); err != nil {
		t.Fatal(err)
	}
	r, err = db.SchoolReturn(ctx, 2025, code)
	if err != nil || r.Status != "accepted" || !r.ByDistrict || r.Data == nil || r.Data.Name != "实验小学(区县代填)" {
		t.Fatalf("entered: %+v, %v", r, err)
	}
	events, err := db.Audit(ctx, store.AuditFilter{Target: vocab.SchoolID(2025, "370211", code)})
	if err != nil || len(events) != 2 || events[1].ActorUnit != code || events[1].DistrictCode != "370211" {
		t.Errorf("audit: %+v, %v", events, err)
	}
}
