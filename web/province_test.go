package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"junheng/progress"
	"junheng/store"
	"junheng/store/storetest"
	"junheng/usecase"
	"junheng/vocab"
	"junheng/workflows"
)

// provinceSite serves a province of n cities (370100, 370200, …), each with three districts: one waiting for the
// province (37xx01), one certified (37xx02) and one whose 2025 year is not opened (37xx03). Jinan (370100) has
// its own target of 30% for 2025, the province's is 50%: a third certified meets the one, not the other. The
// tokens "province" (of 370000) and "officer" (of Jinan) sign in.
func provinceSite(t *testing.T, n int) (*httptest.Server, *http.Client, *store.Store) {
	t.Helper()
	db, ctx, now := storetest.SQLite(t), context.Background(), time.Now().UTC()
	org := store.Organisation{Provinces: []store.Province{{Code: "370000", Name: "山东省"}}}
	for i := range n {
		city := fmt.Sprintf("37%02d00", i+1)
		org.Cities = append(org.Cities, store.City{Code: city, Name: "市" + city, ProvinceCode: "370000"})
		for j := range 3 {
			code := fmt.Sprintf("37%02d%02d", i+1, j+1)
			org.Districts = append(org.Districts, store.District{Code: code, Name: "区" + code, CityCode: city})
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.SaveOrganisation(ctx, org, &store.AuditEvent{Actor: "t", Role: "admin", Action: "import"}))
	for _, tok := range []store.Token{{Name: "province", Role: "province", UnitCode: "370000"},
		{Name: "officer", Role: "office", UnitCode: "370100"}} {
		tok.Hash, tok.CreatedAt = usecase.HashToken(tok.Name), now
		must(db.CreateToken(ctx, &tok, nil))
	}
	for i := range n {
		for j, stage := range []vocab.CycleStage{vocab.StageProvinceReview, vocab.StageCertified} {
			must(db.RecordCycle(ctx, cycleRecord(workflows.CycleState{Year: 2025,
				District: fmt.Sprintf("37%02d%02d", i+1, j+1), Stage: stage}), nil))
		}
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	core := usecase.New(usecase.Deps{Store: db, Location: loc,
		Rules: progress.Rules{Targets: map[int]float64{2025: 0.5}},
		Cities: map[string]usecase.YearRules{
			"370100": {Progress: progress.Rules{Targets: map[int]float64{2025: 0.3}}}},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewServer(Mount(&fakeAPI{}, Options{Store: db, Core: core}))
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	return srv, &http.Client{Jar: jar}, db
}

// TestProvinceDashboardPage: the province lands on its dashboard, one row per city with the funnel, the waiting
// applications linking to the district's page (where it records its result) and the certified share against the
// city's target; without a year it shows the latest with cycles; a city's office may not see it.
func TestProvinceDashboardPage(t *testing.T) {
	srv, c, _ := provinceSite(t, 2)
	signIn(t, srv.URL, c, "province")
	if resp, _ := fetch(t, noRedirect(c), "GET", srv.URL+"/", nil); resp.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(resp.Header.Get("Location"), "/province?year=") {
		t.Errorf("the province's landing page: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, u := range []string{"/province?year=2025", "/province"} {
		resp, page := fetch(t, c, "GET", srv.URL+u, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d\n%s", u, resp.StatusCode, page)
		}
		jinan, qingdao, _ := strings.Cut(page[strings.Index(page, `data-city="370100"`):], `data-city="370200"`)
		if !strings.Contains(page, "2025 年度") || !strings.Contains(page, `href="/province?year=2025"`) {
			t.Errorf("%s: the year or the nav link to the page\n%s", u, page)
		}
		for _, want := range []string{`href="/office/district?year=2025&code=370101">区370101</a>`, "达到目标",
			"33.3% (1/3)",
			`<td class="stage-province_review">1</td>`, `<td class="stage-certified">1</td>`} {
			if !strings.Contains(jinan, want) {
				t.Errorf("%s: Jinan's row lacks %s\n%s", u, want, jinan)
			}
		}
		if !strings.Contains(qingdao, "未达目标") || !strings.Contains(qingdao, "code=370201") ||
			!strings.Contains(qingdao, "33.3% (2/6)") { // the province's total, against its own target
			t.Errorf("%s: Qingdao's row and the total\n%s", u, qingdao)
		}
	}
	if resp, page := fetch(t, c, "GET", srv.URL+"/office/district?year=2025&code=370101", nil); resp.StatusCode !=
		http.StatusOK || !strings.Contains(page, `id="decision-province"`) {
		t.Errorf("the waiting application's page: %d\n%s", resp.StatusCode, page)
	}
	if resp, page := fetch(t, c, "GET", srv.URL+"/province?year=2030", nil); resp.StatusCode != http.StatusOK ||
		!strings.Contains(page, "该年度尚未开启") {
		t.Errorf("a year not opened: %d\n%s", resp.StatusCode, page)
	}

	jar, _ := cookiejar.New(nil)
	office := &http.Client{Jar: jar}
	signIn(t, srv.URL, office, "officer")
	if resp, _ := fetch(t, office, "GET", srv.URL+"/province", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a city's office reads the province's dashboard: %d", resp.StatusCode)
	}
}

// TestProvinceDashboardDoesNotGrowWithTheCities: the page reads as many statements for 2 cities as for 12.
func TestProvinceDashboardDoesNotGrowWithTheCities(t *testing.T) {
	counts := map[int]int64{}
	for _, n := range []int{2, 12} {
		srv, c, db := provinceSite(t, n)
		signIn(t, srv.URL, c, "province")
		before := db.Queries()
		if resp, page := fetch(t, c, "GET", srv.URL+"/province?year=2025", nil); resp.StatusCode != http.StatusOK ||
			strings.Count(page, "data-city=") != n {
			t.Fatalf("%d cities: %d\n%s", n, resp.StatusCode, page)
		}
		counts[n] = db.Queries() - before
	}
	t.Logf("%d statements for 2 cities, %d for 12", counts[2], counts[12])
	if counts[2] != counts[12] || counts[2] > 12 {
		t.Errorf("%d statements for 2 cities, %d for 12", counts[2], counts[12])
	}
}
