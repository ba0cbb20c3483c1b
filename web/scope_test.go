package web

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"junheng/store"
	"junheng/usecase"
)

// TestPagesKeepToTheCity: a city's office reads its city's districts on every page that names a district, and
// another city's answer as unknown (404) or are left out of its lists; the province reads both.
func TestPagesKeepToTheCity(t *testing.T) {
	db := seededStore(t)
	ctx := context.Background()
	if err := db.SaveOrganisation(ctx, store.Organisation{
		Provinces: []store.Province{{Code: "370000", Name: "山东省"}},
		Cities: []store.City{{Code: "370200", Name: "青岛市", ProvinceCode: "370000"},
			{Code: "370100", Name: "济南市", ProvinceCode: "370000"}},
		Districts: []store.District{{Code: "370211", Name: "黄岛区", CityCode: "370200"},
			{Code: "370202", Name: "市南区", CityCode: "370100"}},
	}, &store.AuditEvent{Actor: "t", Role: "admin", Action: "import_organisation", Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	for name, unit := range map[string]string{"qingdao": "370200", "jinan": "370100", "shandong": "370000"} {
		role := "office"
		if name == "shandong" {
			role = "province"
		}
		tok := store.Token{Name: name, Role: role, UnitCode: unit, Hash: usecase.HashToken(name),
			CreatedAt: time.Now().UTC()}
		if err := db.CreateToken(ctx, &tok, nil); err != nil {
			t.Fatal(err)
		}
	}
	srv, _, _ := newSite(t, Options{Store: db})
	pages := []string{"/office/district?year=2025&code=370211", "/plan?code=370211",
		"/progress?district=370211", "/finding?id=finding:2025:370211:1",
		"/download/progress.xlsx?district=370211"}
	lists := map[string]string{"/office?year=2025": "黄岛区", "/ledger?year=2025": "功能室不足",
		"/bulletin?year=2025": "黄岛区"}
	for who, reaches := range map[string]bool{"qingdao": true, "jinan": false, "shandong": true} {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		signIn(t, srv.URL, c, who)
		for _, p := range pages {
			resp, _ := fetch(t, c, "GET", srv.URL+p, nil)
			if want := map[bool]int{true: 200, false: 404}[reaches]; resp.StatusCode != want {
				t.Errorf("%s: %s answers %d, want %d", who, p, resp.StatusCode, want)
			}
		}
		for p, mark := range lists {
			resp, page := fetch(t, c, "GET", srv.URL+p, nil)
			if resp.StatusCode != http.StatusOK || strings.Contains(page, mark) != reaches {
				t.Errorf("%s: %s answers %d, shows %s: %v, want %v", who, p, resp.StatusCode, mark,
					strings.Contains(page, mark), reaches)
			}
		}
	}
}
