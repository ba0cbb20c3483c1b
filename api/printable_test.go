package api

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"junheng/evaluation/excel"
	"junheng/store"
	"junheng/store/storetest"
	"junheng/vocab"
)

// TestPrintablePagesMoved: the pages print the bulletin and the multi-year reports, so ?format=html sends a browser
// there (303 See Other, with the years asked for) after the checks it passed before; JSON and the workbooks are as
// they were.
func TestPrintablePagesMoved(t *testing.T) {
	db := storetest.Open(t)[store.SQLite]
	e, office := seeded(t, db, 2)
	clerk := token(t, db, vocab.RoleDistrict, "370201")
	for _, c := range []struct{ token, path, page string }{
		{office, "/api/v1/cycles/2025/bulletin?format=html", "/bulletin?year=2025&print=1"},
		{office, "/api/v1/progress?format=html", "/progress"},
		{office, "/api/v1/progress?from=2024&to=2025&format=html", "/progress?from=2024&to=2025"},
		{office, "/api/v1/districts/370200/progress?format=html&to=2025", "/progress?district=370200&to=2025"},
		{clerk, "/api/v1/districts/370201/progress?format=html", "/progress?district=370201"},
	} {
		rec := get(e, c.token, c.path)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != c.page {
			t.Errorf("%s: %d to %q, want 303 to %s", c.path, rec.Code, rec.Header().Get("Location"), c.page)
		}
	}
	for path, status := range map[string]int{
		"/api/v1/cycles/2024/bulletin?format=html":           http.StatusNotFound, // no such year
		"/api/v1/progress?from=2026&to=2025&format=html":     http.StatusUnprocessableEntity,
		"/api/v1/districts/370299/progress?format=html":      http.StatusNotFound,
		"/api/v1/districts/370200/progress?format=html&to=x": http.StatusUnprocessableEntity,
	} {
		if rec := get(e, office, path); rec.Code != status {
			t.Errorf("%s: %d, want %d", path, rec.Code, status)
		}
	}
	if rec := get(e, clerk, "/api/v1/districts/370200/progress?format=html"); rec.Code != http.StatusNotFound {
		t.Errorf("another district's report: %d", rec.Code)
	}

	// JSON: the bulletin has the fields it had before its type moved to package report.
	var b map[string]any
	rec := get(e, office, "/api/v1/cycles/2025/bulletin")
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("bulletin: %d %s", rec.Code, rec.Body)
	}
	rows, _ := b["rows"].([]any)
	if got := keys(b); got != "certified districts generated_at meeting meeting_share rows stages target "+
		"target_met year" || len(rows) != 2 || keys(rows[0].(map[string]any)) != "district district_name findings "+
		"late overdue short_indicators stage verdict" {
		t.Errorf("bulletin fields: %s; rows %v", got, rows)
	}
	for _, path := range []string{"/api/v1/progress", "/api/v1/districts/370200/progress"} {
		rec := get(e, office, path)
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") ||
			!strings.Contains(rec.Body.String(), `"from":2025,"to":2025`) {
			t.Errorf("%s: %d %s", path, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
	for path, name := range map[string]string{
		"/api/v1/cycles/2025/bulletin?format=xlsx":      "bulletin-2025.xlsx",
		"/api/v1/progress?format=xlsx":                  "progress-city-2025-2025.xlsx",
		"/api/v1/districts/370200/progress?format=xlsx": "progress-370200-2025-2025.xlsx",
	} {
		rec := get(e, office, path)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != excel.ContentType ||
			!strings.Contains(rec.Header().Get("Content-Disposition"), `filename="`+name+`"`) ||
			!strings.HasPrefix(rec.Body.String(), "PK") {
			t.Errorf("%s: %d %v", path, rec.Code, rec.Header())
		}
	}
}

func keys(m map[string]any) string { return strings.Join(slices.Sorted(maps.Keys(m)), " ") }
