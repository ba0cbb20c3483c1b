package web

import (
	"context"
	"errors"
	"fmt"
	"junheng/evaluation"
	"junheng/store"
	"junheng/vocab"
	"junheng/workflows"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
)

// ExecuteWorkflow starts a district's year for the pages' core, or fails as the fake API's outage says; started
// lists the workflows started.
func (f *fakeTemporal) ExecuteWorkflow(_ context.Context, o client.StartWorkflowOptions, _ any, _ ...any,
) (client.WorkflowRun, error) {
	switch f.api.outageNow() {
	case "unavailable":
		return nil, serviceerror.NewUnavailable("down")
	case "busy", "bare":
		return nil, errors.New("connection reset")
	}
	f.api.mu.Lock()
	defer f.api.mu.Unlock()
	f.api.started = append(f.api.started, o.ID)
	return nil, nil
}

// TestDashboardDoesNotGrowWithTheCity: the office's dashboard (rows, funnel, share, every district's coefficients)
// reads the same number of statements for 3 districts as for 30: none per district.
func TestDashboardDoesNotGrowWithTheCity(t *testing.T) {
	counts := map[int]int64{}
	for _, n := range []int{3, 30} {
		db := seededStore(t)
		ctx, now := context.Background(), time.Now().UTC()
		for i := range n {
			code := fmt.Sprintf("3703%02d", i)
			steps := []error{
				db.CreateDistrict(ctx, &store.District{Code: code, Name: "区" + code, CreatedAt: now}),
				db.RecordCycle(ctx, cycleRecord(workflows.CycleState{Year: 2025, District: code,
					Stage: vocab.StageCityReview}), nil),
				db.Submit(ctx, &store.Submission{Year: 2025, DistrictCode: code, DraftID: int64(100 + i),
					Evaluation: evaluation.Result{Verdict: evaluation.Meets}, Verdict: "meets", SubmittedAt: now}),
			}
			for _, err := range steps {
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		srv, c, _ := newSite(t, Options{Store: db})
		signIn(t, srv.URL, c, "officer")
		before := db.Queries()
		if resp, page := fetch(t, c, "GET", srv.URL+"/office?year=2025", nil); resp.StatusCode != http.StatusOK ||
			!strings.Contains(page, "区370300") {
			t.Fatalf("dashboard: %d\n%s", resp.StatusCode, page)
		}
		counts[n] = db.Queries() - before
	}
	t.Logf("%d statements for 3 districts, %d for 30", counts[3], counts[30])
	if counts[3] != counts[30] || counts[3] > 12 {
		t.Errorf("%d statements for 3 districts, %d for 30", counts[3], counts[30])
	}
}
