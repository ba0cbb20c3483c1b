package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"junheng/progress"
)

// TestPublicSummaryShowsOnlyWhatTheOfficeAccepted: a district in rectification submits data that meets the
// standard; until the office accepts it (a passed acceptance), the public page shows the version it reviewed.
func TestPublicSummaryShowsOnlyWhatTheOfficeAccepted(t *testing.T) {
	cfg := testConfig(t, t.TempDir(), "")
	cfg.Policy = filepath.Join(t.TempDir(), "policy.yaml")
	policy := "public: {enabled: true, sections: [city_targets, district_results]}\n"
	if err := os.WriteFile(cfg.Policy, []byte(policy), 0o600); err != nil {
		t.Fatal(err)
	}
	p := start(t, cfg)
	defer p.Close()
	office, clerk := openOneDistrict(t, p, time.Hour)
	cycle := "/api/v1/cycles/2025/districts/" + codeA
	clerk.ok("PUT", cycle+"/self-assessment", sampleJSON(t, codeA, dropRecognition), nil)
	clerk.ok("POST", cycle+"/self-assessment/submit", nil, nil)
	office.ok("POST", cycle+"/review", map[string]any{"decision": "approve", "comment": "整改",
		"shortfalls": []string{}}, nil)
	clerk.ok("PUT", cycle+"/self-assessment", sampleJSON(t, codeA, noEdit), nil)
	clerk.ok("POST", cycle+"/self-assessment/submit", nil, nil)

	var summary progress.PublicSummary
	httpClient{t: t, base: clerk.base}.ok("GET", "/public/summary?format=json", nil, &summary)
	if len(summary.Results) != 1 || summary.Results[0].Meets || len(summary.Years) == 0 ||
		summary.Years[len(summary.Years)-1].Meeting != 0 {
		t.Errorf("the public page shows a version the office never reviewed: %+v", summary)
	}
}

// TestMetricsOnlyOnTheirOwnListener: /metrics is not on the public listener, but on JUNHENG_METRICS_ADDR.
func TestMetricsOnlyOnTheirOwnListener(t *testing.T) {
	cfg := testConfig(t, t.TempDir(), "")
	cfg.MetricsAddr = "127.0.0.1:0"
	p := start(t, cfg)
	defer p.Close()
	if r := (httpClient{t: t, base: "http://" + p.Addr.String()}).do("GET", "/metrics", nil); r.status != 404 {
		t.Errorf("/metrics on the public listener: %d", r.status)
	}
	r := httpClient{t: t, base: "http://" + p.MetricsAddr.String()}.do("GET", "/metrics", nil)
	if r.status != 200 || !strings.Contains(string(r.body), "junheng_http_request_duration_seconds") {
		t.Errorf("/metrics on its own listener: %d", r.status)
	}
}
