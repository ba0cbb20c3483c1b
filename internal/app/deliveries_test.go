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
// webhook by the worker of workflows.DeliveryQueue, apart from the human actions' queue. With
// JUNHENG_RECORD_HISTORY=1 it records the year's history so far (the version "deliveries-own-queue") for
// workflows/replay_test.go.
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
	select {
	case m := <-got:
		if m.Recipient != "district" || m.District != codeA || m.Kind != "reminder" {
			t.Errorf("delivered %+v", m)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no notification delivered through the webhook")
	}
	if os.Getenv("JUNHENG_RECORD_HISTORY") != "" {
		recordHistory(t, p.Temporal, id, "", "../../workflows/testdata/cycle_delivered_history_v6.json")
	}
	desc, err := p.Temporal.DescribeTaskQueue(context.Background(), workflows.DeliveryQueue,
		enumspb.TASK_QUEUE_TYPE_ACTIVITY)
	if err != nil || len(desc.GetPollers()) == 0 {
		t.Errorf("no worker polls %s: %v", workflows.DeliveryQueue, err)
	}
}
