package usecase

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"junheng/store"
	"junheng/store/storetest"
	"junheng/vocab"
	"junheng/workflows"
)

// cyclesTemporal starts workflows and answers Updates with a cycle's state, or refuses them.
type cyclesTemporal struct {
	client.Client
	mu      sync.Mutex
	started []string // workflow IDs
	updates []string // Update names
	refuse  bool
	during  func() // runs while an Update is under way
}

func (f *cyclesTemporal) CheckHealth(context.Context, *client.CheckHealthRequest) (*client.CheckHealthResponse,
	error,
) {
	return &client.CheckHealthResponse{}, nil
}

func (f *cyclesTemporal) ExecuteWorkflow(_ context.Context, o client.StartWorkflowOptions, _ any, _ ...any,
) (client.WorkflowRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.started = append(f.started, o.ID)
	return nil, nil
}

func (f *cyclesTemporal) UpdateWorkflow(_ context.Context, o client.UpdateWorkflowOptions,
) (client.WorkflowUpdateHandle, error) {
	f.updates = append(f.updates, o.UpdateName)
	if f.during != nil {
		f.during()
	}
	if f.refuse {
		return cyclesUpdate{err: temporal.NewNonRetryableApplicationError("refused", workflows.ErrConflict, nil,
			workflows.Refusal{MessageZh: "不允许", MessageEn: "not now"})}, nil
	}
	return cyclesUpdate{}, nil
}

type cyclesUpdate struct{ err error }

func (cyclesUpdate) WorkflowID() string { return "" }
func (cyclesUpdate) RunID() string      { return "" }
func (cyclesUpdate) UpdateID() string   { return "" }

func (u cyclesUpdate) Get(_ context.Context, out any) error {
	if u.err != nil {
		return u.err
	}
	data, _ := json.Marshal(workflows.CycleState{Year: 2025, District: "370211"})
	return json.Unmarshal(data, out)
}

// cyKind is err's Kind and the fields it names.
func cyKind(err error) (Kind, []string) {
	var e *Error
	if !errors.As(err, &e) {
		return "", nil
	}
	var fields []string
	for _, f := range e.Fields {
		fields = append(fields, f.Field)
	}
	return e.Kind, fields
}

// cyclesCore is a core over a store with two districts and their 2025 cycles.
func cyclesCore(t *testing.T, fake *cyclesTemporal) (*Core, *store.Store) {
	t.Helper()
	db := storetest.SQLite(t)
	ctx := context.Background()
	for _, d := range []store.District{{Code: "370202", Name: "市南区"}, {Code: "370211", Name: "黄岛区"}} {
		if err := db.CreateDistrict(ctx, &d); err != nil {
			t.Fatal(err)
		}
	}
	return New(Deps{Store: db, Temporal: fake, Location: time.UTC, Calendar: workflows.DefaultCalendar}), db
}

var (
	cyOffice   = Actor{TokenID: 1, Name: "督导室", Role: vocab.RoleOffice}
	cyProvince = Actor{TokenID: 2, Name: "省厅", Role: vocab.RoleProvince}
	cyDistrict = Actor{TokenID: 3, Name: "黄岛", Role: vocab.RoleDistrict, Unit: "370211"}
)

// TestOpenYear: only the office opens a year, refused before its input is looked at; every problem of the input
// comes back at once, before Temporal is asked; a year is started once per district, with the deadlines given
// and the calendar's for the others, and shows in the overview at once.
func TestOpenYear(t *testing.T) {
	ctx := context.Background()
	fake := &cyclesTemporal{}
	c, _ := cyclesCore(t, fake)
	if _, err := c.OpenYear(ctx, cyDistrict, OpenYear{}); !errors.Is(err, ErrForbidden) {
		t.Errorf("a district opens a year: %v", err)
	}
	late := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC) // after the calendar's city review deadline
	var malformed Fields
	malformed.Add("deadlines.city_review", "日期", "date")
	_, err := c.OpenYear(ctx, cyOffice, OpenYear{Year: 1999, Deadlines: workflows.Deadlines{SelfAssessment: late},
		Malformed: malformed})
	if kind, fields := cyKind(err); kind != Invalid ||
		!slices.Equal(fields, []string{"year", "deadlines.city_review", "deadlines"}) {
		t.Errorf("invalid input: %v", err)
	}
	if len(fake.started) != 0 {
		t.Fatalf("started on invalid input: %v", fake.started)
	}

	due := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	in := OpenYear{Year: 2025, Deadlines: workflows.Deadlines{SelfAssessment: due}}
	out, err := c.OpenYear(ctx, cyOffice, in)
	if err != nil || !slices.Equal(out.Opened, []string{"370202", "370211"}) || len(out.Existing) != 0 ||
		!out.Deadlines.SelfAssessment.Equal(due) || !out.Deadlines.CityReview.Equal(
		workflows.DefaultCalendar.Deadlines(2025, time.UTC).CityReview) {
		t.Fatalf("opening 2025: %+v, %v", out, err)
	}
	rows, err := c.Overview(ctx, cyOffice, 2025)
	if err != nil || len(rows) != 2 || rows[1].DistrictName != "黄岛区" || rows[1].Stage != "self_assessment" {
		t.Errorf("the opened year's overview: %+v, %v", rows, err)
	}
	out, err = c.OpenYear(ctx, cyOffice, in)
	if err != nil || len(out.Opened) != 0 || len(out.Existing) != 2 || len(fake.started) != 2 {
		t.Errorf("opening 2025 again: %+v, %v; started %v", out, err, fake.started)
	}
}

// TestOverviewScope: a district sees its own row of a year's overview, the office every row; a year not opened is
// not found.
func TestOverviewScope(t *testing.T) {
	ctx := context.Background()
	c, db := cyclesCore(t, &cyclesTemporal{})
	for _, d := range []string{"370202", "370211"} {
		if err := db.RecordCycle(ctx, &store.Cycle{Year: 2025, DistrictCode: d, Stage: "city_review"},
			nil); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := c.Overview(ctx, cyDistrict, 2025)
	if err != nil || len(rows) != 1 || rows[0].DistrictCode != "370211" {
		t.Errorf("a district's overview: %+v, %v", rows, err)
	}
	if rows, err := c.Overview(ctx, cyProvince, 2025); err != nil || len(rows) != 2 {
		t.Errorf("the province's overview: %+v, %v", rows, err)
	}
	if _, err := c.Overview(ctx, cyOffice, 2024); err != ErrNotFound {
		t.Errorf("a year not opened: %v", err)
	}
}

// TestWhoMayReviewAndDecide: the role is decided before the input is looked at (a report file that does not
// exist, a malformed date); then every problem of the input comes back at once, before the workflow is asked.
func TestWhoMayReviewAndDecide(t *testing.T) {
	ctx, fake, c, _ := inReview(t)
	var malformed Fields
	malformed.Add("deadline", "日期", "date")
	review := Review{Decision: "return", ReportFile: "missing", Malformed: malformed}
	decision := Decision{Passed: true, ReportFile: "missing"}
	for name, tc := range map[string]struct {
		err    error
		want   Kind
		fields []string
	}{
		"a district reviews": {cyErr(c.Review(ctx, cyDistrict, "k", 2025, "370211", review)), Forbidden, nil},
		"the province reviews": {cyErr(c.Review(ctx, cyProvince, "k", 2025, "370211", review)), Forbidden,
			nil},
		"the province records acceptance": {cyErr(c.RecordAcceptance(ctx, cyProvince, "k", 2025, "370211",
			decision)), Forbidden, nil},
		"a district records its result": {cyErr(c.RecordProvinceResult(ctx, cyDistrict, "k", 2025, "370211",
			decision)), Forbidden, nil},
		"the office reviews": {cyErr(c.Review(ctx, cyOffice, "k", 2025, "370211", review)), Invalid,
			[]string{"deadline", "report.file"}},
		"the province records its result": {cyErr(c.RecordProvinceResult(ctx, cyProvince, "k", 2025, "370211",
			decision)), Invalid, []string{"report_file"}},
		"the office reviews a year not opened": {cyErr(c.Review(ctx, cyOffice, "k", 2024, "370211", Review{})),
			NotFound, nil},
	} {
		if kind, fields := cyKind(tc.err); kind != tc.want || !slices.Equal(fields, tc.fields) {
			t.Errorf("%s: %v, want %s %v", name, tc.err, tc.want, tc.fields)
		}
	}
	if len(fake.updates) != 0 {
		t.Errorf("Updates sent: %v", fake.updates)
	}
}

func cyErr(_ workflows.CycleState, err error) error { return err }

// inReview is a core over a district's year awaiting the office's review.
func inReview(t *testing.T) (context.Context, *cyclesTemporal, *Core, *store.Store) {
	t.Helper()
	ctx := context.Background()
	fake := &cyclesTemporal{}
	c, db := cyclesCore(t, fake)
	if err := db.RecordCycle(ctx, &store.Cycle{Year: 2025, DistrictCode: "370211", Stage: "city_review"},
		nil); err != nil {
		t.Fatal(err)
	}
	return ctx, fake, c, db
}

// TestReportsSharedOnceAccepted: the report the office attaches becomes the district's to read only once the
// workflow has accepted the action.
func TestReportsSharedOnceAccepted(t *testing.T) {
	ctx, fake, c, db := inReview(t)
	if err := db.AddFile(ctx, &store.File{ID: "report", Name: "反馈报告.pdf", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	readable := func() bool {
		_, err := c.File(ctx, cyDistrict, "report")
		return err == nil
	}
	fake.during = func() {
		if readable() {
			t.Error("the report was shared before the workflow answered")
		}
	}
	fake.refuse = true
	_, err := c.RecordAcceptance(ctx, cyOffice, "k1", 2025, "370211", Decision{ReportFile: "report"})
	if err == nil || readable() {
		t.Errorf("a refused acceptance: %v, its report readable: %v", err, readable())
	}
	fake.refuse = false
	_, err = c.Review(ctx, cyOffice, "k2", 2025, "370211", Review{Decision: "approve", ReportFile: "report"})
	if err != nil || !readable() {
		t.Errorf("an accepted review: %v, its report readable: %v", err, readable())
	}
}
