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

// updateCost is the engine work of one Update: its events, from the workflow task that took it to its
// UpdateCompleted event, the child workflows it started, and whether it recorded a version marker (the first
// change of a run under a workflow.GetVersion costs the marker and an upsert of TemporalChangeVersion).
type updateCost struct {
	name      string
	events    int
	children  int
	versioned bool
}

func (u updateCost) String() string { return fmt.Sprintf("%s %d", u.name, u.events) }

// eventsPerUpdate is the cost of each Update of a history, in the order the Updates completed.
func eventsPerUpdate(h *historypb.History) []updateCost {
	events := h.GetEvents()
	taken := map[string]struct {
		name string
		at   int
	}{}
	var out []updateCost
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
			u, ok := taken[e.GetWorkflowExecutionUpdateCompletedEventAttributes().GetMeta().GetUpdateId()]
			if !ok {
				continue
			}
			cost := updateCost{name: u.name, events: i - u.at + 1}
			for _, x := range events[u.at : i+1] {
				switch {
				case x.GetEventType() == enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
					cost.children++
				case x.GetMarkerRecordedEventAttributes().GetMarkerName() == "Version":
					cost.versioned = true
				}
			}
			out = append(out, cost)
		}
	}
	return out
}

// mostEvents is issue 17's goal for each action in steady state: at most this many events, plus perChild for
// each item a review starts.
var mostEvents = map[string]int{UpdateSaveDraft: 9, UpdateSubmit: 14, UpdateReview: 19, UpdatePlan: 7,
	UpdateReportProgress: 7, UpdateRequestClose: 10, UpdateVerify: 10}

const perChild = 10

// TestEventsPerAction reports the events each Update cost in the newest recorded histories (record them again
// with internal/app's TestRecordHistories to measure a change) and holds the steady-state Updates (those that
// recorded no version marker) to issue 17's goals. The _v6 histories, recorded before oneTaskPerAction, fail
// them.
func TestEventsPerAction(t *testing.T) {
	files, err := filepath.Glob("testdata/*_history_v8.json")
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
		costs := eventsPerUpdate(h)
		completed := 0
		for _, e := range h.GetEvents() {
			if e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED {
				completed++
			}
		}
		if len(costs) != completed {
			t.Errorf("%s: %d Updates counted of %d completed", file, len(costs), completed)
		}
		var shown []string
		for _, c := range costs {
			shown = append(shown, c.String())
			if most, ok := mostEvents[c.name]; ok && !c.versioned && c.events > most+perChild*c.children {
				t.Errorf("%s: %s cost %d events, more than %d + %d per item", file, c.name, c.events, most,
					perChild)
			}
		}
		t.Logf("%s: %s", filepath.Base(file), strings.Join(shown, ", "))
	}
}
