package workflows

import (
	"log/slog"
	"os"
	"testing"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
)

// TestReplay replays histories recorded from a real run (internal/app's integration test, with
// JUNHENG_RECORD_HISTORY=1). A change that would break running workflows fails here: guard it with
// workflow.GetVersion, and keep these files.
func TestReplay(t *testing.T) {
	logger := log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	for _, file := range []string{"testdata/cycle_history.json", "testdata/item_history.json"} {
		r := worker.NewWorkflowReplayer()
		r.RegisterWorkflow(DistrictCycle)
		r.RegisterWorkflow(RectificationItem)
		if err := r.ReplayWorkflowHistoryFromJSONFile(logger, file); err != nil {
			t.Errorf("%s: %v", file, err)
		}
	}
}
