package api

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"testing"

	"junheng/store"
)

// TestReportsFromTheCache: the reports answer the same with the store's cache of decoded submissions as without
// it, cold or warm, and leave the data and evaluations they share with the cache as they were decoded.
func TestReportsFromTheCache(t *testing.T) {
	e, token, db := cityOf(t, 2)
	answers := func() map[string]map[string]any {
		t.Helper()
		out := map[string]map[string]any{}
		for _, path := range []string{"/api/v1/progress", "/api/v1/districts/370201/progress",
			"/api/v1/accountability"} {
			rec := get(e, token, path)
			var body map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); rec.Code != http.StatusOK || err != nil {
				t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
			}
			for _, when := range []string{"generated_at", "talks_since", "talks_until"} { // now, not the data
				delete(body, when)
			}
			out[path] = body
		}
		return out
	}
	db.SetReportCache(0)
	want := answers()
	db.SetReportCache(store.DefaultReportCache)
	for _, pass := range []string{"cold", "warm"} {
		if got := answers(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s, the reports differ from those without the cache:\n%v\nwant\n%v", pass, got, want)
		}
	}
	ctx := context.Background()
	cached, err := db.ReportSubmissions(ctx, store.NewestVersions, "", 2021, 2025)
	if err != nil {
		t.Fatal(err)
	}
	db.SetReportCache(0)
	decoded, err := db.ReportSubmissions(ctx, store.NewestVersions, "", 2021, 2025)
	if err != nil || len(decoded) != 10 || !reflect.DeepEqual(cached, decoded) {
		t.Errorf("the reports changed what they share with the cache (%d submissions, %v)", len(decoded), err)
	}
}
