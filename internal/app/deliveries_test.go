package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"junheng/notify"
	"junheng/vocab"
	"junheng/workflows"
)

// TestDeliveriesRunOnTheirOwnQueue: a notification a workflow sends is delivered through the channel file's
// webhook by the worker of workflows.DeliveryQueue, apart from the human actions' queue: a reminder (stored by the
// Notify activity) and the office's notice of a submission (stored with the change, in its record). With
// JUNHENG_RECORD_HISTORY=1 it records the year's history so far (the versions "deliveries-own-queue" and
// "action-in-one-workflow-task") for workflows/replay_test.go.
func TestDeliveriesRunOnTheirOwnQueue(t *testing.T) {
	got := make(chan notify.Message, 4)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m notify.Message
		if err := json.NewDecoder(r.Body).Decode(&m); err == nil {
			got <- m
		}
	}))
	defer hook.Close()
	dir := t.TempDir()
	channels := filepath.Join(dir, "channels.yaml")
	if err := os.WriteFile(channels, []byte("channels:\n  - name: ops\n    type: webhook\n    url: "+hook.URL+"\n"),
		0o600); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, dir, "")
	cfg.Notify = channels
	p := start(t, cfg)
	defer p.Close()

	// A year whose self-assessment is due in two seconds reminds the district one second before.
	policy := workflows.DefaultPolicy()
	policy.DistrictReminders = []time.Duration{time.Second}
	d := ahead(time.UTC)
	d.SelfAssessment = time.Now().Add(2 * time.Second)
	id := vocab.CycleID(2025, codeA)
	if _, err := p.Temporal.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: id,
		TaskQueue: workflows.TaskQueue}, workflows.WorkflowDistrictCycle, workflows.CycleParams{Year: 2025,
		District: codeA, DistrictName: "黄岛区", Policy: policy, Deadlines: d}); err != nil {
		t.Fatal(err)
	}
	delivered := func(recipient, kind string) {
		t.Helper()
		select {
		case m := <-got:
			if m.Recipient != recipient || m.District != codeA || m.Kind != kind {
				t.Errorf("delivered %+v, want %s's %s", m, recipient, kind)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("no %s delivered through the webhook", kind)
		}
	}
	delivered("district", "reminder")
	must[workflows.CycleState](t, p.Temporal, id, workflows.UpdateSaveDraft,
		workflows.SaveDraftInput{Actor: clerk, DraftID: sampleDraft(t, p.Store, noEdit)})
	must[workflows.CycleState](t, p.Temporal, id, workflows.UpdateSubmit, workflows.SubmitInput{Actor: clerk})
	delivered("office", "submitted")
	if os.Getenv("JUNHENG_RECORD_HISTORY") != "" {
		recordHistory(t, p.Temporal, id, "", "../../workflows/testdata/cycle_delivered_history"+historySuffix)
	}
	desc, err := p.Temporal.DescribeTaskQueue(context.Background(), workflows.DeliveryQueue,
		enumspb.TASK_QUEUE_TYPE_ACTIVITY)
	if err != nil || len(desc.GetPollers()) == 0 {
		t.Errorf("no worker polls %s: %v", workflows.DeliveryQueue, err)
	}
}
