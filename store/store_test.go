package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"junheng/evaluation"
	"junheng/progress"
	"junheng/store"
	"junheng/store/storetest"
	"junheng/workflows"
)

func TestMigrateIsIdempotentAndVersioned(t *testing.T) {
	for dialect, s := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			n, err := s.Migrate(ctx)
			if err != nil || n != 0 {
				t.Fatalf("second migrate applied %d steps, err %v; want 0, nil", n, err)
			}
			cur, newest, err := s.SchemaVersion(ctx)
			if err != nil || cur != newest || cur < 1 {
				t.Fatalf("schema version %d of %d, err %v", cur, newest, err)
			}
		})
	}
}

func TestDistricts(t *testing.T) {
	for dialect, s := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			if err := s.CreateDistrict(ctx, &store.District{Code: "370211", Name: "黄岛区"}); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateDistrict(ctx, &store.District{Code: "370202", Name: "市南区"}); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateDistrict(ctx,
				&store.District{Code: "370211", Name: "again"}); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("duplicate code: got %v, want ErrConflict", err)
			}
			d, err := s.District(ctx, "370211")
			if err != nil || d.Name != "黄岛区" {
				t.Fatalf("District = %+v, %v", d, err)
			}
			if _, err := s.District(ctx, "999999"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("unknown district: got %v, want ErrNotFound", err)
			}
			all, err := s.Districts(ctx, "")
			if err != nil || len(all) != 2 || all[0].Code != "370202" {
				t.Fatalf("Districts = %+v, %v", all, err)
			}
		})
	}
}

func TestAuditIsFilteredAndNewestFirst(t *testing.T) {
	for dialect, s := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			for i, district := range []string{"370211", "370202", "370211"} {
				e := &store.AuditEvent{Actor: "clerk", Role: "district", DistrictCode: district,
					Action: "save_draft", Target: fmt.Sprintf("cycle:2025:%s", district), Outcome: "ok",
					Detail: fmt.Sprint(i)}
				if err := s.AppendAudit(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.Audit(ctx, store.AuditFilter{DistrictCode: "370211"})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got[0].Detail != "2" || got[1].Detail != "0" || got[0].At.IsZero() {
				t.Fatalf("Audit = %+v", got)
			}
			page, err := s.Audit(ctx, store.AuditFilter{BeforeID: got[0].ID, Limit: 1})
			if err != nil || len(page) != 1 || page[0].Detail != "1" {
				t.Fatalf("page before %d = %+v, %v", got[0].ID, page, err)
			}
		})
	}
}

func TestOpenRejectsUnknownURLAndNamesUnreachableDatabase(t *testing.T) {
	ctx := context.Background()
	if _, err := store.Open(ctx, "mysql://x", ""); err == nil ||
		!strings.Contains(err.Error(), "JUNHENG_DATABASE_URL") {
		t.Fatalf("mysql URL: %v", err)
	}
	_, err := store.Open(ctx, "postgres://nobody:secret@127.0.0.1:1/none?connect_timeout=2", "")
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") || strings.Contains(err.Error(), "secret") ||
		!store.Unavailable(err) {
		t.Fatalf("unreachable database: %v (unavailable: %v)", err, store.Unavailable(err))
	}
	if store.Unavailable(store.ErrNotFound) {
		t.Error("not found is not an outage")
	}
}

// The SQLite file and its directory are the operator's alone: they hold every district's data.
func TestSQLiteFilesArePrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s, err := store.Open(context.Background(), "", filepath.Join(dir, "junheng.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, "junheng.db"): 0o600,
		filepath.Join(dir, "junheng.db-wal"): 0o600} {
		if fi, err := os.Stat(name); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v %v, want %v", name, fi.Mode().Perm(), err, want)
		}
	}
}

func TestFindingCountsCarryOpenItemsOver(t *testing.T) {
	for dialect, s := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			now := time.Now()
			rows := []store.Finding{
				{ID: "finding:2024:370211:1", Year: 2024, DistrictCode: "370211", Seq: 1, Status: "in_progress",
					Overdue: true, Escalated: true},
				{ID: "finding:2024:370211:2", Year: 2024, DistrictCode: "370211", Seq: 2, Status: "closed"},
				{ID: "finding:2025:370211:1", Year: 2025, DistrictCode: "370211", Seq: 1, Status: "open"},
				{ID: "finding:2025:370211:2", Year: 2025, DistrictCode: "370211", Seq: 2, Status: "closed"},
				{ID: "finding:2025:370202:1", Year: 2025, DistrictCode: "370202", Seq: 1,
					Status: "awaiting_verification"},
			}
			for i := range rows {
				rows[i].Title, rows[i].Source, rows[i].Severity, rows[i].CreatedAt, rows[i].UpdatedAt =
					"t", "on_site", "normal", now, now
			}
			if err := s.CreateFindings(ctx, rows); err != nil {
				t.Fatal(err)
			}
			counts, err := s.FindingCountsByDistrict(ctx, 2025)
			if err != nil {
				t.Fatal(err)
			}
			want := store.FindingCounts{
				DistrictCode: "370211", Open: 1, Closed: 1, Overdue: 1, Escalated: 1, CarriedOver: 1,
			}
			if counts["370211"] != want || counts["370202"].Open != 1 {
				t.Errorf("counts = %+v", counts)
			}
			ledger, total, err := s.Findings(ctx,
				store.FindingFilter{Year: 2025, District: "370211", OpenFromEarlier: true})
			if err != nil || total != 3 || ledger[0].ID != "finding:2024:370211:1" {
				t.Errorf("the district's findings with carried-over ones: %d %+v %v", total, ledger, err)
			}
		})
	}
}

func TestIdempotencyClaims(t *testing.T) {
	for dialect, s := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			claim := func() (bool, store.IdempotentRequest) {
				ok, prior, err := s.ClaimIdempotencyKey(ctx, &store.IdempotentRequest{
					Principal: "7", Key: "k", RequestHash: "h", CreatedAt: time.Now().UTC(),
				})
				if err != nil {
					t.Fatal(err)
				}
				return ok, prior
			}
			if ok, _ := claim(); !ok {
				t.Fatal("first claim refused")
			}
			if ok, prior := claim(); ok || prior.Status != 0 || prior.RequestHash != "h" {
				t.Fatalf("second claim: %v %+v", ok, prior)
			}
			if ok, err := s.RetakeIdempotencyKey(ctx, "7", "k", time.Now().Add(-time.Minute).UTC()); err != nil || ok {
				t.Fatalf("a fresh claim was retaken: %v %v", ok, err)
			}
			if ok, err := s.RetakeIdempotencyKey(ctx, "7", "k", time.Now().Add(time.Minute).UTC()); err != nil || !ok {
				t.Fatalf("a stale claim was not retaken: %v %v", ok, err)
			}
			if err := s.CompleteIdempotencyKey(ctx, "7", "k", 201, "application/json", []byte(`{"id":1}`)); err != nil {
				t.Fatal(err)
			}
			if ok, prior := claim(); ok || prior.Status != 201 || string(prior.Body) != `{"id":1}` {
				t.Fatalf("after completion: %v %+v", ok, prior)
			}
			if err := s.ReleaseIdempotencyKey(ctx, "7", "k"); err != nil {
				t.Fatal(err)
			}
			if ok, _ := claim(); ok {
				t.Error("release removed an answered request")
			}
			if n, err := s.ExpireIdempotencyKeys(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
				t.Errorf("a key an hour old or newer expired: %d, %v", n, err)
			}
			if n, err := s.ExpireIdempotencyKeys(ctx, time.Now().Add(time.Minute)); err != nil || n != 1 {
				t.Errorf("expiring the older keys removed %d, %v; want 1", n, err)
			}
			if ok, _ := claim(); !ok {
				t.Error("an expired key is still known")
			}
		})
	}
}

// TestLaterWritesWin: a mirrored row takes only a later write of its workflow, by the time of the change, then by
// its count; the audit event of every write is kept (a Reset's changes beside those they replaced).
func TestLaterWritesWin(t *testing.T) {
	for dialect, s := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			t0 := time.Date(2025, 9, 1, 9, 0, 0, 0, time.UTC)
			write := func(stage string, at time.Time, seq int, key string) {
				t.Helper()
				k := key
				row := &store.Cycle{Year: 2025, DistrictCode: "370211", Stage: stage,
					UpdatedAt: time.Now(), Written: store.Written{RecordTime: at.UnixNano(), RecordSeq: seq}}
				ev := &store.AuditEvent{Actor: "x", Role: "district", Action: stage, Target: "cycle:2025:370211",
					Outcome: "ok", EventKey: &k}
				if err := s.RecordCycle(ctx, row, ev); err != nil {
					t.Fatal(err)
				}
			}
			stage := func() string {
				c, err := s.Cycle(ctx, 2025, "370211")
				if err != nil {
					t.Fatal(err)
				}
				return c.Stage
			}
			write("self_assessment", t0, 1, "k1")
			write("city_review", t0.Add(time.Hour), 2, "k2")
			write("self_assessment", t0, 1, "k1") // a late retry of the first write
			if got := stage(); got != "city_review" {
				t.Errorf("a late retry took the row back to %s", got)
			}
			write("rectification", t0.Add(time.Hour), 3, "k3") // the same workflow task, a later change
			if got := stage(); got != "rectification" {
				t.Errorf("a later change of the same instant lost: %s", got)
			}
			write("not_applied", t0.Add(2*time.Hour), 2, "k2-reset") // a Reset run, counting again from 1
			if got := stage(); got != "not_applied" {
				t.Errorf("a Reset's later change lost: %s", got)
			}
			events, err := s.Audit(ctx, store.AuditFilter{Target: "cycle:2025:370211"})
			if err != nil || len(events) != 4 {
				t.Errorf("audit: %d events, %v; want 4 (the retry once, the Reset's beside the replaced)",
					len(events), err)
			}
		})
	}
}

// TestCycleClaims: opening a year claims it per district for good; a started claim is never offered again, a
// district added later is.
func TestCycleClaims(t *testing.T) {
	for dialect, s := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			open, err := s.ClaimCycles(ctx, 2025, []string{"370211", "370202"})
			if err != nil || !slices.Equal(open, []string{"370202", "370211"}) {
				t.Fatalf("first claims: %v, %v", open, err)
			}
			if err := s.CycleStarted(ctx, 2025, "370211"); err != nil {
				t.Fatal(err)
			}
			open, err = s.ClaimCycles(ctx, 2025, []string{"370211", "370202", "370203"})
			if err != nil || !slices.Equal(open, []string{"370202", "370203"}) {
				t.Errorf("after one start and a new district: %v, %v", open, err)
			}
			if open, err := s.ClaimCycles(ctx, 2026, []string{"370211"}); err != nil ||
				!slices.Equal(open, []string{"370211"}) {
				t.Errorf("another year: %v, %v", open, err)
			}
			// A start that was not marked (the process failed after it) is known by the year's row.
			if err := s.OpenCycle(ctx, &store.Cycle{Year: 2025, DistrictCode: "370202", Stage: "self_assessment",
				UpdatedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
			if open, err := s.ClaimCycles(ctx, 2025, []string{"370202", "370203"}); err != nil ||
				!slices.Equal(open, []string{"370203"}) {
				t.Errorf("a year with a row is still to start: %v, %v", open, err)
			}
		})
	}
}

func TestPlansKeepEveryVersionAndTheOneInEffect(t *testing.T) {
	for dialect, s := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			if _, err := s.Plan(ctx, "370211"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("no plan yet: %v, want ErrNotFound", err)
			}
			at := time.Date(2025, 9, 1, 1, 0, 0, 0, time.UTC)
			decided := at.Add(24 * time.Hour)
			v1 := store.PlanVersion{DistrictCode: "370211", Version: 1, TargetYear: 2027,
				Plan: progress.Plan{TargetYear: 2027}, ResponsibilityFile: "file-1", Status: "submitted",
				SubmittedBy: "clerk", SubmittedAt: at}
			key := func(n int) *string { k := fmt.Sprintf("plan:370211:%d", n); return &k }
			event := func(n int, action string) *store.AuditEvent {
				return &store.AuditEvent{Actor: "x", Role: "district", DistrictCode: "370211", Action: action,
					Target: "plan:370211", Outcome: "ok", EventKey: key(n)}
			}
			writes := 0
			record := func(p store.Plan, ev *store.AuditEvent, vs ...store.PlanVersion) {
				t.Helper()
				writes++
				p.DistrictCode, p.UpdatedAt = "370211", time.Now().UTC()
				p.State = workflows.CreationPlanState{District: "370211", Status: "submitted"}
				p.Written = store.Written{RecordTime: at.UnixNano(), RecordSeq: writes}
				for range 2 { // the second write is a retry
					if err := s.RecordPlan(ctx, &p, vs, ev); err != nil {
						t.Fatal(err)
					}
				}
			}
			record(store.Plan{Status: "submitted", Version: 1}, event(1, "plan_submitted"), v1)
			if got, err := s.ApprovedPlans(ctx); err != nil || len(got) != 0 {
				t.Fatalf("ApprovedPlans before any approval = %+v, %v", got, err)
			}
			v1.Status, v1.DecidedBy, v1.DecidedAt = "approved", "office", &decided
			record(store.Plan{Status: "approved", Version: 1, ApprovedVersion: 1, TargetYear: 2027},
				event(2, "plan_approved"), v1)
			v2 := store.PlanVersion{DistrictCode: "370211", Version: 2, TargetYear: 2026,
				Plan: progress.Plan{TargetYear: 2026}, ResponsibilityFile: "file-2", Note: "提前一年",
				Status: "submitted", SubmittedBy: "clerk", SubmittedAt: decided}
			record(store.Plan{Status: "submitted", Version: 2, ApprovedVersion: 1, TargetYear: 2027},
				event(3, "plan_submitted"), v1, v2)
			// Another district with a version waiting: not in effect anywhere.
			other := store.Plan{DistrictCode: "370202", Status: "submitted", Version: 1, UpdatedAt: at}
			if err := s.RecordPlan(ctx, &other, []store.PlanVersion{{
				DistrictCode: "370202", Version: 1, TargetYear: 2025, ResponsibilityFile: "f", Status: "submitted",
				SubmittedBy: "c", SubmittedAt: at,
			}}, nil); err != nil {
				t.Fatal(err)
			}

			p, err := s.Plan(ctx, "370211")
			if err != nil || p.Status != "submitted" || p.Version != 2 || p.ApprovedVersion != 1 ||
				p.TargetYear != 2027 || p.State.District != "370211" || p.State.Status != "submitted" {
				t.Fatalf("Plan = %+v, %v", p, err)
			}
			vs, err := s.PlanVersions(ctx, "370211")
			if err != nil || len(vs) != 2 || vs[0].Version != 1 || vs[1].Version != 2 || vs[0].Status != "approved" ||
				vs[0].DecidedAt == nil || !vs[0].DecidedAt.Equal(decided) || vs[1].DecidedAt != nil ||
				vs[1].Plan.TargetYear != 2026 || vs[1].Note != "提前一年" || !vs[1].SubmittedAt.Equal(decided) {
				t.Fatalf("PlanVersions = %+v, %v", vs, err)
			}
			before := s.Queries()
			approved, err := s.ApprovedPlans(ctx)
			if err != nil || len(approved) != 1 || len(approved["370211"]) != 1 || approved["370211"][0].Version != 1 ||
				approved["370211"][0].TargetYear != 2027 || approved["370211"][0].Plan.TargetYear != 2027 ||
				approved["370211"][0].ResponsibilityFile != "file-1" {
				t.Fatalf("ApprovedPlans = %+v, %v", approved, err)
			}
			if n := s.Queries() - before; n != 1 {
				t.Errorf("ApprovedPlans ran %d queries, want 1", n)
			}
			events, err := s.Audit(ctx, store.AuditFilter{Target: "plan:370211"})
			if err != nil || len(events) != 3 || events[0].Action != "plan_submitted" ||
				events[1].Action != "plan_approved" {
				t.Errorf("audit = %+v, %v (each event once)", events, err)
			}
		})
	}
}

func TestSubmissionsAndCyclesBetween(t *testing.T) {
	for dialect, s := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			// The reports read the districts under a unit: a district's own code is the unit of that district alone.
			for _, code := range []string{"370211", "370202", "370203"} {
				d := &store.District{Code: code, Name: code, CityCode: "370200"}
				if err := s.CreateDistrict(ctx, d); err != nil {
					t.Fatal(err)
				}
			}
			draft := int64(0)
			submit := func(year int, district string) int {
				t.Helper()
				draft++
				sub := &store.Submission{Year: year, DistrictCode: district, DraftID: draft, Verdict: "meets",
					Data:        evaluation.Input{District: evaluation.District{Name: fmt.Sprint("draft ", draft)}},
					Evaluation:  evaluation.Result{Standard: fmt.Sprint("e", draft)},
					SubmittedBy: "clerk", SubmittedAt: time.Now().UTC()}
				if err := s.Submit(ctx, sub); err != nil {
					t.Fatal(err)
				}
				return sub.Version
			}
			for _, c := range []struct {
				year     int
				district string
			}{{2024, "370211"}, {2024, "370211"}, {2025, "370211"}, {2026, "370211"}, {2023, "370202"},
				{2025, "370202"}, {2025, "370202"}, {2025, "370202"}, {2024, "370203"}} {
				submit(c.year, c.district)
			}
			// The same statements whatever the range: one for the versions (gorm renders the MAX(version)
			// subquery through the query callbacks in dry-run mode, so the counter sees it too) and one for their
			// data, which does not grow with the years or districts. The cache is off, so that each read decodes
			// every version it answers.
			s.SetReportCache(0)
			queries := func(from, to int) int64 {
				before := s.Queries()
				if _, err := s.ReportSubmissions(ctx, store.NewestVersions, "", from, to); err != nil {
					t.Fatal(err)
				}
				return s.Queries() - before
			}
			if few, many := queries(2025, 2025), queries(2000, 2100); few != many || many > 3 {
				t.Errorf("ReportSubmissions ran %d queries for one year, %d for a century", few, many)
			}
			s.SetReportCache(store.DefaultReportCache)
			subs, err := s.ReportSubmissions(ctx, store.NewestVersions, "", 2024, 2025)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, sub := range subs {
				got = append(got,
					fmt.Sprintf("%s/%d/v%d/%s/%s", sub.DistrictCode, sub.Year, sub.Version, sub.Data.District.Name,
						sub.Evaluation.Standard))
			}
			want := []string{
				`370202/2025/v3/draft 8/e8`,
				`370203/2024/v1/draft 9/e9`,
				`370211/2024/v2/draft 2/e2`,
				`370211/2025/v1/draft 3/e3`,
			}
			if !slices.Equal(got, want) {
				t.Errorf("ReportSubmissions(all, 2024, 2025) =\n%v\nwant\n%v", got, want)
			}
			one, err := s.ReportSubmissions(ctx, store.NewestVersions, "370211", 2025, 2030)
			if err != nil || len(one) != 2 || one[0].DistrictCode != "370211" || one[0].Year != 2025 ||
				one[1].DistrictCode != "370211" || one[1].Year != 2026 || one[1].Verdict != "meets" {
				t.Errorf("ReportSubmissions(370211, 2025, 2030) = %+v, %v", one, err)
			}

			loc := time.UTC
			for _, c := range []struct {
				year     int
				district string
			}{{2025, "370211"}, {2024, "370211"}, {2025, "370202"}, {2023, "370202"}} {
				d := time.Date(c.year, 12, 31, 0, 0, 0, 0, loc)
				row := &store.Cycle{Year: c.year, DistrictCode: c.district, Stage: "rectification",
					SelfAssessmentDeadline: d, CityReviewDeadline: d, ApplicationDeadline: d,
					State: workflows.CycleState{Year: c.year, District: c.district, DistrictName: "big"}, UpdatedAt: d}
				if err := s.RecordCycle(ctx, row, nil); err != nil {
					t.Fatal(err)
				}
			}
			cs, err := s.CyclesBetween(ctx, "", 2024, 2025)
			got = nil
			for _, c := range cs {
				got = append(got, fmt.Sprintf("%s/%d/%s/%q", c.DistrictCode, c.Year, c.Stage, c.State.DistrictName))
			}
			if want := []string{
				`370202/2025/rectification/""`, `370211/2024/rectification/""`, `370211/2025/rectification/""`,
			}; err != nil || !slices.Equal(got, want) {
				t.Errorf("CyclesBetween(all, 2024, 2025) = %v, %v; want %v", got, err, want)
			}
			cs, err = s.CyclesBetween(ctx, "370202", 2020, 2030)
			if err != nil || len(cs) != 2 || cs[0].Year != 2023 || cs[1].Year != 2025 {
				t.Errorf("CyclesBetween(370202) = %+v, %v", cs, err)
			}
		})
	}
}

func TestTalkCountsAndCycleYears(t *testing.T) {
	for dialect, s := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			if first, last, err := s.CycleYears(ctx); err != nil || first != 0 || last != 0 {
				t.Fatalf("no cycles: %d–%d, %v", first, last, err)
			}
			now := time.Now().UTC()
			for _, e := range []store.AuditEvent{
				{At: now.AddDate(0, -2, 0), Action: "talk", DistrictCode: "370211", Outcome: "ok"},
				{At: now.AddDate(0, -1, 0), Action: "circular", DistrictCode: "370211", Outcome: "ok"},
				{At: now.AddDate(-2, 0, 0), Action: "talk", DistrictCode: "370211", Outcome: "ok"}, // too long ago
				// the API's refused request
				{At: now, Action: "record_talk", DistrictCode: "370202", Outcome: "refused"},
				{At: now, Action: "talk", DistrictCode: "370202", Outcome: "refused"},              // not held
				{At: now, Action: "circular", DistrictCode: "370202", Outcome: "ok", Actor: "督导办"}, // held
			} {
				e.Role = "office"
				if err := s.AppendAudit(ctx, &e); err != nil {
					t.Fatal(err)
				}
			}
			counts, err := s.TalkCounts(ctx, now.AddDate(-1, 0, 0), now.Add(time.Second))
			if err != nil {
				t.Fatal(err)
			}
			if a, b := counts["370211"], counts["370202"]; a.Talks != 1 || a.Circulars != 1 || b.Talks != 0 ||
				b.Circulars != 1 || len(counts) != 2 {
				t.Errorf("talk counts %+v", counts)
			}
			if old, err := s.TalkCounts(ctx, now.AddDate(-3, 0, 0), now.AddDate(-1, 0, 0)); err != nil ||
				old["370211"].Talks != 1 || len(old) != 1 {
				t.Errorf("talk counts of an earlier window %+v, %v", old, err)
			}
			for _, year := range []int{2024, 2026, 2025} {
				c := &store.Cycle{Year: year, DistrictCode: "370211", Stage: "self_assessment", UpdatedAt: now}
				if err := s.OpenCycle(ctx, c); err != nil {
					t.Fatal(err)
				}
			}
			if first, last, err := s.CycleYears(ctx); err != nil || first != 2024 || last != 2026 {
				t.Errorf("cycle years %d–%d, %v", first, last, err)
			}
		})
	}
}

// TestMigrationSixFindsTheReviewedVersion: a year reviewed before migration 6 gets, as the version it may publish,
// the newest one submitted by its last approval or passed acceptance in the audit trail.
func TestMigrationSixFindsTheReviewedVersion(t *testing.T) {
	atSchema(t, 5, func(t *testing.T, ctx context.Context, s *store.Store) {
		t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
		at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
		for _, c := range []struct {
			district, stage string
			versions        []int // submitted at these hours, as versions 1, 2, …
			events          map[string]int
		}{
			{"370211", "rectification", []int{1, 5}, map[string]int{"approve": 3}},
			{"370202", "province_review", []int{1, 5, 7}, map[string]int{"approve": 3, "acceptance": 8}},
			{"370203", "self_assessment", []int{1}, nil},
		} {
			if err := s.Exec(ctx, "INSERT INTO cycles (year, district_code, stage, self_assessment_deadline, "+
				"city_review_deadline, application_deadline, state, updated_at) "+
				"VALUES (2025, ?, ?, ?, ?, ?, '{}', ?)",
				c.district, c.stage, t0, t0, t0, t0); err != nil {
				t.Fatal(err)
			}
			for i, h := range c.versions {
				// The columns of step 5: today's Submission has more.
				if err := s.Exec(ctx, "INSERT INTO submissions (year, district_code, version, draft_id, data, "+
					"evaluation, verdict, late, submitted_by, submitted_at) "+
					"VALUES (2025, ?, ?, ?, '{}', '{}', 'meets', FALSE, 'clerk', ?)",
					c.district, i+1, i+1, at(h)); err != nil {
					t.Fatal(err)
				}
			}
			for action, h := range c.events {
				detail := ""
				if action == "acceptance" {
					detail = "passed"
				}
				// The columns of step 5: today's AuditEvent has more.
				if err := s.Exec(ctx, "INSERT INTO audit_events (at, actor, role, district_code, action, target, "+
					"outcome, detail) VALUES (?, 'office', 'office', ?, ?, ?, 'ok', ?)",
					at(h), c.district, action, "cycle:2025:"+c.district, detail); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		for district, want := range map[string]int{"370211": 1, "370202": 3, "370203": 0} {
			if c, err := s.Cycle(ctx, 2025, district); err != nil || c.ReviewedVersion != want {
				t.Errorf("%s: reviewed version %d, %v; want %d", district, c.ReviewedVersion, err, want)
			}
		}
		subs, err := s.ReportSubmissions(ctx, store.ReviewedVersions, "", 2025, 2025)
		if err != nil || len(subs) != 2 || subs[0].DistrictCode != "370202" || subs[0].Version != 3 ||
			subs[1].Version != 1 {
			t.Errorf("reviewed submissions: %+v, %v", subs, err)
		}
		// The run approved before this release knows no reviewed version (0 in its state): its next write,
		// a resubmission in rectification, keeps the one found; its next approval sets its own.
		for i, reviewed := range []int{0, 2} {
			row := &store.Cycle{Year: 2025, DistrictCode: "370211", Stage: "rectification",
				ReviewedVersion: reviewed, UpdatedAt: at(10 + i),
				Written: store.Written{RecordTime: at(10 + i).UnixNano(), RecordSeq: 1}}
			if err := s.RecordCycle(ctx, row, nil); err != nil {
				t.Fatal(err)
			}
			want := max(1, reviewed)
			if c, err := s.Cycle(ctx, 2025, "370211"); err != nil || c.ReviewedVersion != want {
				t.Errorf("after a write of reviewed version %d: %d, %v; want %d", reviewed, c.ReviewedVersion,
					err, want)
			}
		}
	})
}

func TestSessions(t *testing.T) {
	for dialect, s := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			now := time.Now().UTC()
			old := &store.Session{IDHash: "old", TokenID: 1, Name: "clerk", Role: "district", CSRF: "c",
				CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(-time.Minute)}
			if err := s.CreateSession(ctx, old); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Session(ctx, "old"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("an expired session was found: %v", err)
			}
			live := &store.Session{IDHash: "live", TokenID: 1, Name: "clerk", Role: "district", UnitCode: "370211",
				CSRF: "c", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
			if err := s.CreateSession(ctx, live); err != nil {
				t.Fatal(err)
			}
			if rows, err := s.Sessions(ctx); err != nil || rows != 1 {
				t.Errorf("%d sessions after a sign-in swept the expired one (%v), want 1", rows, err)
			}
			if err := s.SetSessionFlash(ctx, "live", `{"Form":"edit"}`); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Session(ctx, "live"); err != nil || got.UnitCode != "370211" ||
				got.Flash != `{"Form":"edit"}` || got.CSRF != "c" {
				t.Errorf("%+v %v", got, err)
			}
			if err := s.ExtendSession(ctx, "live", now.Add(-time.Second)); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Session(ctx, "live"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a session past its new expiry was found: %v", err)
			}
			if err := s.ExtendSession(ctx, "live", now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteSession(ctx, "live"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Session(ctx, "live"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a signed-out session was found: %v", err)
			}
		})
	}
}

func TestLatestEvaluations(t *testing.T) {
	for dialect, s := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			for i, sub := range []store.Submission{
				{Year: 2025, DistrictCode: "370211", DraftID: 1, Evaluation: evaluation.Result{Standard: "v1"}},
				{Year: 2025, DistrictCode: "370211", DraftID: 2, Evaluation: evaluation.Result{Standard: "v2"}},
				{Year: 2025, DistrictCode: "370202", DraftID: 3, Evaluation: evaluation.Result{Standard: "v3"}},
				{Year: 2024, DistrictCode: "370203", DraftID: 4, Evaluation: evaluation.Result{Standard: "v4"}},
			} {
				sub.SubmittedAt = time.Now().UTC().Add(time.Duration(i) * time.Second)
				if err := s.Submit(ctx, &sub); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.LatestEvaluations(ctx, 2025)
			standards := map[string]string{}
			for code, res := range got {
				standards[code] = res.Standard
			}
			want := map[string]string{"370211": "v2", "370202": "v3"}
			if err != nil || !maps.Equal(standards, want) {
				t.Errorf("%v %v, want %v", standards, err, want)
			}
		})
	}
}

// TestJSONColumns: the typed JSON columns hold the JSON text earlier releases wrote, json.Marshal of the same
// values, and a value not there yet (nil) is ” in its NOT NULL column, as it was, never NULL.
func TestJSONColumns(t *testing.T) {
	for dialect, s := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			stored := func(query string, args ...any) string {
				t.Helper()
				v, err := s.Text(ctx, query, args...)
				if err != nil || v == nil {
					t.Fatalf("%s: %v, %v", query, v, err)
				}
				return *v
			}
			marshal := func(v any) string {
				t.Helper()
				data, err := json.Marshal(v)
				if err != nil {
					t.Fatal(err)
				}
				return string(data)
			}
			in := evaluation.Input{District: evaluation.District{Code: "370211", Name: "黄岛区"}, Year: 2025}
			d := &store.Draft{Year: 2025, DistrictCode: "370211", Data: in, CreatedBy: "clerk", CreatedAt: time.Now()}
			if err := s.AddDraft(ctx, d); err != nil {
				t.Fatal(err)
			}
			if got := stored("SELECT evaluation FROM drafts WHERE id = ?", d.ID); got != "" {
				t.Errorf("a draft not evaluated holds %q, want ''", got)
			}
			if got, want := stored("SELECT data FROM drafts WHERE id = ?", d.ID), marshal(in); got != want {
				t.Errorf("data %s, want %s", got, want)
			}
			if got, err := s.Draft(ctx, d.ID); err != nil || got.Evaluation != nil || got.Data.District != in.District {
				t.Fatalf("a draft not evaluated: %+v, %v", got, err)
			}
			res := evaluation.Result{Verdict: evaluation.Meets, Year: 2025,
				Shortfalls: []evaluation.Shortfall{{ID: "s1"}, {ID: "s2"}}}
			if err := s.SetDraftEvaluation(ctx, d.ID, res); err != nil {
				t.Fatal(err)
			}
			if got, want := stored("SELECT evaluation FROM drafts WHERE id = ?", d.ID), marshal(res); got != want {
				t.Errorf("evaluation %s, want %s", got, want)
			}
			got, err := s.Draft(ctx, d.ID)
			if err != nil || got.Evaluation == nil || got.Evaluation.Verdict != evaluation.Meets ||
				got.Verdict != string(evaluation.Meets) || got.Shortfalls != 2 {
				t.Fatalf("an evaluated draft: %+v, %v", got, err)
			}
			if err := s.SetDraftEvaluation(ctx, d.ID+1, res); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("an unknown draft: %v, want ErrNotFound", err)
			}

			f := store.Finding{ID: "finding:2025:370211:1", Year: 2025, DistrictCode: "370211", Seq: 1, Title: "t",
				Source: "on_site", Severity: "normal", Status: "open", CreatedAt: time.Now(), UpdatedAt: time.Now()}
			if err := s.CreateFindings(ctx, []store.Finding{f}); err != nil {
				t.Fatal(err)
			}
			if got := stored("SELECT state FROM findings WHERE id = ?", f.ID); got != "" {
				t.Errorf("a finding not recorded by its workflow holds %q, want ''", got)
			}
			if got, err := s.Finding(ctx, f.ID); err != nil || got.State != nil {
				t.Fatalf("a finding not recorded by its workflow: %+v, %v", got, err)
			}
			st := workflows.ItemState{ID: f.ID, Year: 2025, District: "370211", Seq: 1, Title: "t", Talks: 1}
			f.State, f.Talks, f.Written = &st, 1, store.Written{RecordSeq: 1}
			if err := s.RecordFinding(ctx, &f, nil); err != nil {
				t.Fatal(err)
			}
			if got, want := stored("SELECT state FROM findings WHERE id = ?", f.ID), marshal(st); got != want {
				t.Errorf("state %s, want %s", got, want)
			}
			if got, err := s.Finding(ctx, f.ID); err != nil || got.State == nil || got.State.Talks != 1 {
				t.Fatalf("a recorded finding: %+v, %v", got, err)
			}
		})
	}
}

// TestCorruptJSONColumns: a stored JSON value that does not decode, badly formed or of the wrong type, answers
// ErrCorrupt from every read of its row, naming the decoding error.
func TestCorruptJSONColumns(t *testing.T) {
	for dialect, s := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			now := time.Now().UTC()
			d := &store.Draft{Year: 2025, DistrictCode: "370211", CreatedBy: "clerk", CreatedAt: now}
			sub := &store.Submission{Year: 2025, DistrictCode: "370211", DraftID: 1, SubmittedAt: now}
			f := store.Finding{ID: "finding:2025:370211:1", Year: 2025, DistrictCode: "370211", Seq: 1,
				Severity: "serious", Status: "open", CreatedAt: now, UpdatedAt: now}
			for _, err := range []error{
				s.AddDraft(ctx, d),
				s.Submit(ctx, sub),
				s.RecordCycle(ctx, &store.Cycle{Year: 2025, DistrictCode: "370211", ReviewedVersion: 1}, nil),
				s.RecordPlan(ctx, &store.Plan{DistrictCode: "370211"},
					[]store.PlanVersion{{DistrictCode: "370211", Version: 1, Status: "approved"}}, nil),
				s.CreateFindings(ctx, []store.Finding{f}),
			} {
				if err != nil {
					t.Fatal(err)
				}
			}
			const syntax, wrongType = `{"year":`, `{"year":"2025","district":1,"target_year":"2027"}`
			for _, update := range []string{
				"UPDATE drafts SET data = '" + syntax + "'",
				"UPDATE submissions SET evaluation = '" + wrongType + "'",
				"UPDATE cycles SET state = '" + syntax + "'",
				"UPDATE plans SET state = '" + wrongType + "'",
				"UPDATE plan_versions SET plan = '" + wrongType + "'",
				"UPDATE findings SET state = '" + syntax + "'",
			} {
				if err := s.Exec(ctx, update); err != nil {
					t.Fatal(err)
				}
			}
			// Off, so that the reports' read decodes the stored row rather than answer from the cache.
			s.SetReportCache(0)
			for name, read := range map[string]func() error{
				"Draft":             func() error { _, err := s.Draft(ctx, d.ID); return err },
				"Submission":        func() error { _, err := s.Submission(ctx, 2025, "370211", 1); return err },
				"LatestSubmission":  func() error { _, err := s.LatestSubmission(ctx, 2025, "370211"); return err },
				"Submit, again":     func() error { again := *sub; return s.Submit(ctx, &again) },
				"LatestEvaluations": func() error { _, err := s.LatestEvaluations(ctx, 2025); return err },
				"ReportSubmissions": func() error {
					_, err := s.ReportSubmissions(ctx, store.NewestVersions, "", 2025, 2025)
					return err
				},
				"ReportSubmissions, reviewed": func() error {
					_, err := s.ReportSubmissions(ctx, store.ReviewedVersions, "", 2025, 2025)
					return err
				},
				"Cycle":               func() error { _, err := s.Cycle(ctx, 2025, "370211"); return err },
				"Plan":                func() error { _, err := s.Plan(ctx, "370211"); return err },
				"PlanVersions":        func() error { _, err := s.PlanVersions(ctx, "370211"); return err },
				"ApprovedPlans":       func() error { _, err := s.ApprovedPlans(ctx); return err },
				"Finding":             func() error { _, err := s.Finding(ctx, f.ID); return err },
				"FindingsByID":        func() error { _, err := s.FindingsByID(ctx, []string{f.ID}); return err },
				"OpenSeriousFindings": func() error { _, err := s.OpenSeriousFindings(ctx, "370211"); return err },
				"Findings":            func() error { _, _, err := s.Findings(ctx, store.FindingFilter{}); return err },
			} {
				err := read()
				var syntaxErr *json.SyntaxError
				var typeErr *json.UnmarshalTypeError
				if !errors.Is(err, store.ErrCorrupt) || !(errors.As(err, &syntaxErr) || errors.As(err, &typeErr)) {
					t.Errorf("%s: %v, want ErrCorrupt wrapping the decoding error", name, err)
				}
			}
			// The lists that leave the state out still read.
			if cs, err := s.Cycles(ctx, 2025); err != nil || len(cs) != 1 {
				t.Errorf("Cycles: %+v, %v", cs, err)
			}
		})
	}
}

// TestDraftStoredOncePerRequest: a request sent again finds the draft it stored; another request, or one without
// a key, stores its own.
func TestDraftStoredOncePerRequest(t *testing.T) {
	for dialect, s := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			add := func(key string) int64 {
				t.Helper()
				d := &store.Draft{Year: 2025, DistrictCode: "370211", CreatedBy: "clerk", CreatedAt: time.Now(),
					Data: evaluation.Input{Year: 2025}, RequestKey: key}
				if err := s.AddDraft(ctx, d); err != nil {
					t.Fatal(err)
				}
				return d.ID
			}
			first := add("7:save-1")
			if again := add("7:save-1"); again != first {
				t.Errorf("the request sent again stored draft %d beside %d", again, first)
			}
			other, none, none2 := add("7:save-2"), add(""), add("")
			if other == first || none == first || none2 == none {
				t.Errorf("drafts %d, %d, %d, %d: want a new one for each other request", first, other, none, none2)
			}
		})
	}
}
