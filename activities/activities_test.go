package activities

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"junheng/evaluation"
	"junheng/progress"
	"junheng/store"
	"junheng/store/storetest"
	"junheng/vocab"
	"junheng/workflows"
)

// TestContract: the names the workflows call are the methods of workflows.Activities (whose types the compiler
// checks against Activities), and Activities has no other exported method: every one is registered as an activity.
func TestContract(t *testing.T) {
	names := []string{workflows.ActivityEvaluateDraft, workflows.ActivitySubmitSnapshot,
		workflows.ActivityCreateFindings, workflows.ActivityOpenSeriousFindings, workflows.ActivityRecordCycle,
		workflows.ActivityRecordItem, workflows.ActivityRecordPlan, workflows.ActivityNotify,
		workflows.ActivityDeliver}
	contract := reflect.TypeFor[workflows.Activities]()
	for _, name := range names {
		if _, ok := contract.MethodByName(name); !ok {
			t.Errorf("the workflows call %s, which is not a method of workflows.Activities", name)
		}
	}
	if n := contract.NumMethod(); n != len(names) {
		t.Errorf("workflows.Activities has %d methods, the workflows call %d", n, len(names))
	}
	school := reflect.TypeFor[workflows.SchoolActivities]()
	if _, ok := school.MethodByName(workflows.ActivityRecordSchool); !ok || school.NumMethod() != 1 {
		t.Errorf("the school workflows call %s, the contract has %d methods", workflows.ActivityRecordSchool,
			school.NumMethod())
	}
	if n := reflect.TypeFor[*Activities]().NumMethod(); n != contract.NumMethod()+school.NumMethod() {
		t.Errorf("Activities has %d exported methods, the contracts %d: every method is registered as an activity",
			n, contract.NumMethod()+school.NumMethod())
	}
}

// sample returns the sample district's input with edits applied to its JSON object.
func sample(t *testing.T, edit func(map[string]any)) evaluation.Input {
	t.Helper()
	raw, err := os.ReadFile("../evaluation/testdata/district.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	in, err := evaluation.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func TestSelfAssessmentToFindings(t *testing.T) {
	for dialect, db := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			a := &Activities{Store: db, Profile: evaluation.National2017(), Location: time.UTC,
				Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
			failing := &store.Draft{Year: 2025, DistrictCode: "370211", CreatedBy: "clerk", CreatedAt: time.Now(),
				Data: sample(t, func(m map[string]any) {
					m["vetoes"] = []string{"key_schools_or_classes"}
					delete(m, "recognition_rate")
				})}
			if err := db.AddDraft(ctx, failing); err != nil {
				t.Fatal(err)
			}
			res, err := a.EvaluateDraft(ctx, workflows.DraftInput{Year: 2025, District: "370211", DraftID: failing.ID})
			if err != nil || res.Verdict != "does_not_meet" || res.Shortfalls < 2 {
				t.Fatalf("EvaluateDraft = %+v, %v", res, err)
			}
			// A draft stored with its evaluation (as the API stores it) is not evaluated again.
			judged := &store.Draft{Year: 2025, DistrictCode: "370211", CreatedBy: "clerk", CreatedAt: time.Now(),
				Data: failing.Data, Evaluation: &evaluation.Result{Verdict: evaluation.Meets}, Verdict: "meets"}
			if err := db.AddDraft(ctx, judged); err != nil {
				t.Fatal(err)
			}
			res, err = a.EvaluateDraft(ctx, workflows.DraftInput{Year: 2025, District: "370211", DraftID: judged.ID})
			if err != nil || res.Verdict != "meets" || res.Shortfalls != 0 {
				t.Fatalf("EvaluateDraft of an evaluated draft = %+v, %v", res, err)
			}
			_, err = a.EvaluateDraft(ctx, workflows.DraftInput{Year: 2025, District: "370202", DraftID: failing.ID})
			var appErr *temporal.ApplicationError
			if !errors.As(err, &appErr) || !appErr.NonRetryable() {
				t.Fatalf("another district's draft: %v, want a non-retryable error", err)
			}

			in := workflows.SnapshotInput{Year: 2025, District: "370211", DraftID: failing.ID,
				Actor: vocab.Actor{Name: "clerk"}}
			snap, err := a.SubmitSnapshot(ctx, in)
			if err != nil || snap.Version != 1 || snap.Verdict != "does_not_meet" {
				t.Fatalf("SubmitSnapshot = %+v, %v", snap, err)
			}
			again, err := a.SubmitSnapshot(ctx, in)
			if err != nil || again.Version != 1 {
				t.Fatalf("a retried submission made version %d (%v), want 1", again.Version, err)
			}
			veto := ""
			for _, id := range snap.ShortfallIDs {
				if strings.HasPrefix(id, "veto:") {
					veto = id
				}
			}
			if veto == "" {
				t.Fatalf("no veto shortfall in %v", snap.ShortfallIDs)
			}

			due := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
			fin := workflows.FindingsInput{Year: 2025, District: "370211", SnapshotVersion: 1,
				Findings: []workflows.FindingRecord{
					{ID: vocab.FindingID(2025, "370211", 1), Seq: 1, ShortfallID: veto},
					{ID: vocab.FindingID(2025, "370211", 2), Seq: 2, New: workflows.NewFinding{Title: "功能室不足",
						Source: vocab.SourceOnSite, Severity: vocab.SeverityNormal, DueDate: due}},
				}}
			infos, err := a.CreateFindings(ctx, fin)
			if err != nil || len(infos) != 2 || infos[0].Severity != vocab.SeveritySerious ||
				infos[0].Title == "" || infos[1].Source != vocab.SourceOnSite || !infos[1].DueDate.Equal(due) {
				t.Fatalf("CreateFindings = %+v, %v", infos, err)
			}
			if retry, err := a.CreateFindings(ctx, fin); err != nil || !reflect.DeepEqual(retry, infos) {
				t.Fatalf("retried CreateFindings = %+v, %v", retry, err)
			}
			open, err := a.OpenSeriousFindings(ctx, "370211")
			if err != nil || len(open) != 1 || open[0].ID != infos[0].ID {
				t.Fatalf("OpenSeriousFindings = %+v, %v", open, err)
			}

			closed := workflows.ItemState{ID: infos[0].ID, Year: 2025, District: "370211", Seq: 1,
				Title: infos[0].Title, Severity: vocab.SeveritySerious, Status: vocab.ItemClosed,
				ClosedAt: time.Now(), CreatedAt: time.Now(), EventsCount: 2}
			rec := workflows.ItemRecord{State: closed, Event: workflows.Event{Key: infos[0].ID + ":2", At: time.Now(),
				Actor: vocab.Actor{Name: "督导办", Role: vocab.RoleOffice}, Action: "verify_accepted"}}
			for range 2 { // the second write is a retry: no second audit entry
				if _, err := a.RecordItem(ctx, rec); err != nil {
					t.Fatal(err)
				}
			}
			if open, _ := a.OpenSeriousFindings(ctx, "370211"); len(open) != 0 {
				t.Errorf("closed finding still open: %+v", open)
			}
			events, err := db.Audit(ctx, store.AuditFilter{Target: infos[0].ID})
			if err != nil || len(events) != 1 || events[0].Action != "verify_accepted" || events[0].Role != "office" {
				t.Errorf("audit of the finding = %+v, %v", events, err)
			}
		})
	}
}

// TestRecordCycleAndNotifyAreIdempotent: a retried record writes its row, event and notifications once, and so
// does a retried Notify.
func TestRecordCycleAndNotifyAreIdempotent(t *testing.T) {
	for dialect, db := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			a := &Activities{Store: db, Profile: evaluation.National2017(), Location: time.UTC,
				Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
			loc, _ := time.LoadLocation("Asia/Shanghai")
			st := workflows.CycleState{Year: 2025, District: "370211", Stage: vocab.StageCityReview,
				Deadlines: workflows.DefaultCalendar.Deadlines(2025, loc), Version: 1, Verdict: "meets",
				SubmittedLate: true}
			rec := workflows.CycleRecord{State: st, Event: workflows.Event{Key: "cycle:2025:370211:3", Action: "submit",
				Actor: vocab.Actor{Name: "clerk", Role: vocab.RoleDistrict, District: "370211",
					RequestID: "req-1"}},
				Notifications: []workflows.Notification{{Key: "k0", Recipient: workflows.ToOffice, Year: 2025,
					District: "370211", Kind: "submitted", TitleZh: "已提交", TitleEn: "submitted"}}}
			for range 2 {
				if done, err := a.RecordCycle(ctx, rec); err != nil || len(done.Deliver) != 0 {
					t.Fatalf("RecordCycle = %+v, %v; want nothing to deliver without channels", done, err)
				}
			}
			c, err := db.Cycle(ctx, 2025, "370211")
			if err != nil || c.Stage != "city_review" || !c.SubmittedLate ||
				!c.SelfAssessmentDeadline.Equal(st.Deadlines.SelfAssessment) {
				t.Fatalf("cycle row = %+v, %v", c, err)
			}
			events, _ := db.Audit(ctx, store.AuditFilter{DistrictCode: "370211"})
			if len(events) != 1 || events[0].RequestID != "req-1" || events[0].Target != "cycle:2025:370211" {
				t.Errorf("audit = %+v", events)
			}
			n := workflows.Notification{Key: "k1", Recipient: workflows.ToOffice, Year: 2025, District: "370211",
				Kind: "overdue", TitleZh: "逾期", TitleEn: "overdue"}
			for range 2 {
				if channels, err := a.Notify(ctx, n); err != nil || channels != 0 {
					t.Fatalf("Notify = %d, %v; want 0 channels", channels, err)
				}
			}
			var kinds []string
			notes, err := db.Notifications(ctx, store.NotificationFilter{Recipient: "office"})
			for _, x := range notes {
				kinds = append(kinds, x.Kind)
			}
			if err != nil || !slices.Equal(kinds, []string{"overdue", "submitted"}) {
				t.Errorf("notifications = %v, %v", kinds, err)
			}
		})
	}
}

func TestRecordPlanMirrorsEveryVersionOnce(t *testing.T) {
	for dialect, db := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			a := &Activities{Store: db, Profile: evaluation.National2017(), Location: time.UTC,
				Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
			at := time.Date(2025, 9, 1, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
			oversized := 0
			v1 := workflows.CreationPlanVersion{Version: 1, Plan: progress.Plan{TargetYear: 2027,
				Milestones: []progress.Milestone{{Year: 2026, Schools: []string{"S007"}},
					{Year: 2027, OversizedMax: &oversized}}},
				ResponsibilityFile: "file-zrs", Note: "区政府审议通过", Status: vocab.PlanApproved, SubmittedBy: "clerk",
				SubmittedAt: at, DecidedBy: "督导办", DecidedAt: at.Add(48 * time.Hour), Comment: "同意"}
			v2 := workflows.CreationPlanVersion{Version: 2,
				Plan:               progress.Plan{TargetYear: 2026, Milestones: []progress.Milestone{{Year: 2026}}},
				ResponsibilityFile: "file-zrs2", Status: vocab.PlanSubmitted, SubmittedBy: "clerk",
				SubmittedAt: at.Add(30 * 24 * time.Hour)}
			st := workflows.CreationPlanState{District: "370211", Status: vocab.PlanSubmitted,
				Versions: []workflows.CreationPlanVersion{v1, v2}, Approved: 1, EventsCount: 3}
			clerk := vocab.Actor{Name: "clerk", Role: vocab.RoleDistrict, District: "370211",
				RequestID: "req-7"}
			rec := workflows.CreationPlanRecord{State: st, Event: workflows.Event{Key: "plan:370211:3", Actor: clerk,
				Action: "plan_submitted", Detail: "version 2"}}
			for range 2 { // the second write is a retry: no second audit entry
				if _, err := a.RecordPlan(ctx, rec); err != nil {
					t.Fatal(err)
				}
			}
			p, err := db.Plan(ctx, "370211")
			if err != nil || p.Status != "submitted" || p.Version != 2 || p.ApprovedVersion != 1 ||
				p.TargetYear != 2027 {
				t.Fatalf("plan row = %+v, %v", p, err)
			}
			if len(p.State.Versions) != 2 || p.State.EventsCount != 3 {
				t.Errorf("state column = %+v", p.State)
			}
			vs, err := db.PlanVersions(ctx, "370211")
			if err != nil || len(vs) != 2 {
				t.Fatalf("versions = %+v, %v", vs, err)
			}
			if !reflect.DeepEqual(vs[0].Plan, v1.Plan) {
				t.Errorf("version 1 plan = %+v; want %+v", vs[0].Plan, v1.Plan)
			}
			if got := vs[0]; got.TargetYear != 2027 || got.Status != "approved" ||
				got.ResponsibilityFile != "file-zrs" || got.Note != v1.Note || got.DecidedBy != "督导办" ||
				got.DecidedAt == nil || !got.DecidedAt.Equal(v1.DecidedAt) || !got.SubmittedAt.Equal(at) ||
				got.Comment != "同意" {
				t.Errorf("version 1 row = %+v", got)
			}
			if got := vs[1]; got.TargetYear != 2026 || got.Status != "submitted" || got.DecidedAt != nil ||
				got.DecidedBy != "" {
				t.Errorf("version 2 row = %+v", got)
			}
			events, err := db.Audit(ctx, store.AuditFilter{Target: vocab.CreationPlanID("370211")})
			if err != nil || len(events) != 1 || events[0].Actor != "clerk" || events[0].Role != "district" ||
				events[0].DistrictCode != "370211" || events[0].Action != "plan_submitted" ||
				events[0].RequestID != "req-7" || events[0].Detail != "version 2" || events[0].Outcome != "ok" {
				t.Errorf("audit = %+v, %v", events, err)
			}

			// The office approves the revision: it takes effect, with its target year.
			st.Versions[1].Status, st.Versions[1].DecidedBy, st.Versions[1].DecidedAt =
				vocab.PlanApproved, "督导办", at.Add(40*24*time.Hour)
			st.Status, st.Approved, st.EventsCount = vocab.PlanApproved, 2, 4
			office := vocab.Actor{Name: "督导办", Role: vocab.RoleOffice}
			if _, err := a.RecordPlan(ctx, workflows.CreationPlanRecord{State: st,
				Event: workflows.Event{Key: "plan:370211:4",
					Actor: office, Action: "plan_approved"}}); err != nil {
				t.Fatal(err)
			}
			approved, err := db.ApprovedPlans(ctx)
			if vs := approved["370211"]; err != nil || len(approved) != 1 || len(vs) == 0 ||
				vs[len(vs)-1].Version != 2 || vs[len(vs)-1].TargetYear != 2026 {
				t.Errorf("ApprovedPlans = %+v, %v", approved, err)
			}
			if p, err := db.Plan(ctx, "370211"); err != nil || p.Status != "approved" || p.ApprovedVersion != 2 ||
				p.TargetYear != 2026 {
				t.Errorf("plan row after approval = %+v, %v", p, err)
			}
			if events, _ := db.Audit(ctx,
				store.AuditFilter{Target: vocab.CreationPlanID("370211")}); len(events) != 2 ||
				events[0].Role != "office" {
				t.Errorf("audit after approval = %+v", events)
			}
		})
	}
}

// TestCorruptRowsFailForGood: an activity that reads a stored value which does not decode fails non-retryably, as a
// retry would read the same row.
func TestCorruptRowsFailForGood(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "junheng.db")
	db := storetest.SQLiteFile(t, path)
	a := &Activities{Store: db, Profile: evaluation.National2017(), Location: time.UTC,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	d := &store.Draft{Year: 2025, DistrictCode: "370211", CreatedBy: "clerk", CreatedAt: time.Now()}
	f := store.Finding{ID: vocab.FindingID(2025, "370211", 1), Year: 2025, DistrictCode: "370211", Seq: 1,
		Severity: string(vocab.SeveritySerious), Status: string(vocab.ItemOpen)}
	for _, err := range []error{
		db.AddDraft(ctx, d),
		db.Submit(ctx, &store.Submission{Year: 2025, DistrictCode: "370211", DraftID: d.ID, Version: 1}),
		db.CreateFindings(ctx, []store.Finding{f}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, update := range []string{`UPDATE drafts SET data = '{'`, `UPDATE findings SET state = '{"year":"2025"}'`} {
		if _, err := raw.ExecContext(ctx, update); err != nil {
			t.Fatal(err)
		}
	}
	draft := workflows.DraftInput{Year: 2025, District: "370211", DraftID: d.ID}
	for name, run := range map[string]func() error{
		"EvaluateDraft": func() error { _, err := a.EvaluateDraft(ctx, draft); return err },
		"SubmitSnapshot": func() error {
			_, err := a.SubmitSnapshot(ctx, workflows.SnapshotInput{Year: 2025, District: "370211", DraftID: d.ID})
			return err
		},
		"CreateFindings": func() error {
			_, err := a.CreateFindings(ctx, workflows.FindingsInput{Year: 2025, District: "370211",
				SnapshotVersion: 1, Findings: []workflows.FindingRecord{{ID: f.ID, Seq: 1}}})
			return err
		},
		"OpenSeriousFindings": func() error { _, err := a.OpenSeriousFindings(ctx, "370211"); return err },
	} {
		err := run()
		var appErr *temporal.ApplicationError
		if !errors.As(err, &appErr) || !appErr.NonRetryable() || !errors.Is(err, store.ErrCorrupt) {
			t.Errorf("%s: %v, want a non-retryable ErrCorrupt", name, err)
		}
	}
}
