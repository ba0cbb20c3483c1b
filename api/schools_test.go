package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/client"

	"junheng/evaluation"
	"junheng/evaluation/excel"
	"junheng/store"
	"junheng/store/storetest"
	"junheng/usecase"
	"junheng/vocab"
	"junheng/workflows"
)

// registerSchools registers schools (code: district) and opens 2025 for those of open, as the district's opening
// of the round does before it starts their workflows.
func registerSchools(t *testing.T, db *store.Store, schools map[string]string, open ...string) {
	t.Helper()
	ctx := context.Background()
	var org store.Organisation
	for code, district := range schools {
		org.Schools = append(org.Schools, store.School{Code: code, Name: "学校" + code, DistrictCode: district,
			Kind: string(evaluation.KindPrimary)})
	}
	if err := db.SaveOrganisation(ctx, org, &store.AuditEvent{Actor: "test", Role: "admin",
		Action: "import_organisation", Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	for _, code := range open {
		if _, err := db.ClaimSchoolReturns(ctx, 2025, schools[code], []string{code},
			time.Now().AddDate(0, 1, 0)); err != nil {
			t.Fatal(err)
		}
	}
}

// schoolJSON is a primary school's data that the 2017 standard takes, without its code (the school's own).
const schoolJSON = `{"kind":"primary","stages":{"primary":{"students":500,"classes":12,"largest_class":45,
	"qualified_teachers":30,"backbone_teachers":5,"pe_art_teachers":4}},"facilities":{"teaching_room_area_m2":3000,
	"sports_area_m2":8000,"equipment_value_yuan":1000000,"multimedia_rooms":12,"music_rooms":2,"art_rooms":2}}`

// TestSchoolsReachTheirOwnDataOnly: a school reads and saves its own data and nothing else, not another school's
// nor any district route; its district reads where its schools stand, another district does not, and a school of
// another district under the district's path is unknown before the body is read. Bad bodies name the field.
func TestSchoolsReachTheirOwnDataOnly(t *testing.T) {
	db := storetest.Open(t)[store.SQLite]
	e, office := seeded(t, db, 2, func(d *Deps) { d.Profile = evaluation.National2017() })
	const mine, sister, foreign = "3702000001", "3702000002", "3702010001"
	registerSchools(t, db, map[string]string{mine: "370200", sister: "370200", foreign: "370201"}, mine, sister)
	head := token(t, db, vocab.RoleSchool, mine)
	clerk := token(t, db, vocab.RoleDistrict, "370200")
	own := "/api/v1/schools/2025/own"
	schools := "/api/v1/cycles/2025/districts/370200/schools"

	rec := send(e, head, http.MethodPut, own, echo.MIMEApplicationJSON, []byte(schoolJSON))
	var saved store.SchoolDraft
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &saved) != nil || saved.SchoolCode != mine ||
		saved.Data.Code != mine || saved.Data.Stages.Primary.Students != 500 {
		t.Fatalf("saving its own data: %d %.300s", rec.Code, rec.Body)
	}
	var form usecase.SchoolFormView
	if rec := get(e, head, own); rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &form) != nil ||
		form.School.Code != mine || !form.Opened || form.Status != vocab.SchoolDraft || form.Draft == nil {
		t.Errorf("its own form: %d %.300s", rec.Code, rec.Body)
	}
	other := strings.Replace(schoolJSON, `{`, `{"code":"`+sister+`",`, 1)
	if rec := send(e, head, http.MethodPut, own, echo.MIMEApplicationJSON, []byte(other)); rec.Code != 404 {
		t.Errorf("saving the sister school's data: %d %.300s", rec.Code, rec.Body)
	}
	var sisters usecase.SchoolFormView
	if rec := get(e, token(t, db, vocab.RoleSchool, sister), own); rec.Code != http.StatusOK ||
		json.Unmarshal(rec.Body.Bytes(), &sisters) != nil || sisters.School.Code != sister || sisters.Draft != nil {
		t.Errorf("the sister school's form: %d %.300s", rec.Code, rec.Body)
	}
	for _, r := range []struct{ method, path string }{{"GET", schools}, {"POST", schools + "/" + mine + "/accept"},
		{"GET", "/api/v1/cycles/2025/districts/370200"}, {"POST", schools}} {
		if rec := send(e, head, r.method, r.path, echo.MIMEApplicationJSON, []byte("{}")); rec.Code != 403 {
			t.Errorf("the school: %s %s: %d, want 403", r.method, r.path, rec.Code)
		}
	}
	if rec := get(e, office, own); rec.Code != 403 {
		t.Errorf("the office reading a school's own form: %d", rec.Code)
	}

	var rows []usecase.SchoolStatusRow
	if rec := get(e, clerk, schools); rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &rows) != nil ||
		len(rows) != 2 || rows[0].SchoolCode != mine || rows[0].Status != string(vocab.SchoolDraft) ||
		!rows[1].Opened || rows[1].Status != string(vocab.SchoolNotStarted) {
		t.Errorf("the district's schools: %d %.400s", rec.Code, rec.Body)
	}
	if rec := get(e, office, schools); rec.Code != http.StatusOK {
		t.Errorf("the office reading the district's schools: %d", rec.Code)
	}
	if rec := get(e, token(t, db, vocab.RoleDistrict, "370201"), schools); rec.Code != 404 {
		t.Errorf("another district reading the district's schools: %d", rec.Code)
	}
	for _, school := range []string{foreign, "3702009999"} {
		path := schools + "/" + school + "/return"
		if rec := send(e, clerk, "POST", path, echo.MIMEApplicationJSON, []byte("{")); rec.Code != 404 {
			t.Errorf("%s: %d %.300s, want 404 before the body is read", path, rec.Code, rec.Body)
		}
	}

	for _, c := range []struct{ token, method, path, body, field string }{
		{head, "PUT", own, `{"stages":{"primary":{"students":"many"}}}`, "stages.primary.students"},
		{head, "PUT", own, `{"colour":"red"}`, "colour"},
		{head, "PUT", own, strings.Replace(schoolJSON, `"students":500`, `"students":-5`, 1),
			"stages.primary.students"},
		{clerk, "POST", schools + "/" + mine + "/return", `{"reason":" "}`, "reason"},
		{clerk, "POST", schools + "/" + mine + "/deadline", `{}`, "deadline"},
		{clerk, "POST", schools + "/" + mine + "/deadline", `{"deadline":"soon"}`, "deadline"},
		{clerk, "POST", schools, `{"deadline":"31/12/2099"}`, "deadline"},
	} {
		rec := send(e, c.token, c.method, c.path, echo.MIMEApplicationJSON, []byte(c.body))
		p := problemOf(t, rec)
		if rec.Code != http.StatusUnprocessableEntity ||
			!slices.ContainsFunc(p.Errors, func(f FieldError) bool { return f.Field == c.field }) {
			t.Errorf("%s %s %s: %d %+v, want 422 naming %s", c.method, c.path, c.body, rec.Code, p.Errors, c.field)
		}
	}
}

// TestWorkbookEntersTheSchools: a workbook saved as the district's draft enters each registered and opened school
// it holds whose own data is not submitted, and says so in the answer's schools; JSON enters none.
func TestWorkbookEntersTheSchools(t *testing.T) {
	db := storetest.Open(t)[store.SQLite]
	var entered []string
	fake := &fakeTemporal{update: func(o client.UpdateWorkflowOptions) (any, error) {
		if o.UpdateName == workflows.UpdateEnterSchool {
			entered = append(entered, o.WorkflowID)
			return workflows.SchoolState{Status: vocab.SchoolAccepted, ByDistrict: true}, nil
		}
		return workflows.CycleState{Year: 2025, District: "370200"}, nil
	}}
	e, _ := seeded(t, db, 1, func(d *Deps) { d.Temporal, d.Profile = fake, evaluation.National2017() })
	registerSchools(t, db, map[string]string{"S001": "370200", "S002": "370200", "S003": "370200"}, "S001", "S002")
	if err := db.RecordSchoolReturn(context.Background(), &store.SchoolReturn{Year: 2025, SchoolCode: "S002",
		DistrictCode: "370200", Status: string(vocab.SchoolSubmitted), Written: store.Written{RecordTime: 1}},
		nil); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("../evaluation/testdata/district.json")
	if err != nil {
		t.Fatal(err)
	}
	data = []byte(strings.Replace(string(data), `"370211"`, `"370200"`, 1))
	in, err := evaluation.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var workbook bytes.Buffer
	if err := excel.Write(&workbook, in); err != nil {
		t.Fatal(err)
	}
	clerk := token(t, db, vocab.RoleDistrict, "370200")
	path := "/api/v1/cycles/2025/districts/370200/self-assessment"

	rec := send(e, clerk, http.MethodPut, path, excel.ContentType, workbook.Bytes(), headerIdempotencyKey, "wb")
	var out selfAssessmentSaved
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &out) != nil || out.DraftID == 0 {
		t.Fatalf("the workbook: %d %.300s", rec.Code, rec.Body)
	}
	want := usecase.SchoolsEntered{Entered: []string{"S001"}, Kept: []string{"S002"}, Skipped: []string{"S003", "T001"}}
	if s := out.Schools; s == nil || !slices.Equal(s.Entered, want.Entered) || !slices.Equal(s.Kept, want.Kept) ||
		!slices.Equal(s.Skipped, want.Skipped) {
		t.Errorf("the workbook's schools: %+v, want %+v", s, want)
	}
	if !slices.Equal(entered, []string{vocab.SchoolID(2025, "370200", "S001")}) {
		t.Errorf("entered %v", entered)
	}

	entered = nil
	rec = send(e, clerk, http.MethodPut, path, echo.MIMEApplicationJSON, data)
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &fields); err != nil || rec.Code != http.StatusOK ||
		fields["schools"] != nil || len(entered) != 0 {
		t.Errorf("JSON entered schools: %d %v %.300s", rec.Code, entered, rec.Body)
	}
}
