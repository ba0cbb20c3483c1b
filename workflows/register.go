// Package workflows is junheng's durable orchestration: a district's yearly cycle and each rectification item, as
// Temporal workflows. It is deterministic code only: stages, timers, Updates with validators, queries. Side
// effects happen in activities (package activities), called by name, so this package links no database or HTTP
// code.
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

// Register adds the workflows to a worker.
func Register(r worker.WorkflowRegistry) {
	r.RegisterWorkflow(DistrictCycle)
	r.RegisterWorkflow(RectificationItem)
}

func searchAttributes(year int, district, stage string, overdue bool) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(attrYear.ValueSet(int64(year)), attrDistrict.ValueSet(district),
		attrStage.ValueSet(stage), attrOverdue.ValueSet(overdue))
}

func upsertSearchAttributes(ctx workflow.Context, year int, district, stage string, overdue bool) error {
	return workflow.UpsertTypedSearchAttributes(ctx, attrYear.ValueSet(int64(year)), attrDistrict.ValueSet(district),
		attrStage.ValueSet(stage), attrOverdue.ValueSet(overdue))
}

// activityCtx is for activities that touch the database: they retry without limit (a database outage must delay
// a decision, never lose it), backing off to a minute between tries.
func activityCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	})
}

// localCtx is for the short read-model writes that run inside the workflow task.
func localCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	})
}

// notify stores and delivers a notification. Its key is unique per workflow, recipient, kind and instant, so a
// retried activity does not notify twice.
func notify(ctx workflow.Context, n Notification) error {
	n.Key = fmt.Sprintf("%s:%s:%s:%d", workflow.GetInfo(ctx).WorkflowExecution.ID, n.Recipient, n.Kind, workflow.Now(ctx).UnixNano())
	return workflow.ExecuteActivity(activityCtx(ctx), ActivityNotify, n).Get(ctx, nil)
}
