// Package workflows is junheng's durable orchestration: a district's yearly cycle, each rectification item and
// each district's creation plan, as Temporal workflows. It is deterministic code only: stages, timers, Updates
// with validators, queries. Side effects happen in activities (package activities), called by name, so this
// package links no database or HTTP code.
package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TaskQueue is where the workflows and activities run.
const TaskQueue = "junheng"

// Typed search attributes for operators (Temporal UI, tctl): which year, district, stage or status, overdue.
var (
	attrYear     = temporal.NewSearchAttributeKeyInt64("JunhengYear")
	attrDistrict = temporal.NewSearchAttributeKeyKeyword("JunhengDistrict")
	attrStage    = temporal.NewSearchAttributeKeyKeyword("JunhengStage")
	attrOverdue  = temporal.NewSearchAttributeKeyBool("JunhengOverdue")
)

// SearchAttributes lists the custom attributes a namespace must have registered.
var SearchAttributes = map[string]enums.IndexedValueType{
	attrYear.GetName():     enums.INDEXED_VALUE_TYPE_INT,
	attrDistrict.GetName(): enums.INDEXED_VALUE_TYPE_KEYWORD,
	attrStage.GetName():    enums.INDEXED_VALUE_TYPE_KEYWORD,
	attrOverdue.GetName():  enums.INDEXED_VALUE_TYPE_BOOL,
}

// Workflow type names. They are in every recorded history: a renamed function must keep its name here.
const (
	WorkflowDistrictCycle     = "DistrictCycle"
	WorkflowRectificationItem = "RectificationItem"
	WorkflowCreationPlan      = "CreationPlan"
)

// Register adds the workflows to a worker under their names.
func Register(r worker.WorkflowRegistry) {
	for name, fn := range map[string]any{WorkflowDistrictCycle: DistrictCycle,
		WorkflowRectificationItem: RectificationItem, WorkflowCreationPlan: CreationPlan} {
		r.RegisterWorkflowWithOptions(fn, workflow.RegisterOptions{Name: name})
	}
}

func searchAttributes(year int, district, stage string, overdue bool) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(attrYear.ValueSet(int64(year)), attrDistrict.ValueSet(district),
		attrStage.ValueSet(stage), attrOverdue.ValueSet(overdue))
}

// activityCtx is for activities that touch the database: they retry without limit (a database outage must delay
// a decision, never lose it), backing off to a minute between tries. They take milliseconds, so a short timeout
// lets a try lost with a crashed worker be retried soon.
func activityCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	})
}

// localCtx is for the read-model and audit writes. They run as local activities, inside the workflow task: one
// history event each where a regular activity costs at least four, on the path of every human action. They never
// give up: without an explicit ScheduleToCloseTimeout the SDK would stop retrying after StartToCloseTimeout, and
// a database stall of seconds would fail the workflow. Retries further apart than the workflow task timeout wait
// on a timer, six history events each: at most one every five minutes, a stall costs 1,728 events a day, and a
// workflow stalled for four weeks is still below Temporal's 51,200.
func localCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		ScheduleToCloseTimeout: 100 * 365 * day,
		StartToCloseTimeout:    10 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2,
			MaximumInterval: 5 * time.Minute},
	})
}

// DeliveryAttempts bounds the tries to deliver a notification through a channel (about five hours with the
// backoff); the Deliver activity records the last failure as final.
const DeliveryAttempts = 10

// outbox sends a workflow's notifications: it stores each one (so it is never lost), then delivers it through the
// configured channels as a retried activity in the background, so that a slow or failing channel never holds up
// or fails the workflow. The workflow drains the outbox before it ends or continues as new.
type outbox struct {
	pending int // deliveries, and other background work, still running
}

func (o *outbox) notify(ctx workflow.Context, n Notification) error {
	// The key is unique per workflow, recipient, kind and instant, so a retried activity does not notify twice.
	n.Key = fmt.Sprintf("%s:%s:%s:%d", workflow.GetInfo(ctx).WorkflowExecution.ID, n.Recipient, n.Kind, workflow.Now(ctx).UnixNano())
	var channels int
	if err := workflow.ExecuteActivity(activityCtx(ctx), ActivityNotify, n).Get(ctx, &channels); err != nil || channels == 0 {
		return err
	}
	o.pending++
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { o.pending-- }()
		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: time.Minute,
			RetryPolicy: &temporal.RetryPolicy{InitialInterval: 30 * time.Second, BackoffCoefficient: 2,
				MaximumInterval: time.Hour, MaximumAttempts: DeliveryAttempts},
		})
		// A failure is recorded by the activity for the office to see; it is not the workflow's to handle.
		_ = workflow.ExecuteActivity(ctx, ActivityDeliver, n.Key).Get(ctx, nil)
	})
	return nil
}

// drain waits for the deliveries still running and for every Update being handled, so that neither is cut off
// when the workflow ends or continues as new.
func (o *outbox) drain(ctx workflow.Context) error {
	return workflow.Await(ctx, func() bool { return o.pending == 0 && workflow.AllHandlersFinished(ctx) })
}
