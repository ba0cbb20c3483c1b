package app

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"

	"junheng/internal/config"
	"junheng/internal/temporalx"
	"junheng/store"
	"junheng/store/storetest"
	"junheng/usecase"
	"junheng/vocab"
	"junheng/workflows"
)

// These tests run the whole process: embedded Temporal on a file, the real worker and activities, and the
// database (SQLite, and PostgreSQL when JUNHENG_TEST_POSTGRES_URL is set, as in CI).

func testConfig(t *testing.T, dataDir, dbURL string) *config.Config {
	t.Helper()
	cfg := &config.Config{DataDir: dataDir, DatabaseURL: dbURL, HTTPAddr: "127.0.0.1:0", TemporalNamespace: "default",
		Timezone: "Asia/Shanghai", LogFormat: "text", IdempotencyTTL: 7 * 24 * time.Hour}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func start(t *testing.T, cfg *config.Config) *Process {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	p, err := Start(context.Background(), cfg, log, Role{API: true, Worker: true, Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// ahead returns deadlines a year ahead of the wall clock: these tests run in real time, and a cycle whose
// application deadline has passed ends at once.
func ahead(loc *time.Location) workflows.Deadlines {
	return workflows.DefaultCalendar.Deadlines(time.Now().Year()+1, loc)
}

func databases(t *testing.T) map[string]string {
	out := map[string]string{"sqlite": ""}
	if url := storetest.PostgresURL(t); url != "" {
		out["postgres"] = storetest.Database(t, url)
	}
	return out
}

// sampleDraft stores the sample district's data, edited, as a draft and returns its ID.
func sampleDraft(t *testing.T, db *store.Store, edit func(map[string]any)) int64 {
	t.Helper()
	d := &store.Draft{Year: 2025, DistrictCode: "370211", Data: sampleInput(t, edit), CreatedBy: "clerk",
		CreatedAt: time.Now()}
	if err := db.AddDraft(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	return d.ID
}

// update sends Update name to workflow id. An item that does not run yet is one its review is still starting: the
// Update is sent again until it runs.
func update[R any](t *testing.T, c client.Client, id, name string, arg any) (R, error) {
	t.Helper()
	var out R
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: name,
			Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted})
		if err == nil {
			err = h.Get(ctx, &out)
		}
		var notFound *serviceerror.NotFound
		if !errors.As(err, &notFound) || strings.Contains(err.Error(), "already completed") ||
			!strings.HasPrefix(id, "finding:") || ctx.Err() != nil {
			return out, err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func must[R any](t *testing.T, c client.Client, id, name string, arg any) R {
	t.Helper()
	out, err := update[R](t, c, id, name, arg)
	if err != nil {
		t.Fatalf("%s %s: %v", name, id, err)
	}
	return out
}

var (
	office   = vocab.Actor{Name: "督导办", Role: vocab.RoleOffice}
	province = vocab.Actor{Name: "省督导办", Role: vocab.RoleProvince}
	clerk    = vocab.Actor{Name: "黄岛区教育局", Role: vocab.RoleDistrict, District: "370211"}
)

func TestWholeCycleOnEmbeddedServer(t *testing.T) {
	for name, url := range databases(t) {
		t.Run(name, func(t *testing.T) {
			p := start(t, testConfig(t, t.TempDir(), url))
			defer p.Close()
			ctx := context.Background()
			id := vocab.CycleID(2025, "370211")
			loc, _ := time.LoadLocation("Asia/Shanghai")
			run, err := p.Temporal.ExecuteWorkflow(ctx,
				client.StartWorkflowOptions{ID: id, TaskQueue: workflows.TaskQueue},
				workflows.DistrictCycle, workflows.CycleParams{Year: 2025, District: "370211", DistrictName: "黄岛区",
					Deadlines: ahead(loc), Policy: workflows.DefaultPolicy()})
			if err != nil {
				t.Fatal(err)
			}
			failing := sampleDraft(t, p.Store, func(m map[string]any) { delete(m, "recognition_rate") })
			must[workflows.CycleState](t, p.Temporal, id, workflows.UpdateSaveDraft,
				workflows.SaveDraftInput{Actor: clerk, DraftID: failing})
			st := must[workflows.CycleState](t, p.Temporal, id, workflows.UpdateSubmit,
				workflows.SubmitInput{Actor: clerk})
			if st.Stage != vocab.StageCityReview || st.Verdict != "does_not_meet" || len(st.ShortfallIDs) == 0 {
				t.Fatalf("after submit: %+v", st)
			}

			// A refusal crosses the wire with its kind and both messages.
			_, err = update[workflows.CycleState](t, p.Temporal, id, workflows.UpdateReview,
				workflows.ReviewInput{Actor: clerk, Decision: "approve"})
			if kind, r, ok := workflows.AsRefusal(err); !ok || kind != workflows.ErrForbidden || r.MessageZh == "" {
				t.Fatalf("review by a district: %v", err)
			}

			st = must[workflows.CycleState](t, p.Temporal, id, workflows.UpdateReview,
				workflows.ReviewInput{Actor: office, Decision: "approve", Findings: []workflows.NewFinding{
					{Title: "大班额", Source: vocab.SourceOnSite, Severity: vocab.SeveritySerious}}})
			if st.Stage != vocab.StageRectification || len(st.Findings) != len(st.ShortfallIDs)+1 {
				t.Fatalf("after approval: %+v", st)
			}
			due := time.Now().Add(60 * 24 * time.Hour)
			for _, f := range st.Findings {
				must[workflows.ItemState](t, p.Temporal, f, workflows.UpdatePlan,
					workflows.PlanInput{Actor: clerk, Measures: "整改",
						ResponsibleUnit: "区教育局", ResponsiblePerson: "张三", DueDate: due})
				must[workflows.ItemState](t, p.Temporal, f, workflows.UpdateRequestClose,
					workflows.NoteInput{Actor: clerk, Note: "已完成"})
				item := must[workflows.ItemState](t, p.Temporal, f, workflows.UpdateVerify,
					workflows.VerifyInput{Actor: office, Accepted: true})
				if item.Status != vocab.ItemClosed {
					t.Fatalf("item %s: %+v", f, item)
				}
			}
			meeting := sampleDraft(t, p.Store, func(map[string]any) {})
			must[workflows.CycleState](t, p.Temporal, id, workflows.UpdateSaveDraft,
				workflows.SaveDraftInput{Actor: clerk, DraftID: meeting})
			must[workflows.CycleState](t, p.Temporal, id, workflows.UpdateSubmit, workflows.SubmitInput{Actor: clerk})
			must[workflows.CycleState](t, p.Temporal, id, workflows.UpdateApply, workflows.ApplyInput{Actor: clerk})
			must[workflows.CycleState](t, p.Temporal, id, workflows.UpdateRecordAcceptance,
				workflows.DecisionInput{Actor: office, Passed: true})
			must[workflows.CycleState](t, p.Temporal, id, workflows.UpdateRecordProvinceResult,
				workflows.DecisionInput{Actor: province, Passed: true})
			var final workflows.CycleState
			if err := run.Get(ctx, &final); err != nil || final.Stage != vocab.StageCertified {
				t.Fatalf("workflow ended %+v, %v", final.Stage, err)
			}

			row, err := p.Store.Cycle(ctx, 2025, "370211")
			if err != nil || row.Stage != "certified" || row.Version != 2 || row.Verdict != "meets" {
				t.Errorf("read model: %+v, %v", row, err)
			}
			for _, f := range st.Findings {
				if got, err := p.Store.Finding(ctx, f); err != nil || got.Status != "closed" || got.ClosedAt == nil {
					t.Errorf("finding %s in the read model: %+v, %v", f, got, err)
				}
			}
			events, err := p.Store.Audit(ctx, store.AuditFilter{Target: id, Limit: 500})
			if err != nil || len(events) != final.EventsCount {
				t.Errorf("audit of the cycle: %d entries, the workflow recorded %d (%v)", len(events),
					final.EventsCount, err)
			}
		})
	}
}

// TestTimerSurvivesRestart stops the whole process while a deadline timer is pending, starts it again on the same
// files, and sees the timer fire and the workflow take Updates afterwards.
func TestTimerSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(t, dir, "")
	p := start(t, cfg)
	ctx := context.Background()
	id := vocab.CycleID(2025, "370211")
	now := time.Now()
	policy := workflows.DefaultPolicy()
	policy.DistrictReminders = nil
	_, err := p.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: workflows.TaskQueue},
		workflows.DistrictCycle, workflows.CycleParams{Year: 2025, District: "370211", DistrictName: "黄岛区",
			Policy: policy, Deadlines: workflows.Deadlines{SelfAssessment: now.Add(3 * time.Second),
				CityReview: now.Add(time.Hour), Application: now.Add(2 * time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	p.Close()

	p = start(t, cfg)
	defer p.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		row, err := p.Store.Cycle(ctx, 2025, "370211")
		if err == nil && row.SelfAssessmentOverdue {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the self-assessment deadline never fired after the restart: %+v, %v", row, err)
		}
		time.Sleep(100 * time.Millisecond) // polling the read model, not waiting for the timer
	}
	draft := sampleDraft(t, p.Store, func(map[string]any) {})
	must[workflows.CycleState](t, p.Temporal, id, workflows.UpdateSaveDraft,
		workflows.SaveDraftInput{Actor: clerk, DraftID: draft})
	st := must[workflows.CycleState](t, p.Temporal, id, workflows.UpdateSubmit, workflows.SubmitInput{Actor: clerk})
	if st.Stage != vocab.StageCityReview || !st.SubmittedLate {
		t.Errorf("late submission after restart: %+v", st)
	}
	if _, err := os.Stat(filepath.Join(dir, "temporal.db")); err != nil {
		t.Error(err)
	}
}

// recordHistory writes the history of a workflow's run ("" = the latest) for the replay tests.
func recordHistory(t *testing.T, c client.Client, id, runID, path string) {
	t.Helper()
	it := c.GetWorkflowHistory(context.Background(), id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var h historypb.History
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, ev)
	}
	data, err := protojson.MarshalOptions{Indent: "  "}.Marshal(&h)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestExternalClusterGetsSearchAttributes runs the process against a Temporal it did not start (an embedded
// server standing in for a cluster, created without junheng's search attributes): the worker registers them, and
// a cycle runs.
func TestExternalClusterGetsSearchAttributes(t *testing.T) {
	srv, err := temporalx.StartEmbedded(context.Background(), temporalx.EmbeddedConfig{DataDir: t.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	cfg := testConfig(t, t.TempDir(), "")
	asCluster(t, cfg, srv)
	p := start(t, cfg)
	defer p.Close()
	ctx := context.Background()
	id := vocab.CycleID(2025, "370211")
	loc, _ := time.LoadLocation("Asia/Shanghai")
	if _, err := p.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: workflows.TaskQueue},
		workflows.DistrictCycle, workflows.CycleParams{Year: 2025, District: "370211", DistrictName: "黄岛区",
			Deadlines: ahead(loc), Policy: workflows.DefaultPolicy()}); err != nil {
		t.Fatal(err)
	}
	// Newly added attributes reach the cluster's services within seconds; until then workflow tasks are retried.
	waitFor(t, p.Store, "370211", func(c store.Cycle) bool { return c.Stage == "self_assessment" })
	// A workflow task that upserts an attribute the services do not know yet fails, and so does the Update it
	// carries: as a client does, the test sends it again.
	retried := func(name string, arg any) workflows.CycleState {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			st, err := update[workflows.CycleState](t, p.Temporal, id, name, arg)
			if err == nil {
				return st
			}
			if !strings.Contains(err.Error(), "workflow task failure") || time.Now().After(deadline) {
				t.Fatalf("%s %s: %v", name, id, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	draft := sampleDraft(t, p.Store, func(map[string]any) {})
	retried(workflows.UpdateSaveDraft, workflows.SaveDraftInput{Actor: clerk, DraftID: draft})
	if st := retried(workflows.UpdateSubmit, workflows.SubmitInput{Actor: clerk}); st.Stage !=
		vocab.StageCityReview {
		t.Errorf("stage %s", st.Stage)
	}
}

// TestTemporalDownServesReads stops the Temporal the process uses: actions answer 503 at once with a clear
// message, reads are still served from the database, and /readyz names Temporal.
func TestTemporalDownServesReads(t *testing.T) {
	srv, err := temporalx.StartEmbedded(context.Background(), temporalx.EmbeddedConfig{DataDir: t.TempDir(),
		SearchAttributes: workflows.SearchAttributes, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, t.TempDir(), "")
	asCluster(t, cfg, srv)
	p := start(t, cfg)
	defer p.Close()
	base := "http://" + p.Addr.String()
	office, clerk := openOneDistrict(t, p, time.Hour)
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	r := clerk.do("POST", "/api/v1/cycles/2025/districts/"+codeA+"/self-assessment/submit", nil)
	if r.status != 503 || !bytes.Contains(r.body, []byte("unavailable")) || time.Since(started) > 10*time.Second {
		t.Errorf("an action with Temporal down: %d %s after %v", r.status, r.body, time.Since(started))
	}
	var rows []store.Cycle
	office.ok("GET", "/api/v1/cycles/2025", nil, &rows)
	if len(rows) != 1 {
		t.Errorf("reads with Temporal down: %+v", rows)
	}
	ready := httpClient{t: t, base: base}.do("GET", "/readyz", nil)
	// Only which dependency failed, not how: its error names addresses.
	if ready.status != 503 || !bytes.Contains(ready.body, []byte(`"temporal":"unavailable"`)) ||
		!bytes.Contains(ready.body, []byte(`"database":"ok"`)) || bytes.Contains(ready.body, []byte("127.0.0.1")) {
		t.Errorf("/readyz with Temporal down: %d %s", ready.status, ready.body)
	}
}

// TestSeparateAPIAndWorker runs the production shape: an api and a worker as two processes on one Temporal and one
// database. The api is not ready until a worker serves its task queue; then actions go through.
func TestSeparateAPIAndWorker(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := temporalx.StartEmbedded(context.Background(), temporalx.EmbeddedConfig{DataDir: t.TempDir(),
		SearchAttributes: workflows.SearchAttributes, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	cfg := testConfig(t, t.TempDir(), "")
	asCluster(t, cfg, srv)
	db, err := OpenStore(context.Background(), cfg, true) // `junheng migrate`
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	apiProc, err := Start(context.Background(), cfg, quiet, Role{API: true})
	if err != nil {
		t.Fatal(err)
	}
	defer apiProc.Close()
	base := "http://" + apiProc.Addr.String()
	if r := (httpClient{t: t, base: base}).do("GET", "/readyz", nil); r.status != 503 ||
		!bytes.Contains(r.body, []byte(`"workers":"unavailable"`)) {
		t.Errorf("api without a worker: %d %s", r.status, r.body)
	}
	workerCfg := *cfg
	workerProc, err := Start(context.Background(), &workerCfg, quiet, Role{Worker: true})
	if err != nil {
		t.Fatal(err)
	}
	defer workerProc.Close()
	deadline := time.Now().Add(30 * time.Second)
	for (httpClient{t: t, base: base}).do("GET", "/readyz", nil).status != 200 {
		if time.Now().After(deadline) {
			t.Fatal("the api never saw the worker")
		}
		time.Sleep(100 * time.Millisecond)
	}
	admin := httpClient{t: t, base: base, token: newToken(t, apiProc.Store, vocab.RoleAdmin, "")}
	office := httpClient{t: t, base: base, token: newToken(t, apiProc.Store, vocab.RoleOffice, "")}
	admin.ok("POST", "/api/v1/districts", map[string]string{"code": codeA, "name": "黄岛区"}, nil)
	office.ok("POST", "/api/v1/cycles", map[string]any{"year": 2025, "deadlines": map[string]string{
		"self_assessment": time.Now().Add(time.Hour).Format(time.RFC3339),
		"city_review":     time.Now().Add(2 * time.Hour).Format(time.RFC3339),
		"application":     time.Now().Add(3 * time.Hour).Format(time.RFC3339)}}, nil)
	clerk := httpClient{t: t, base: base, token: newToken(t, apiProc.Store, vocab.RoleDistrict, codeA)}
	var draft struct{ State workflows.CycleState }
	clerk.ok("PUT", "/api/v1/cycles/2025/districts/"+codeA+"/self-assessment", sampleJSON(t, codeA, noEdit), &draft)
	if draft.State.DraftID == 0 {
		t.Errorf("draft through the separate worker: %+v", draft.State)
	}
}

// openOneDistrict registers district A and opens 2025 with its self-assessment due after selfAssessment, the
// review an hour later and the application an hour after that; it returns the office's and A's clients.
func openOneDistrict(t *testing.T, p *Process, selfAssessment time.Duration) (office, clerk httpClient) {
	t.Helper()
	base := "http://" + p.Addr.String()
	admin := httpClient{t: t, base: base, token: newToken(t, p.Store, vocab.RoleAdmin, "")}
	office = httpClient{t: t, base: base, token: newToken(t, p.Store, vocab.RoleOffice, "")}
	clerk = httpClient{t: t, base: base, token: newToken(t, p.Store, vocab.RoleDistrict, codeA)}
	admin.ok("POST", "/api/v1/districts", map[string]string{"code": codeA, "name": "黄岛区"}, nil)
	now := time.Now()
	office.ok("POST", "/api/v1/cycles", map[string]any{"year": 2025, "deadlines": map[string]string{
		"self_assessment": now.Add(selfAssessment).Format(time.RFC3339),
		"city_review":     now.Add(selfAssessment + time.Hour).Format(time.RFC3339),
		"application":     now.Add(selfAssessment + 2*time.Hour).Format(time.RFC3339)}}, nil)
	return office, clerk
}

// TestServeHintsAtTheFirstAdministrator: serve on a database nobody can sign in to says how to make the first
// administrator, and only then.
func TestServeHintsAtTheFirstAdministrator(t *testing.T) {
	ctx, db := context.Background(), storetest.SQLite(t)
	var log bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&log, nil))
	if err := firstAdminHint(ctx, db, logger, "/srv/junheng"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "junheng account create --role admin") ||
		!strings.Contains(log.String(), "--data-dir /srv/junheng") || !strings.Contains(log.String(), "管理员") {
		t.Fatalf("no hint on an empty database: %q", log.String())
	}
	if _, err := usecase.CreateAccount(ctx, db, usecase.Actor{Name: "test", Role: vocab.RoleSystem},
		usecase.AccountRequest{Login: "root", Name: "管理员", Role: vocab.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	log.Reset()
	if err := firstAdminHint(ctx, db, logger, "/srv/junheng"); err != nil || log.Len() > 0 {
		t.Fatalf("a hint with an account: %v %q", err, log.String())
	}
}
