package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"junheng/evaluation"
	"junheng/files"
	"junheng/store"
	"junheng/store/storetest"
	"junheng/usecase"
	"junheng/vocab"
	"junheng/workflows"
)

// seededStore is the read model the pages' core reads in these tests: the fake API's tokens (by the same IDs),
// two districts, and 黄岛区's years 2022–2026, each at the stage the fake API's answers had it, with an open
// finding and one in progress (openFinding) in 2025 and a saved draft in 2026.
func seededStore(t *testing.T) *store.Store {
	t.Helper()
	db, ctx, now := storetest.SQLite(t), context.Background(), time.Now().UTC()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, tok := range []store.Token{{Name: "clerk", Role: "district", UnitCode: "370211"},
		{Name: "officer", Role: "office"}, {Name: "admin", Role: "admin"}} {
		tok.Hash, tok.CreatedAt = usecase.HashToken(tok.Name), now
		must(db.CreateToken(ctx, &tok, nil))
	}
	must(db.CreateDistrict(ctx, &store.District{Code: "370211", Name: "黄岛区", CreatedAt: now}))
	must(db.CreateDistrict(ctx, &store.District{Code: "370202", Name: "市南区", CreatedAt: now}))
	draft := &store.Draft{Year: 2026, DistrictCode: "370211",
		Data: evaluation.Input{District: evaluation.District{Code: "370211", Name: "黄岛区"}, Year: 2026},
		Evaluation: &evaluation.Result{Verdict: evaluation.DoesNotMeet,
			District: evaluation.District{Code: "370211"}}, CreatedBy: "clerk", CreatedAt: now}
	must(db.AddDraft(ctx, draft))
	for year, stage := range map[int]string{2022: "province_review", 2023: "city_acceptance", 2024: "city_review",
		2025: "rectification", 2026: "self_assessment"} {
		st := workflows.CycleState{Year: year, District: "370211", DistrictName: "黄岛区",
			Stage: vocab.CycleStage(stage)}
		if year == 2026 {
			st.DraftID = draft.ID
		}
		must(db.RecordCycle(ctx, cycleRecord(st), nil))
	}
	// Both recorded by their workflows (State set): an action on a finding not yet recorded waits for it.
	must(db.CreateFindings(ctx, []store.Finding{{ID: newFinding, Year: 2025, DistrictCode: "370211",
		Seq: 1, Title: "功能室不足", Source: "on_site", Severity: "normal", Status: "open", CreatedAt: now,
		UpdatedAt: now, State: &workflows.ItemState{ID: newFinding, Status: vocab.ItemOpen}},
		{ID: openFinding, Year: 2025, DistrictCode: "370211", Seq: 2, Title: "班额超标", Source: "on_site",
			Severity: "normal", Status: "in_progress", CreatedAt: now, UpdatedAt: now,
			State: &workflows.ItemState{ID: openFinding, Status: vocab.ItemInProgress}}}))
	return db
}

// cycleRecord is the read-model row of a cycle state.
func cycleRecord(st workflows.CycleState) *store.Cycle {
	return &store.Cycle{Year: st.Year, DistrictCode: st.District, Stage: string(st.Stage),
		State: st, UpdatedAt: time.Now().UTC()}
}

// newCore is the core of one site over db, with the fake API's workflow service.
func newCore(t *testing.T, db *store.Store, f *fakeAPI) *usecase.Core {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	evidence, err := files.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return usecase.New(usecase.Deps{Store: db, Temporal: &fakeTemporal{api: f}, Files: evidence,
		Profile: evaluation.National2017(), Location: loc, Calendar: workflows.DefaultCalendar,
		Policy: workflows.DefaultPolicy(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

// fakeTemporal is the workflow service behind the pages' core: it takes each Update once by its ID, as Temporal
// does, records it with the fake API, and answers with a cycle state; or it fails as the fake API's outage says.
// The next Update waits while the fake API's hold says, or is taken and then times out when its timeout says.
type fakeTemporal struct {
	client.Client
	api *fakeAPI
}

func (f *fakeTemporal) CheckHealth(context.Context, *client.CheckHealthRequest) (*client.CheckHealthResponse, error) {
	if f.api.outageNow() == "unavailable" {
		return nil, serviceerror.NewUnavailable("down")
	}
	return &client.CheckHealthResponse{}, nil
}

func (f *fakeTemporal) UpdateWorkflow(ctx context.Context, o client.UpdateWorkflowOptions,
) (client.WorkflowUpdateHandle, error) {
	switch f.api.outageNow() {
	case "busy":
		return nil, serviceerror.NewFailedPrecondition(
			"The limit on the total number of distinct updates in this workflow has been reached (2000).")
	case "not_ready_once":
		f.api.setOutage("")
		return nil, serviceerror.NewWorkflowNotReady(
			"Unable to perform workflow execution update due to unexpected workflow task failure.")
	case "bare":
		return nil, errors.New("connection reset")
	}
	f.api.mu.Lock()
	hold, held, timeout := f.api.hold, f.api.held, f.api.timeout
	f.api.hold, f.api.timeout = nil, false // only the next Update waits or times out
	f.api.mu.Unlock()
	if hold != nil {
		held <- ctx
		<-hold
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	f.api.mu.Lock()
	defer f.api.mu.Unlock()
	if o.UpdateID == "" || !slices.ContainsFunc(f.api.updates, func(u client.UpdateWorkflowOptions) bool {
		return u.UpdateID == o.UpdateID
	}) {
		f.api.updates = append(f.api.updates, o)
	}
	if timeout {
		return nil, context.DeadlineExceeded
	}
	return fakeUpdate{id: o.UpdateID}, nil
}

type fakeUpdate struct{ id string }

func (fakeUpdate) WorkflowID() string             { return "" }
func (fakeUpdate) RunID() string                  { return "" }
func (u fakeUpdate) UpdateID() string             { return u.id }
func (fakeUpdate) Get(context.Context, any) error { return nil }

func (f *fakeAPI) outageNow() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.outage
}

// updatesOf lists the Updates named name that the workflow service took, by their IDs.
func (f *fakeAPI) updatesOf(name string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for _, u := range f.updates {
		if u.UpdateName == name {
			ids = append(ids, u.UpdateID)
		}
	}
	return ids
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprint(err))
	}
	return v
}

// draftJSON is a whole self-assessment of 黄岛区 for 2026, which the engine evaluates.
func draftJSON(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../evaluation/testdata/district.json")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Replace(string(data), `"year": 2025`, `"year": 2026`, 1)
}

// claimForm records key as taken by a send that is still under way, as once does.
func claimForm(t *testing.T, db *store.Store, user, key string) {
	t.Helper()
	id := map[string]int64{"clerk": 1, "officer": 2, "admin": 3}[user]
	_, _, err := db.ClaimIdempotencyKey(context.Background(), &store.IdempotentRequest{
		Principal: fmt.Sprintf("pages:%d", id), Key: key, RequestHash: "first",
		CreatedAt: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
}
