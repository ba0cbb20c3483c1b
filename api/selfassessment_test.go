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
	clerk := token(t, db, workflows.RoleDistrict, "370200")
	rec := send(e, clerk, http.MethodPut, "/api/v1/cycles/2025/districts/370200/self-assessment",
		echo.MIMEApplicationJSON, data)
	var out draftResponse
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &out) != nil {
		t.Fatalf("%d %.300s", rec.Code, rec.Body)
	}
	var judged evaluation.Result
	err = json.Unmarshal([]byte(stored.Evaluation), &judged)
	if err != nil || judged.Verdict != out.Evaluation.Verdict ||
		stored.Verdict != string(out.Evaluation.Verdict) || stored.Shortfalls != len(out.Evaluation.Shortfalls) {
		t.Errorf("the draft as the workflow found it: %v %+v, answered %s", err, stored, out.Evaluation.Verdict)
	}
}
