package workflows

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
)

// TestReplay replays histories recorded from real runs (internal/app's integration test, with
// JUNHENG_RECORD_HISTORY=1; the files without a version suffix predate the first workflow.GetVersion). A change
// that would break running workflows fails here: guard it with workflow.GetVersion, and keep every file.
func TestReplay(t *testing.T) {
	logger := log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	files, err := filepath.Glob("testdata/*_history*.json")
	if err != nil || len(files) < 4 {
		t.Fatalf("recorded histories: %v, %v", files, err)
	}
	for _, file := range files {
		r := worker.NewWorkflowReplayer()
		r.RegisterWorkflow(DistrictCycle)
		r.RegisterWorkflow(RectificationItem)
		r.RegisterWorkflow(CreationPlan)
		if err := r.ReplayWorkflowHistoryFromJSONFile(logger, file); err != nil {
			t.Errorf("%s: %v", file, err)
		}
	}
}
