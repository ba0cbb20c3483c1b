package activities

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"junheng/evaluation"
	"junheng/notify"
	"junheng/store"
	"junheng/store/storetest"
	"junheng/workflows"
)

// TestDeliverRetriesUntilDeliveredAndRecordsFinalFailures runs Deliver as Temporal would: a webhook that fails
// once then accepts is retried and recorded delivered; one that refuses the request is recorded failed at once.
func TestDeliverRetriesUntilDeliveredAndRecordsFinalFailures(t *testing.T) {
	var flaky, refusing atomic.Int32
	flakySrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if flaky.Add(1) == 1 {
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer flakySrv.Close()
	refusingSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		refusing.Add(1)
		w.WriteHeader(http.StatusBadRequest)
	}))
	defer refusingSrv.Close()
	chs, err := notify.Build(notify.Config{Channels: []notify.ChannelConfig{
		{Name: "flaky", Type: "webhook", URL: flakySrv.URL, Recipients: []string{"office"}},
		{Name: "refusing", Type: "webhook", URL: refusingSrv.URL, Recipients: []string{"office"}},
		{Name: "districts", Type: "webhook", URL: refusingSrv.URL, Recipients: []string{"district:*"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t)[store.SQLite]
	a := &Activities{Store: db, Profile: evaluation.National2017(), Channels: chs, Location: time.UTC,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx := context.Background()
	n := workflows.Notification{Key: "n1", Recipient: workflows.ToOffice, Year: 2025, District: "370211",
		Kind: "overdue", TitleZh: "逾期", TitleEn: "overdue"}
	channels, err := a.Notify(ctx, n)
	if err != nil || channels != 2 {
		t.Fatalf("Notify = %d, %v; want the 2 office channels", channels, err)
	}
	// A record's notifications come back to be delivered when a channel routes them: the office's, not the
	// province's (no channel takes it).
	toProvince := workflows.Notification{Key: "n2", Recipient: workflows.ToProvince, Year: 2025, District: "370211",
		Kind: "awaiting_province"}
	done, err := a.RecordCycle(ctx, workflows.CycleRecord{State: workflows.CycleState{Year: 2025, District: "370211",
		Stage: "province_review"}, Notifications: []workflows.Notification{toProvince, n}})
	if err != nil || !slices.Equal(done.Deliver, []string{"n1"}) {
		t.Fatalf("RecordCycle = %+v, %v; want n1 to deliver", done, err)
	}

	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	if _, err := env.ExecuteActivity(a.Deliver, "n1"); err == nil {
		t.Fatal("first attempt: the flaky channel failed, so the activity must fail to be retried")
	}
	if _, err := env.ExecuteActivity(a.Deliver, "n1"); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	stored, _ := db.NotificationByKey(ctx, "n1")
	got, err := db.DeliveriesOf(ctx, stored.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := got["webhook:flaky"]; d.Status != store.Delivered || d.Attempts != 2 {
		t.Errorf("flaky channel: %+v", d)
	}
	if d := got["webhook:refusing"]; d.Status != store.Failed || d.Attempts != 1 || d.LastError == "" ||
		refusing.Load() != 1 {
		t.Errorf("refusing channel: %+v (called %d times)", d, refusing.Load())
	}
	if _, ok := got["webhook:districts"]; ok {
		t.Error("an office notification went to the districts' channel")
	}
	failed, err := db.Deliveries(ctx, store.Failed, "", 0)
	if err != nil || len(failed) != 1 {
		t.Errorf("failed deliveries: %+v, %v", failed, err)
	}
}
