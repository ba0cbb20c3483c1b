package workflows

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
)

// TestReplay replays histories recorded from real runs (internal/app's TestRecordHistories, with
// JUNHENG_RECORD_HISTORY=1; the files without a version suffix predate the first workflow.GetVersion). A change
// that would break running workflows fails here: guard it with workflow.GetVersion, and keep every file.
func TestReplay(t *testing.T) {
	replayAll(t)
}

// TestReplayWithStricterValidators: validators may change between releases, since Temporal skips them on replay:
// with a rule that would refuse almost every recorded Update, every history still replays.
func TestReplayWithStricterValidators(t *testing.T) {
	defer func(was int) { maxText = was }(maxText)
	maxText = 1
	replayAll(t)
}

func replayAll(t *testing.T) {
	t.Helper()
	quiet := slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError + 1})
	logger := log.NewStructuredLogger(slog.New(quiet))
	files, err := filepath.Glob("testdata/*_history*.json")
	if err != nil || len(files) < 7 {
		t.Fatalf("recorded histories: %v, %v", files, err)
	}
	for _, file := range files {
		r := worker.NewWorkflowReplayer()
		Register(r)
		if err := r.ReplayWorkflowHistoryFromJSONFile(logger, file); err != nil {
			t.Errorf("%s: %v", file, err)
		}
	}
}
