package usecase

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"junheng/evaluation"
	"junheng/store"
	"junheng/store/storetest"
	"junheng/vocab"
	"junheng/workflows"
)

const (
	school1, school2, school3 = "3702110001", "3702110002", "3702020001" // the last of 370202
)

// schoolTemporal records the schools' workflow starts and Updates, and accepts them.
type schoolTemporal struct {
	client.Client
	mu      sync.Mutex
	params  []workflows.SchoolParams
	updates []client.UpdateWorkflowOptions
}

func (f *schoolTemporal) CheckHealth(context.Context, *client.CheckHealthRequest) (*client.CheckHealthResponse,
	error) {
	return &client.CheckHealthResponse{}, nil
}

func (f *schoolTemporal) ExecuteWorkflow(_ context.Context, _ client.StartWorkflowOptions, _ any, args ...any,
) (client.WorkflowRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.params = append(f.params, args[0].(workflows.SchoolParams))
	return nil, nil
}

func (f *schoolTemporal) UpdateWorkflow(_ context.Context, o client.UpdateWorkflowOptions,
) (client.WorkflowUpdateHandle, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.updates = append(f.updates, o)
	return schoolUpdate{}, nil
}

// updated lists the Updates taken as "name workflowID".
func (f *schoolTemporal) updated() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, u := range f.updates {
		out = append(out, u.UpdateName+" "+u.WorkflowID)
	}
	return out
}

type schoolUpdate struct{ client.WorkflowUpdateHandle }

func (schoolUpdate) Get(context.Context, any) error { return nil }

var selfAssessmentDue = time.Now().UTC().AddDate(0, 3, 0).Truncate(time.Hour)

// schoolsCore is a core over two districts of 2025, 370211 with two schools and 370202 with one.
func schoolsCore(t *testing.T) (*Core, *store.Store, *schoolTemporal) {
	t.Helper()
	db := storetest.SQLite(t)
	ctx := context.Background()
	org := store.Organisation{
		Districts: []store.District{{Code: "370211", Name: "黄岛区"}, {Code: "370202", Name: "市南区"}},
		Schools: []store.School{{Code: school1, Name: "实验小学", DistrictCode: "370211", Kind: "primary"},
			{Code: school2, Name: "第二小学", DistrictCode: "370211", Kind: "primary"},
			{Code: school3, Name: "市南小学", DistrictCode: "370202", Kind: "primary"}},
	}
	if err := db.SaveOrganisation(ctx, org, &store.AuditEvent{Actor: "admin", Role: "admin", Action: "organisation",
		Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"370211", "370202"} {
		st := workflows.CycleState{Year: 2025, District: d, Stage: vocab.StageSelfAssessment,
			Deadlines: workflows.Deadlines{SelfAssessment: selfAssessmentDue,
				CityReview: selfAssessmentDue.AddDate(0, 3, 0), Application: selfAssessmentDue.AddDate(0, 5, 0)}}
		if err := db.RecordCycle(ctx, store.CycleOf(st), nil); err != nil {
			t.Fatal(err)
		}
	}
	fake := &schoolTemporal{}
	return New(Deps{Store: db, Temporal: fake, Profile: evaluation.National2017(),
		Policy: workflows.DefaultPolicy()}), db, fake
}

func validSchool(code string) evaluation.School {
	return evaluation.School{Code: code, Name: "学校" + code, Kind: evaluation.KindPrimary,
		Stages: evaluation.Stages{Primary: &evaluation.StageData{Students: 500, Classes: 12, LargestClass: 45,
			QualifiedTeachers: 30, BackboneTeachers: 5, PEArtTeachers: 4}},
		Facilities: evaluation.Facilities{TeachingRoomAreaM2: 3000, SportsAreaM2: 8000, EquipmentValueYuan: 1e6,
			MultimediaRooms: 12, MusicRooms: 2, ArtRooms: 2}}
}

var (
	huangdao = Actor{Name: "黄岛区教育局", Role: vocab.RoleDistrict, Unit: "370211", TokenID: 1}
	shinan   = Actor{Name: "市南区教育局", Role: vocab.RoleDistrict, Unit: "370202", TokenID: 2}
	head1    = Actor{Name: "实验小学", Role: vocab.RoleSchool, Unit: school1, AccountID: 7}
	head3    = Actor{Name: "市南小学", Role: vocab.RoleSchool, Unit: school3, AccountID: 8}
)

// TestSchoolScope: a school reads and saves only its own data; a district sees and decides on its own schools
// only, another district's are not found; every refusal is audited.
func TestSchoolScope(t *testing.T) {
	c, db, fake := schoolsCore(t)
	ctx := context.Background()
	if _, err := c.OpenSchoolRound(ctx, shinan, "k", 2025, "370211", time.Time{}); kindOf(err) != NotFound {
		t.Errorf("another district opens the year: %v", err)
	}
	if _, err := c.OpenSchoolRound(ctx, Actor{Role: vocab.RoleOffice}, "k", 2025, "370211",
		time.Time{}); kindOf(err) != Forbidden {
		t.Errorf("the office opens the year for schools: %v", err)
	}
	opened, err := c.OpenSchoolRound(ctx, huangdao, "k", 2025, "370211", time.Time{})
	if err != nil || !slices.Equal(opened.Opened, []string{school1, school2}) || len(opened.Existing) != 0 ||
		!opened.Deadline.Equal(selfAssessmentDue.Add(-SchoolDeadlineLead)) {
		t.Fatalf("opened %+v, %v", opened, err)
	}
	i := slices.IndexFunc(fake.params, func(p workflows.SchoolParams) bool { return p.School == school1 })
	if p := fake.params[max(i, 0)]; i < 0 || p.SchoolName != "实验小学" || p.DistrictName != "黄岛区" ||
		!p.Deadline.Equal(opened.Deadline) || len(p.Reminders) != 3 || p.OpenedBy.Name != huangdao.Name {
		t.Errorf("params %+v", p)
	}
	again, err := c.OpenSchoolRound(ctx, huangdao, "k2", 2025, "370211", time.Time{})
	if err != nil || len(again.Opened) != 0 || len(again.Existing) != 2 || len(fake.params) != 2 {
		t.Errorf("opened again: %+v, %v, %d starts", again, err, len(fake.params))
	}

	other := validSchool(school2)
	if _, err := c.SaveSchoolDraft(ctx, head1, 2025, other); kindOf(err) != NotFound {
		t.Errorf("a school saves another school's data: %v", err)
	}
	bad := validSchool("")
	bad.Stages.Primary.Students = 0
	if _, err := c.SaveSchoolDraft(ctx, head1, 2025, bad); kindOf(err) != Invalid ||
		!slices.Contains(fieldsOf(err), "stages.primary.students") {
		t.Errorf("invalid data: %v, fields %v", err, fieldsOf(err))
	}
	if _, err := c.SaveSchoolDraft(ctx, head3, 2025, validSchool(school3)); kindOf(err) != Refused {
		t.Errorf("a school whose district has not opened the year: %v", err)
	}
	if _, err := c.SaveSchoolDraft(ctx, huangdao, 2025, validSchool(school1)); kindOf(err) != Forbidden {
		t.Errorf("a district saves a school's draft: %v", err)
	}
	saved, err := c.SaveSchoolDraft(ctx, head1, 2025, validSchool(""))
	if err != nil || saved.Data.Code != school1 || saved.EnteredBy != head1.Name {
		t.Fatalf("saved %+v, %v", saved, err)
	}
	form, err := c.SchoolForm(ctx, head1, 2025)
	if err != nil || form.School.Code != school1 || !form.Opened || form.Status != vocab.SchoolDraft ||
		form.Draft == nil || form.Deadline.IsZero() {
		t.Errorf("the school's form: %+v, %v", form, err)
	}
	if _, err := c.SchoolForm(ctx, huangdao, 2025); kindOf(err) != Forbidden {
		t.Errorf("a district reads a school's form: %v", err)
	}

	if _, err := c.SchoolStatuses(ctx, shinan, 2025, "370211"); kindOf(err) != NotFound {
		t.Errorf("another district's schools: %v", err)
	}
	if _, err := c.SchoolStatuses(ctx, head1, 2025, "370211"); kindOf(err) != Forbidden {
		t.Errorf("a school lists its district's schools: %v", err)
	}
	rows, err := c.SchoolStatuses(ctx, huangdao, 2025, "370211")
	if err != nil || len(rows) != 2 || rows[0].Status != "draft" || !rows[0].Opened || rows[1].SchoolName != "第二小学" {
		t.Errorf("the district's schools: %+v, %v", rows, err)
	}
	if rows, err := c.SchoolStatuses(ctx, Actor{Role: vocab.RoleOffice}, 2025, "370202"); err != nil ||
		len(rows) != 1 || rows[0].Opened || rows[0].Status != "not_started" {
		t.Errorf("the office, a district not opened: %+v, %v", rows, err)
	}

	if _, err := c.AcceptSchool(ctx, shinan, "k", 2025, school1); kindOf(err) != NotFound {
		t.Errorf("another district accepts: %v", err)
	}
	if _, err := c.ReturnSchool(ctx, huangdao, "k", 2025, school1, " "); kindOf(err) != Invalid {
		t.Errorf("a return without reason: %v", err)
	}
	if _, err := c.SetSchoolDeadline(ctx, huangdao, "k", 2025, school1, time.Now().Add(-time.Hour)); kindOf(err) !=
		Invalid {
		t.Errorf("a deadline in the past: %v", err)
	}
	if len(fake.updates) != 0 {
		t.Fatalf("refused actions reached Temporal: %v", fake.updated())
	}
	if _, err := c.SubmitSchool(ctx, head1, "s1", 2025); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AcceptSchool(ctx, huangdao, "a1", 2025, school1); err != nil {
		t.Fatal(err)
	}
	wf := vocab.SchoolID(2025, "370211", school1)
	if got := fake.updated(); !slices.Equal(got, []string{workflows.UpdateSubmitSchool + " " + wf,
		workflows.UpdateAcceptSchool + " " + wf}) {
		t.Errorf("updates %v", got)
	}
	if u := fake.updates[0]; u.UpdateID != "account-7:s1" ||
		u.Args[0].(workflows.SchoolInput).Actor != (vocab.Actor{Name: head1.Name, Role: vocab.RoleSchool,
			Unit: school1, District: "370211"}) {
		t.Errorf("the school's submission: %+v", u)
	}
	events, err := db.Audit(ctx, store.AuditFilter{Action: "save_school_draft"})
	if err != nil || len(events) != 5 || events[0].Outcome != "ok" || events[0].ActorUnit != school1 ||
		events[1].Outcome != "forbidden" || events[len(events)-1].Target != vocab.SchoolID(2025, "370211", school1) {
		t.Errorf("saves audited, the refused and the one made: %+v, %v", events, err)
	}
}

// TestAssembleSelfAssessment: the district's self-assessment is its schools' accepted data with the district
// parts of its latest draft, saved as a draft; while a school is not accepted it is refused, naming the school.
func TestAssembleSelfAssessment(t *testing.T) {
	c, db, fake := schoolsCore(t)
	ctx := context.Background()
	rate := 0.93
	base := &store.Draft{Year: 2025, DistrictCode: "370211", CreatedBy: "clerk", CreatedAt: time.Now(),
		Data: evaluation.Input{District: evaluation.District{Code: "370211", Name: "黄岛区(自评)"}, Year: 2025,
			Schools: []evaluation.School{validSchool("3702119999")}, RecognitionRate: &rate,
			Government: &evaluation.Government{LayoutPlanningSound: true}, Vetoes: []string{}}}
	if err := db.AddDraft(ctx, base); err != nil {
		t.Fatal(err)
	}
	cy, err := db.Cycle(ctx, 2025, "370211")
	if err != nil {
		t.Fatal(err)
	}
	cy.State.DraftID = base.ID
	row := store.CycleOf(cy.State)
	row.Written = store.Written{RecordSeq: 1} // later than the opening's row
	if err := db.RecordCycle(ctx, row, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ClaimSchoolReturns(ctx, 2025, "370211", []string{school1, school2}, selfAssessmentDue); err != nil {
		t.Fatal(err)
	}
	record := func(code string, status vocab.SchoolStatus, seq int) {
		t.Helper()
		data := validSchool(code)
		r := &store.SchoolReturn{Year: 2025, SchoolCode: code, DistrictCode: "370211", Status: string(status),
			Deadline: selfAssessmentDue, Data: &data, UpdatedAt: time.Now(), Written: store.Written{RecordSeq: seq}}
		if err := db.RecordSchoolReturn(ctx, r, nil); err != nil {
			t.Fatal(err)
		}
	}
	record(school1, vocab.SchoolAccepted, 1)
	record(school2, vocab.SchoolSubmitted, 1)
	_, err = c.AssembleSelfAssessment(ctx, huangdao, "k", 2025, "370211")
	var e *Error
	if !errors.As(err, &e) || e.Kind != Invalid || len(e.Fields) != 1 || e.Fields[0].Field != "schools" ||
		!strings.Contains(e.Fields[0].MessageZh, school2) || !strings.Contains(e.Fields[0].MessageEn, "第二小学") {
		t.Fatalf("a school not accepted: %v", err)
	}
	if _, err := c.AssembleSelfAssessment(ctx, shinan, "k", 2025, "370211"); kindOf(err) != NotFound {
		t.Errorf("another district assembles: %v", err)
	}
	if len(fake.updates) != 0 {
		t.Fatalf("a refused assembly reached Temporal: %v", fake.updated())
	}
	record(school2, vocab.SchoolAccepted, 2)
	out, err := c.AssembleSelfAssessment(ctx, huangdao, "k", 2025, "370211")
	if err != nil || out.DraftID == 0 {
		t.Fatalf("assembled: %+v, %v", out, err)
	}
	d, err := db.Draft(ctx, out.DraftID)
	if err != nil {
		t.Fatal(err)
	}
	codes := make([]string, len(d.Data.Schools))
	for i, s := range d.Data.Schools {
		codes[i] = s.Code
	}
	if !slices.Equal(codes, []string{school1, school2}) || d.Data.District.Name != "黄岛区(自评)" ||
		d.Data.Government == nil || !d.Data.Government.LayoutPlanningSound || d.Data.RecognitionRate == nil ||
		*d.Data.RecognitionRate != rate || d.Evaluation == nil {
		t.Errorf("the assembled draft: %+v", d.Data)
	}
	if got := fake.updated(); !slices.Equal(got, []string{workflows.UpdateSaveDraft + " cycle:2025:370211"}) {
		t.Errorf("updates %v", got)
	}
}

// TestEnterSchoolsFromWorkbook: after the district saved a workbook, the schools that have not submitted are
// entered from it; those that did keep their own data, and schools not registered or not open are skipped.
func TestEnterSchoolsFromWorkbook(t *testing.T) {
	c, db, fake := schoolsCore(t)
	ctx := context.Background()
	if _, err := db.ClaimSchoolReturns(ctx, 2025, "370211", []string{school1, school2}, selfAssessmentDue); err != nil {
		t.Fatal(err)
	}
	submitted := &store.SchoolReturn{Year: 2025, SchoolCode: school2, DistrictCode: "370211", Status: "submitted",
		Deadline: selfAssessmentDue, UpdatedAt: time.Now(), Written: store.Written{RecordSeq: 2}}
	if err := db.RecordSchoolReturn(ctx, submitted, nil); err != nil {
		t.Fatal(err)
	}
	in := evaluation.Input{District: evaluation.District{Code: "370211", Name: "黄岛区"}, Year: 2025,
		Schools: []evaluation.School{validSchool(school1), validSchool(school2), validSchool("3702119999")}}
	out, err := c.EnterSchoolsFromWorkbook(ctx, huangdao, "wb", 2025, "370211", in)
	if err != nil || !slices.Equal(out.Entered, []string{school1}) || !slices.Equal(out.Kept, []string{school2}) ||
		!slices.Equal(out.Skipped, []string{"3702119999"}) {
		t.Fatalf("entered %+v, %v", out, err)
	}
	if u := fake.updates; len(u) != 1 || u[0].UpdateName != workflows.UpdateEnterSchool ||
		u[0].WorkflowID != vocab.SchoolID(2025, "370211", school1) || u[0].UpdateID != "1:wb:"+school1 ||
		u[0].Args[0].(workflows.SchoolEntryInput).Data.Code != school1 {
		t.Errorf("updates %+v", u)
	}
	if _, err := c.EnterSchoolsFromWorkbook(ctx, shinan, "wb", 2025, "370211", in); kindOf(err) != NotFound {
		t.Errorf("another district enters: %v", err)
	}
}

// TestSchoolsOwnDataStands: in a workbook the district saves, a school that submitted its own data keeps it: its
// row is the school's, not the district's figures; the others' rows are the district's.
func TestSchoolsOwnDataStands(t *testing.T) {
	c, db, _ := schoolsCore(t)
	ctx := context.Background()
	if _, err := db.ClaimSchoolReturns(ctx, 2025, "370211", []string{school1, school2}, selfAssessmentDue); err != nil {
		t.Fatal(err)
	}
	own := validSchool(school2)
	own.Stages.Primary.Students = 777
	submitted := &store.SchoolReturn{Year: 2025, SchoolCode: school2, DistrictCode: "370211", Status: "submitted",
		Deadline: selfAssessmentDue, Data: &own, UpdatedAt: time.Now(), Written: store.Written{RecordSeq: 2}}
	if err := db.RecordSchoolReturn(ctx, submitted, nil); err != nil {
		t.Fatal(err)
	}
	in := evaluation.Input{District: evaluation.District{Code: "370211"}, Year: 2025,
		Schools: []evaluation.School{validSchool(school1), validSchool(school2)}}
	got, err := c.WithSchoolsOwnData(ctx, huangdao, 2025, "370211", in)
	if err != nil || got.Schools[1].Stages.Primary.Students != 777 ||
		got.Schools[0].Stages.Primary.Students != in.Schools[0].Stages.Primary.Students ||
		in.Schools[1].Stages.Primary.Students == 777 {
		t.Errorf("the workbook with the schools' own data: %+v, %v", got.Schools, err)
	}
	if _, err := c.WithSchoolsOwnData(ctx, shinan, 2025, "370211", in); kindOf(err) != NotFound {
		t.Errorf("another district: %v", err)
	}
}
