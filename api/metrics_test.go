package api

import (
	"net/http"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"junheng/store"
	"junheng/store/storetest"
	"junheng/vocab"
)

// TestMetricsCountTheStatusAnswered: a request refused with a problem is counted under the status it was answered
// with (a district asking for the audit trail: 403), not under 200.
func TestMetricsCountTheStatusAnswered(t *testing.T) {
	db := storetest.Open(t)[store.SQLite]
	reg := prometheus.NewRegistry()
	e, office := seeded(t, db, 1, func(d *Deps) { d.Registry = reg })
	clerk := token(t, db, vocab.RoleDistrict, "370200")
	if rec := get(e, clerk, "/api/v1/audit"); rec.Code != http.StatusForbidden {
		t.Fatalf("a district reading the audit trail: %d", rec.Code)
	}
	if rec := get(e, office, "/api/v1/cycles/2025/districts/370299"); rec.Code != http.StatusNotFound {
		t.Fatalf("an unknown district: %d", rec.Code)
	}
	for _, series := range []struct{ route, status string }{
		{"/api/v1/audit", "403"}, {"/api/v1/cycles/:year/districts/:code", "404"}} {
		h, err := histogramCount(reg, series.route, series.status)
		if err != nil || h != 1 {
			t.Errorf("%s answered %s: counted %d (%v)", series.route, series.status, h, err)
		}
	}
}

// histogramCount is the number of observations of the request-duration series of route, GET and status.
func histogramCount(reg *prometheus.Registry, route, status string) (uint64, error) {
	families, err := reg.Gather()
	if err != nil {
		return 0, err
	}
	for _, f := range families {
		if f.GetName() != "junheng_http_request_duration_seconds" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["route"] == route && labels["method"] == "GET" && labels["status"] == status {
				return m.GetHistogram().GetSampleCount(), nil
			}
		}
	}
	return 0, nil
}
