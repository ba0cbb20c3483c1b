package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"junheng/store"
	"junheng/vocab"
	"junheng/workflows"
)

// saveUntilAnswered sends a request until it is answered for good: a 503 (the workflow moving to a new run, a
// request cut off) is retried with the same Idempotency-Key after the Retry-After the API gave, as a client should.
func saveUntilAnswered(t *testing.T, c httpClient, method, path string, body any, key string) reply {
	t.Helper()
	for try := 0; ; try++ {
		r := c.do(method, path, body, "Idempotency-Key", key)
		if r.status != 503 || try == 20 {
			return r
		}
		wait, _ := strconv.Atoi(r.header.Get("Retry-After"))
		time.Sleep(time.Duration(max(wait, 1)) * time.Second)
	}
}

// TestManySavesThenTheYearGoesOn: a district saves its self-assessment far more often than Temporal lets one run
// take Updates (here its limit is lowered to 50, so that the run suggests continuing as new at 45): every save is
// answered, and the submission, the review and the application that follow all succeed. With
// JUNHENG_FULL_SAVES=1 (CI sets it) it also runs 2,500 saves against Temporal's own limit of 2,000, on SQLite.
func TestManySavesThenTheYearGoesOn(t *testing.T) {
	type run struct {
		url          string
		saves, limit int
	}
	runs := map[string]run{}
	for name, url := range databases(t) {
		runs[name] = run{url, 130, 50}
	}
	if os.Getenv("JUNHENG_FULL_SAVES") != "" {
		runs["sqlite-full"] = run{"", 2500, 0}
	}
	for name, r := range runs {
		url, saves, limit := r.url, r.saves, r.limit
		t.Run(name, func(t *testing.T) {
			cfg := testConfig(t, t.TempDir(), url)
			if limit > 0 {
				cfg.TemporalOverrides = map[string]any{"history.maxTotalUpdates": limit}
			}
			p := start(t, cfg)
			defer p.Close()
			office, clerk := openOneDistrict(t, p, time.Hour)
			cycle := "/api/v1/cycles/2025/districts/" + codeA
			began := time.Now()
			for i := range saves {
				body := sampleJSON(t, codeA, func(m map[string]any) { m["recognition_rate"] = 0.90 + float64(i%5)/100 })
				r := saveUntilAnswered(t, clerk, "PUT", cycle+"/self-assessment", body, fmt.Sprintf("save-%d", i))
				if r.status != 200 {
					t.Fatalf("save %d: %d %s", i, r.status, r.body)
				}
			}
			t.Logf("%d saves in %v", saves, time.Since(began))
			runs := countRuns(t, p.Temporal, vocab.CycleID(2025, codeA))
			logRuns(t, p.Temporal, vocab.CycleID(2025, codeA))
			if runs < 2 {
				t.Errorf("%d saves in %d run(s): the year never continued as new", saves, runs)
			}
			// A retry of an early save, long after, is answered from the first answer and does not act.
			before, err := p.Store.Cycle(context.Background(), 2025, codeA)
			if err != nil {
				t.Fatal(err)
			}
			again := saveUntilAnswered(t, clerk, "PUT", cycle+"/self-assessment", sampleJSON(t, codeA,
				func(m map[string]any) { m["recognition_rate"] = 0.90 }), "save-0")
			after, _ := p.Store.Cycle(context.Background(), 2025, codeA)
			if again.status != 200 || again.header.Get("Idempotent-Replayed") != "true" ||
				after.RecordSeq != before.RecordSeq {
				t.Errorf("retried first save: %d, replayed %q, changes %d → %d", again.status,
					again.header.Get("Idempotent-Replayed"), before.RecordSeq, after.RecordSeq)
			}

			var st workflows.CycleState
			r := saveUntilAnswered(t, clerk, "POST", cycle+"/self-assessment/submit", nil, "submit")
			r.decode(t, &st)
			if r.status != 200 || st.Stage != vocab.StageCityReview {
				t.Fatalf("submit after %d saves: %d %s", saves, r.status, r.body)
			}
			r = saveUntilAnswered(t, office, "POST", cycle+"/review", map[string]any{"decision": "approve",
				"comment": "同意", "shortfalls": []string{}}, "review")
			if r.status != 200 {
				t.Fatalf("review: %d %s", r.status, r.body)
			}
			r = saveUntilAnswered(t, clerk, "POST", cycle+"/application", nil, "apply")
			r.decode(t, &st)
			if r.status != 200 || st.Stage != vocab.StageCityAcceptance || st.EventsCount != saves+4 {
				t.Errorf("application: %d, stage %s, %d changes (want %d)", r.status, st.Stage, st.EventsCount, saves+4)
			}
			events, err := p.Store.Audit(context.Background(), store.AuditFilter{Target: vocab.CycleID(2025, codeA),
				Action: "save_draft", Limit: 500})
			if err != nil || len(events) != min(saves, 500) {
				t.Errorf("audited saves: %d, %v", len(events), err)
			}
		})
	}
}

// logRuns logs the length and size of each of a workflow's runs (BENCHMARKS.md quotes them).
func logRuns(t *testing.T, c client.Client, id string) {
	t.Helper()
	ctx := context.Background()
	resp, err := c.WorkflowService().ListWorkflowExecutions(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Namespace: "default", Query: fmt.Sprintf("WorkflowId = %q", id), PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, run := range resp.GetExecutions() {
		d, err := c.DescribeWorkflowExecution(ctx, id, run.GetExecution().GetRunId())
		if err != nil {
			t.Fatal(err)
		}
		info := d.GetWorkflowExecutionInfo()
		t.Logf("run %s: %s, %d events, %d bytes", info.GetExecution().GetRunId(), info.GetStatus(),
			info.GetHistoryLength(), info.GetHistorySizeBytes())
	}
}

// countRuns counts a workflow's runs, the closed ones and the one running.
func countRuns(t *testing.T, c client.Client, id string) int {
	t.Helper()
	resp, err := c.WorkflowService().CountWorkflowExecutions(context.Background(),
		&workflowservice.CountWorkflowExecutionsRequest{Namespace: "default",
			Query: fmt.Sprintf("WorkflowId = %q", id)})
	if err != nil {
		t.Fatal(err)
	}
	return int(resp.GetCount())
}

// TestOpeningAYearAgainRestartsNothing: a finished year whose runs Temporal no longer has (namespace retention
// cannot be shortened below a day: the closed run is deleted instead) is not started again when the office opens
// the year again; a district added since gets its year.
func TestOpeningAYearAgainRestartsNothing(t *testing.T) {
	for name, url := range databases(t) {
		t.Run(name, func(t *testing.T) {
			cfg := testConfig(t, t.TempDir(), url)
			// A closed run is deleted once its close is acknowledged, every 30 s by default.
			cfg.TemporalOverrides = map[string]any{"history.transferProcessorUpdateAckInterval": "1s"}
			p := start(t, cfg)
			defer p.Close()
			ctx := context.Background()
			base := "http://" + p.Addr.String()
			admin := httpClient{t: t, base: base, token: newToken(t, p.Store, vocab.RoleAdmin, "")}
			office := httpClient{t: t, base: base, token: newToken(t, p.Store, vocab.RoleOffice, "")}
			admin.ok("POST", "/api/v1/districts", map[string]string{"code": codeA, "name": "黄岛区"}, nil)
			now := time.Now()
			at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
			office.ok("POST", "/api/v1/cycles", map[string]any{"year": 2025, "deadlines": map[string]string{
				"self_assessment": at(time.Second), "city_review": at(2 * time.Second),
				"application": at(3 * time.Second)}}, nil)
			id := vocab.CycleID(2025, codeA)
			var ended workflows.CycleState
			err := p.Temporal.GetWorkflow(ctx, id, "").Get(ctx, &ended)
			if err != nil || ended.Stage != vocab.StageNotApplied {
				t.Fatalf("the year ended %s, %v", ended.Stage, err)
			}
			_, err = p.Temporal.WorkflowService().DeleteWorkflowExecution(ctx,
				&workflowservice.DeleteWorkflowExecutionRequest{
					Namespace: "default", WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: id}})
			if err != nil {
				t.Fatal(err)
			}
			waitGone(t, p.Temporal, id)

			admin.ok("POST", "/api/v1/districts", map[string]string{"code": codeB, "name": "市南区"}, nil)
			var opened struct{ Opened, Existing []string }
			office.ok("POST", "/api/v1/cycles", map[string]any{"year": 2025, "deadlines": map[string]string{
				"self_assessment": at(time.Hour), "city_review": at(2 * time.Hour),
				"application": at(3 * time.Hour)}}, &opened)
			if fmt.Sprint(opened.Opened) != "["+codeB+"]" || fmt.Sprint(opened.Existing) != "["+codeA+"]" {
				t.Errorf("opening again: %+v, want %s opened and %s existing", opened, codeB, codeA)
			}
			if _, err := p.Temporal.DescribeWorkflowExecution(ctx, id, ""); err == nil {
				t.Error("the finished year was started again")
			}
			if row, err := p.Store.Cycle(ctx, 2025, codeA); err != nil || row.Stage != "not_applied" {
				t.Errorf("the finished year's row: %+v, %v", row, err)
			}
		})
	}
}

// waitGone waits until Temporal no longer knows a workflow (deletion runs in the background).
func waitGone(t *testing.T, c client.Client, id string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		_, err := c.DescribeWorkflowExecution(context.Background(), id, "")
		var gone *serviceerror.NotFound
		if errors.As(err, &gone) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s was not deleted: %v", id, err)
		}
	}
}

// TestApprovalFindsAnItemAlreadyRunning: an approval whose first attempt started some of its items before it
// failed (or a cycle Reset to before its approval) finds them running; the approval counts them as started.
func TestApprovalFindsAnItemAlreadyRunning(t *testing.T) {
	p := start(t, testConfig(t, t.TempDir(), ""))
	defer p.Close()
	ctx := context.Background()
	office, clerk := openOneDistrict(t, p, time.Hour)
	cycle := "/api/v1/cycles/2025/districts/" + codeA
	clerk.ok("PUT", cycle+"/self-assessment", sampleJSON(t, codeA, dropRecognition), nil)
	var st workflows.CycleState
	clerk.ok("POST", cycle+"/self-assessment/submit", nil, &st)
	if len(st.ShortfallIDs) == 0 {
		t.Fatalf("submitted: %+v", st)
	}
	first := vocab.FindingID(2025, codeA, 1)
	_, err := p.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: first, TaskQueue: workflows.TaskQueue},
		workflows.WorkflowRectificationItem, workflows.ItemParams{ID: first, Year: 2025, District: codeA, Seq: 1,
			Title: "已下达", Severity: vocab.SeverityNormal, Source: vocab.SourceSelfAssessment,
			CreatedAt: time.Now(), PlanDue: time.Now().Add(30 * 24 * time.Hour), Policy: workflows.DefaultPolicy()})
	if err != nil {
		t.Fatal(err)
	}
	office.ok("POST", cycle+"/review", map[string]any{"decision": "approve", "comment": "同意"}, &st)
	if st.Stage != vocab.StageRectification || len(st.Findings) != len(st.ShortfallIDs) || st.Findings[0] != first {
		t.Errorf("approved: %+v", st)
	}
}

// TestClosedPlanResumesFromTheReadModel: a district's plan whose run was closed (an operator terminated it) starts
// again from the read model at the district's next submission: every version and decision is still there.
func TestClosedPlanResumesFromTheReadModel(t *testing.T) {
	p := start(t, testConfig(t, t.TempDir(), ""))
	defer p.Close()
	office, clerk := openOneDistrict(t, p, time.Hour)
	var f struct{ ID string }
	clerk.upload("POST", "/api/v1/files", "file", "责任书.pdf", []byte("%PDF-1.4\nresponsibility\n")).decode(t, &f)
	plan := map[string]any{"target_year": 2026, "responsibility_file": f.ID,
		"milestones": []map[string]any{{"year": 2026}}}
	path := "/api/v1/districts/" + codeA + "/plan"
	terminate := func() {
		t.Helper()
		err := p.Temporal.TerminateWorkflow(context.Background(), vocab.CreationPlanID(codeA), "", "operator")
		if err != nil {
			t.Fatal(err)
		}
	}
	clerk.ok("PUT", path, plan, nil)
	terminate()
	var st workflows.CreationPlanState
	office.ok("POST", path+"/review", map[string]any{"version": 1, "approved": true, "comment": "同意"}, &st)
	if st.Approved != 1 || len(st.Versions) != 1 {
		t.Errorf("the office's review after the run closed: %+v", st)
	}
	terminate()
	clerk.ok("PUT", path, plan, &st)
	if len(st.Versions) != 2 || st.Approved != 1 || st.Versions[0].Status != vocab.PlanApproved ||
		st.Versions[1].Version != 2 || st.EventsCount != 3 {
		t.Errorf("the district's revision after the run closed again: %+v", st)
	}
	var events []store.AuditEvent
	office.ok("GET", "/api/v1/audit?target="+vocab.CreationPlanID(codeA), nil, &events)
	if len(events) != 3 {
		t.Errorf("audit of the plan: %d events, want 3", len(events))
	}
}

// TestOldIdempotencyKeysExpire: the API forgets the answers to requests older than JUNHENG_IDEMPOTENCY_TTL, at
// start and then every hour; younger ones stay.
func TestOldIdempotencyKeysExpire(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, t.TempDir(), "")
	db, err := OpenStore(ctx, cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	for key, age := range map[string]time.Duration{"old": 8 * 24 * time.Hour, "young": time.Hour} {
		r := &store.IdempotentRequest{Principal: "1", Key: key, RequestHash: "h", Status: 200,
			CreatedAt: time.Now().Add(-age).UTC()}
		if _, _, err := db.ClaimIdempotencyKey(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	_ = db.Close()
	p := start(t, cfg)
	defer p.Close()
	known := func(key string) bool {
		claimed, _, err := p.Store.ClaimIdempotencyKey(ctx, &store.IdempotentRequest{Principal: "1", Key: key,
			RequestHash: "h", CreatedAt: time.Now().UTC()})
		if err != nil {
			t.Fatal(err)
		}
		return !claimed
	}
	for deadline := time.Now().Add(10 * time.Second); known("old"); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("a key eight days old was kept")
		}
	}
	if !known("young") {
		t.Error("a key an hour old was forgotten")
	}
}
