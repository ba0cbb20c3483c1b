package api

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/client"

	"junheng/evaluation"
	"junheng/store"
	"junheng/store/storetest"
	"junheng/usecase"
	"junheng/vocab"
	"junheng/workflows"
)

// TestDraftStoredWithItsEvaluation: the API evaluates a saved draft once and stores it with its evaluation before
// the workflow takes it, so the workflow's activity only reads it.
func TestDraftStoredWithItsEvaluation(t *testing.T) {
	db := storetest.Open(t)[store.SQLite]
	var stored store.Draft
	fake := &fakeTemporal{update: func(o client.UpdateWorkflowOptions) (any, error) {
		var err error
		if stored, err = db.Draft(context.Background(), o.Args[0].(workflows.SaveDraftInput).DraftID); err != nil {
			t.Error(err)
		}
		return workflows.CycleState{Year: 2025, District: "370200"}, nil
	}}
	e, _ := seeded(t, db, 1, func(d *Deps) { d.Temporal, d.Profile = fake, evaluation.National2017() })
	data, err := os.ReadFile("../evaluation/testdata/district.json")
	if err != nil {
		t.Fatal(err)
	}
	data = []byte(strings.Replace(string(data), `"370211"`, `"370200"`, 1))
	clerk := token(t, db, vocab.RoleDistrict, "370200")
	rec := send(e, clerk, http.MethodPut, "/api/v1/cycles/2025/districts/370200/self-assessment",
		echo.MIMEApplicationJSON, data)
	var out usecase.DraftSaved
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &out) != nil {
		t.Fatalf("%d %.300s", rec.Code, rec.Body)
	}
	if stored.Evaluation == nil || stored.Evaluation.Verdict != out.Evaluation.Verdict ||
		stored.Verdict != string(out.Evaluation.Verdict) || stored.Shortfalls != len(out.Evaluation.Shortfalls) {
		t.Errorf("the draft as the workflow found it: %+v, answered %s", stored, out.Evaluation.Verdict)
	}
}

// TestSavedDraftComesWithItsEvaluation: GET …/self-assessment answers the latest draft's data with the evaluation
// stored with it, and evaluates on reading a draft whose evaluation an older release left to the workflow.
func TestSavedDraftComesWithItsEvaluation(t *testing.T) {
	db := storetest.Open(t)[store.SQLite]
	e, _ := seeded(t, db, 1, func(d *Deps) { d.Profile = evaluation.National2017() })
	data, err := os.ReadFile("../evaluation/testdata/district.json")
	if err != nil {
		t.Fatal(err)
	}
	in, err := evaluation.Decode(strings.NewReader(strings.Replace(string(data), `"370211"`, `"370200"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	stored := &store.Draft{Year: 2025, DistrictCode: "370200", Data: in, CreatedBy: "clerk",
		Evaluation: &evaluation.Result{Verdict: evaluation.DoesNotMeet, District: in.District}}
	legacy := &store.Draft{Year: 2025, DistrictCode: "370200", Data: in, CreatedBy: "clerk"}
	clerk := token(t, db, vocab.RoleDistrict, "370200")
	for i, d := range []*store.Draft{stored, legacy} {
		if err := db.AddDraft(ctx, d); err != nil {
			t.Fatal(err)
		}
		err := db.RecordCycle(ctx, &store.Cycle{Year: 2025, DistrictCode: "370200", Stage: "self_assessment",
			State: workflows.CycleState{DraftID: d.ID}, Written: store.Written{RecordTime: int64(i + 1)}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		rec := send(e, clerk, http.MethodGet, "/api/v1/cycles/2025/districts/370200/self-assessment", "", nil)
		var out usecase.SavedDraft
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &out) != nil {
			t.Fatalf("%d %.300s", rec.Code, rec.Body)
		}
		want := evaluation.DoesNotMeet // as stored, though the data meets the standard
		if d == legacy {
			want = evaluation.Meets
		}
		if out.DraftID != d.ID || out.Data.District.Code != "370200" || out.Evaluation.Verdict != want {
			t.Errorf("draft %d: got draft %d of %q judged %q, want %q", d.ID, out.DraftID, out.Data.District.Code,
				out.Evaluation.Verdict, want)
		}
	}
}
