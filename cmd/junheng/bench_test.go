package main

import (
	"encoding/json"
	"strings"
	"testing"

	"junheng/bench"
)

// TestBenchSmall runs the load command end to end at a size CI can afford: every district certified, the
// overdue finding escalated, no errors, and the JSON report last.
func TestBenchSmall(t *testing.T) {
	out, err := runCLI(t, t.TempDir(), "bench", "--districts", "3", "--findings", "2", "--concurrency", "3",
		"--overdue-after", "5s")
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var rep bench.Report
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil {
		t.Fatalf("last line is not the JSON report: %v\n%s", err, out)
	}
	if rep.Started != 3 || rep.Completed != 3 || rep.Errors != 0 || rep.Escalated != 1 ||
		rep.CeilingWorkflowsPerS <= 0 || rep.Ratio <= 0 || rep.Routes["verify"].Count != 6 || rep.P99MsActions <= 0 {
		t.Errorf("report: %+v", rep)
	}
}
