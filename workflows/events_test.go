package workflows

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
)

// eventsPerUpdate counts, for each Update of a history, the events from the workflow task that took it to its
// UpdateCompleted event, in the order the Updates completed: the engine work one human action costs.
func eventsPerUpdate(h *historypb.History) []string {
	events := h.GetEvents()
	taken := map[string]struct {
		name string
		at   int
	}{}
	var out []string
	for i, e := range events {
		switch e.GetEventType() {
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
			a := e.GetWorkflowExecutionUpdateAcceptedEventAttributes()
			j := i
			for j > 0 && events[j].GetEventType() != enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED {
				j--
			}
			taken[a.GetProtocolInstanceId()] = struct {
				name string
				at   int
			}{a.GetAcceptedRequest().GetInput().GetName(), j}
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
			if u, ok := taken[e.GetWorkflowExecutionUpdateCompletedEventAttributes().GetMeta().GetUpdateId()]; ok {
				out = append(out, fmt.Sprintf("%s %d", u.name, i-u.at+1))
			}
		}
	}
	return out
}

// TestEventsPerAction reports the events each Update cost in the newest recorded histories (record them again
// with internal/app's TestRecordHistories to measure a change). It asserts only that every recorded Update is
// counted: the counts are the measure issue 17 reads, not a rule.
func TestEventsPerAction(t *testing.T) {
	files, err := filepath.Glob("testdata/*_history_v6.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("histories: %v, %v", files, err)
	}
	slices.Sort(files)
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		h, err := client.HistoryFromJSON(f, client.HistoryJSONOptions{})
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		counts := eventsPerUpdate(h)
		completed := 0
		for _, e := range h.GetEvents() {
			if e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED {
				completed++
			}
		}
		if len(counts) != completed {
			t.Errorf("%s: %d Updates counted of %d completed", file, len(counts), completed)
		}
		t.Logf("%s: %s", filepath.Base(file), strings.Join(counts, ", "))
	}
}
