package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"junheng/progress"
	"junheng/store"
	"junheng/store/storetest"
	"junheng/usecase"
	"junheng/vocab"
	"junheng/workflows"
)

// seeded builds the API over db with n districts in the 2025 cycle, each with a submission and two findings, and
// returns it with an office token; with, if given, changes the API's dependencies.
func seeded(t testing.TB, db *store.Store, n int, with ...func(*Deps)) (*echo.Echo, string) {
	t.Helper()
	ctx := context.Background()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Now().UTC()
	for i := range n {
		code := fmt.Sprintf("%d", 370200+i)
		d := workflows.DefaultCalendar.Deadlines(2025, loc)
		steps := []error{
			db.CreateDistrict(ctx, &store.District{Code: code, Name: "区" + code}),
			db.RecordCycle(ctx, &store.Cycle{Year: 2025, DistrictCode: code, Stage: "rectification",
				SelfAssessmentDeadline: d.SelfAssessment, CityReviewDeadline: d.CityReview,
				ApplicationDeadline: d.Application, Verdict: "does_not_meet", UpdatedAt: now}, nil),
			db.Submit(ctx, &store.Submission{Year: 2025, DistrictCode: code, DraftID: int64(i + 1),
				Verdict: "does_not_meet", ShortfallKeys: "sports_area_per_student",
				SubmittedBy: "clerk", SubmittedAt: now}),
			db.CreateFindings(ctx, []store.Finding{
				{ID: vocab.FindingID(2025, code, 1), Year: 2025, DistrictCode: code, Seq: 1, Title: "t",
					Source: "on_site", Severity: "normal", Status: "open", CreatedAt: now, UpdatedAt: now,
					State: &workflows.ItemState{Status: vocab.ItemOpen}},
				{ID: vocab.FindingID(2025, code, 2), Year: 2025, DistrictCode: code, Seq: 2, Title: "t",
					Source: "on_site", Severity: "serious", Status: "closed", CreatedAt: now, UpdatedAt: now,
					State: &workflows.ItemState{Status: vocab.ItemClosed}},
			}),
		}
		for _, err := range steps {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	d := Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: prometheus.NewRegistry(), Store: db,
		Location: loc, Calendar: workflows.DefaultCalendar, Policy: workflows.DefaultPolicy(),
		Rules: progress.DefaultRules()}
	for _, w := range with {
		w(&d)
	}
	e := New(d)
	tok, err := usecase.IssueToken(ctx, db, usecase.TokenRequest{Role: vocab.RoleOffice, Name: "office"})
	if err != nil {
		t.Fatal(err)
	}
	return e, tok.Token
}

func get(e *echo.Echo, token, path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

// TestListsDoNotGrowWithTheCity checks the city-wide reads run the same number of statements for 3 districts as
// for 30: no statement per district (no N+1).
func TestListsDoNotGrowWithTheCity(t *testing.T) {
	for dialect := range storetest.Open(t) {
		t.Run(string(dialect), func(t *testing.T) {
			// The most statements each read may run, whatever the number of districts (the multi-year reports
			// read the districts, cycles, submissions, plans and finding or talk counts once each, and the
			// submissions' data and evaluations once more).
			most := map[string]int64{
				"/api/v1/cycles/2025": 6, "/api/v1/cycles/2025/bulletin": 6, "/api/v1/findings?year=2025": 6,
				"/api/v1/cycles/2025/bulletin?format=xlsx": 6, "/api/v1/progress": 8, "/api/v1/progress?format=xlsx": 8,
				"/api/v1/accountability": 11, "/api/v1/districts/370200/progress": 10,
			}
			counts := map[int]map[string]int64{}
			for _, n := range []int{3, 30} {
				db := storetest.Open(t)[dialect]
				db.SetReportCache(0) // every read decodes, as the first after a start does: the most statements
				e, token := seeded(t, db, n)
				counts[n] = map[string]int64{}
				for path := range most {
					before := db.Queries()
					if rec := get(e, token, path); rec.Code != http.StatusOK {
						t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
					}
					counts[n][path] = db.Queries() - before
				}
			}
			for path, small := range counts[3] {
				if big := counts[30][path]; big != small || small > most[path] {
					t.Errorf("%s: %d statements for 3 districts, %d for 30", path, small, big)
				}
			}
		})
	}
}

// TestHostileInputIsRefusedCleanly sends what an attacker or a broken client might: nothing reaches the store.
func TestHostileInputIsRefusedCleanly(t *testing.T) {
	db := storetest.Open(t)[store.SQLite]
	e, token := seeded(t, db, 1)
	send := func(method, path, contentType string, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec
	}
	cases := []struct {
		name, method, path, body string
		status                   int
	}{
		{"deeply nested JSON", "POST", "/api/v1/districts", strings.Repeat("[", 100000), 422},
		{"invalid UTF-8", "POST", "/api/v1/districts", "{\"code\":\"370299\",\"name\":\"\xff\xfe\"}", 422},
		{"unknown field", "POST", "/api/v1/districts", `{"code":"370299","name":"x","admin":true}`, 422},
		{"two objects", "POST", "/api/v1/districts", `{"code":"370299","name":"x"}{"code":"370298","name":"y"}`, 422},
		{"oversized", "POST", "/api/v1/districts", `{"name":"` + strings.Repeat("x", MaxBodyBytes) + `"}`, 413},
		{"SQL in a filter", "GET", "/api/v1/findings?district=370200'%20OR%201=1%20--", "", 422},
		{"SQL in a path", "GET", "/api/v1/cycles/2025/districts/370200'%20OR%20'1'='1", "", 404},
	}
	for _, c := range cases {
		rec := send(c.method, c.path, "application/json", c.body)
		if rec.Code != c.status || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s: %d %s, want %d as problem+json", c.name, rec.Code, rec.Header().Get("Content-Type"), c.status)
		}
	}
	ds, _ := db.Districts(context.Background(), "")
	if len(ds) != 1 {
		t.Errorf("hostile requests stored districts: %+v", ds)
	}
}

// FuzzBind feeds arbitrary bodies to every request decoder: each answers a value or a 422 naming the problem,
// never a panic.
func FuzzBind(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"decision":"approve","findings":[{"title":"x"}]}`, `{"year":2025,"deadlines":{}}`,
		`[`, `{"due_date":"2026-02-30"}`, "{\"note\":\"\xff\"}", `{"passed":"yes"}`,
	} {
		f.Add([]byte(seed))
	}
	e := echo.New()
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, decode := range []func(echo.Context) error{
			decodeAs[districtRequest], decodeAs[openCyclesRequest], decodeAs[reviewRequest], decodeAs[decisionRequest],
			decodeAs[planRequest], decodeAs[noteRequest], decodeAs[verifyRequest], decodeAs[extensionRequest],
			decodeAs[extensionDecisionRequest], decodeAs[talkRequest], decodeAs[usecase.TokenRequest],
		} {
			c := e.NewContext(httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body))),
				httptest.NewRecorder())
			if err := decode(c); err != nil {
				if p := toProblem(err); p.Status != http.StatusUnprocessableEntity {
					t.Fatalf("body %q: %v", body, err)
				}
			}
		}
	})
}

func decodeAs[T any](c echo.Context) error {
	_, err := bind[T](c)
	return err
}

// TestPublicSummaryIsOffByDefault: without the policy's consent the page does not exist; with it, it needs no
// token and shows only the sections named.
func TestPublicSummaryIsOffByDefault(t *testing.T) {
	db := storetest.Open(t)[store.SQLite]
	off, _ := seeded(t, db, 3)
	if rec := get(off, "", "/public/summary"); rec.Code != http.StatusNotFound {
		t.Errorf("the public summary by default: %d", rec.Code)
	}
	on := New(Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: prometheus.NewRegistry(),
		Store: db, Location: time.UTC, Rules: progress.DefaultRules(),
		Public: progress.Publication{Enabled: true, Title: "示范市", Sections: []string{progress.SectionCityTargets}}})
	for _, format := range []string{"html", "json"} {
		rec := get(on, "", "/public/summary?format="+format)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "示范市") {
			t.Errorf("the public summary as %s: %d %s", format, rec.Code, rec.Body)
		}
		for _, secret := range []string{"370200", "区370201"} {
			if strings.Contains(rec.Body.String(), secret) {
				t.Errorf("the public summary as %s shows %s", format, secret)
			}
		}
	}
}

// TestNothingAskedIsNothingMissed: a year without cycles flags no district, and the districts' reports show it
// as not due rather than missed.
func TestNothingAskedIsNothingMissed(t *testing.T) {
	db := storetest.Open(t)[store.SQLite]
	e, token := seeded(t, db, 2)
	var list usecase.AccountabilityList
	rec := get(e, token, "/api/v1/accountability?year=2019")
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || rec.Code != http.StatusOK || len(list.Rows) != 0 {
		t.Errorf("accountability of a year without cycles: %d %s", rec.Code, rec.Body)
	}
	var r progress.DistrictReport
	rec = get(e, token, "/api/v1/districts/370200/progress?from=2024&to=2025")
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil || len(r.Years) != 2 || !r.Years[0].Pending ||
		len(r.Years[0].Flags) != 0 || !r.Years[1].Submitted {
		t.Errorf("a district's report over a year without its cycle: %d %s", rec.Code, rec.Body)
	}
}
